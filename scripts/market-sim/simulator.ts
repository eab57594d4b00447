/**
 * A state's portfolio of scratch games over a span of days, with the hidden truth recorded.
 * Deterministic for a seed.
 *
 * Each game is designed from a real Minnesota structure, launched in a batch, and sold day by
 * day. Prizes sit at random among the printed tickets, so a day's sales draw prizes without
 * replacement: per-tier counts come from one multivariate hypergeometric draw per day, never
 * from materialized tickets. Winners claim late ({@link ./claims.ts}); the lottery publishes
 * printed − claimed, for the tiers its publication rule names, on its publication days, as of a
 * few days earlier when it publishes late. A game ends at its planned end, when its sales slow
 * to a trickle, when it sells out, or (where the lottery does so) a few weeks after its last top
 * prize is claimed; new games launch meanwhile. An ended game may stay listed for a while, its
 * counts still falling as late winners claim. How all this behaves is the state's world
 * ({@link ./world.ts}; {@link BASE_WORLD} by default).
 *
 * Memory: a game keeps three typed arrays over its recorded days only, about 100 bytes per
 * tier-day. {@link simulatedGames} streams games for callers that need not hold them all.
 */
import { addDays, dayOfWeek } from '../../supabase/functions/_shared/scoring/calendar.ts'
import { claimProfileFor, createClaimProcess } from './claims.ts'
import { designGame, type StructureUse } from './game-design.ts'
import { LONGEST_LIFE_DAYS, planLaunches, type PlannedLaunch } from './launch-schedule.ts'
import { createDailySales, drawSalesProfile } from './sales.ts'
import { BASE_WORLD, type WorldParameters } from './world.ts'
import { createRandom, deriveSeed, type Random } from '../lib/random.ts'
import type { GameFacts } from '../../supabase/functions/_shared/scoring/types.ts'

/**
 * Which remaining counts the lottery publishes: tiers of $500 and up (`minnesota`), every tier,
 * the top few tiers (`top_tiers`, how many is the world's `topTiersPublished`), the top prize only.
 */
export type PublicationRule = 'minnesota' | 'all_tiers' | 'top_tiers' | 'top_prize'

/** Every publication rule. */
export const PUBLICATION_RULES: readonly PublicationRule[] = [
  'minnesota',
  'all_tiers',
  'top_tiers',
  'top_prize',
]

/** Minnesota publishes remaining counts only for tiers of at least this amount. */
export const MINNESOTA_PUBLISHED_MINIMUM = 500

/**
 * Whether the lottery publishes the remaining count of tier `index` (tiers sorted by prize
 * ascending) of a game with `tierCount` tiers under `rule`.
 */
export function isTierPublished(
  rule: PublicationRule,
  tier: { prizeAmount: number; index: number; tierCount: number; topTiersPublished: number },
): boolean {
  switch (rule) {
    case 'minnesota':
      return tier.prizeAmount >= MINNESOTA_PUBLISHED_MINIMUM
    case 'all_tiers':
      return true
    case 'top_tiers':
      return tier.index >= tier.tierCount - tier.topTiersPublished
    case 'top_prize':
      return tier.index === tier.tierCount - 1
  }
}

/** What to simulate. */
export interface PortfolioOptions {
  /** Seed of every random draw: the same options give the same portfolio. */
  seed: number
  publication: PublicationRule
  /** First observed day (YYYY-MM-DD). Games launched earlier are simulated from their launch. */
  startDate: string
  /** Observed days, from `startDate`. */
  days: number
  /**
   * Days recorded before `startDate` (default 0): the history a database would hold when the
   * first observed day comes. Games that ended within it are kept (they may be listed after
   * their end); observed days stay `0 .. days − 1`, history days are negative.
   */
  historyDays?: number
  /** How the state's lottery and players behave; default {@link BASE_WORLD}. */
  world?: WorldParameters
  /** Two-letter state code of the games; default `MN`. */
  state?: string
  /** Games on sale on a typical day; default 40. */
  activeGames?: number
  /** Id of the first game; ids then count up in launch order. Default 1. */
  firstGameId?: number
  /** Whether the lottery publishes tickets printed; default only under `all_tiers`. */
  publishTicketsPrinted?: boolean
  /**
   * `perturbed` (default): prize tables drawn from real ones and varied; `real`: real tables as
   * printed (demo data under real game names).
   */
  structures?: StructureUse
}

/** One tier of a simulated game. */
export interface SimulatedTier {
  prizeAmount: number
  totalPrizes: number
  odds: number
  /** Whether the lottery publishes this tier's remaining count. */
  published: boolean
}

/** Why a game left sale; `on_sale` when it was still on sale on the last observed day. */
export type GameEndReason =
  | 'on_sale'
  | 'planned_end'
  | 'sales_slowed'
  | 'sold_out'
  | 'top_prizes_claimed'

/**
 * One simulated game over its recorded days: from its launch (or the first day of the
 * portfolio's history) to its last day on sale, then the days it stays listed after its end.
 * Day indices count from the portfolio's `startDate` (day 0; history days are negative);
 * per-day arrays are indexed by `day − firstDay`, per-tier-day arrays by
 * `(day − firstDay) × tiers.length + tier`. Counts are as of the end of each day.
 */
export interface SimulatedGame {
  facts: GameFacts
  /** Tiers sorted by prize amount ascending; the last is the top prize. */
  tiers: readonly SimulatedTier[]
  /** Tickets printed, known to the simulator even when the lottery does not publish it. */
  ticketsPrinted: number
  printedPayout: number
  /** Date of day 0. */
  startDate: string
  /** Launch day index (negative when launched before day 0). */
  launchDay: number
  /** First and last on-sale day indices, both inclusive. */
  firstDay: number
  lastDay: number
  /** Last recorded day: `lastDay`, or later while an ended game stays listed. */
  recordedLastDay: number
  endReason: GameEndReason
  /** Hidden: tickets not yet sold. */
  unsoldTickets: Int32Array
  /** Hidden: prizes not yet sold, per tier. */
  unsoldPrizes: Int32Array
  /**
   * Prizes claimed per tier as the lottery publishes them that day: claimed so far, as of the
   * world's publication delay before the day.
   */
  claimedPrizes: Int32Array
  /** Per recorded day: 1 when the lottery published counts that day (always on the first). */
  published: Uint8Array
}

/** A simulated portfolio: every game recorded on at least one day. */
export interface SimulatedPortfolio {
  state: string
  publication: PublicationRule
  startDate: string
  days: number
  historyDays: number
  world: WorldParameters
  games: SimulatedGame[]
}

/** A game sells out when fewer than this share of its tickets is left. */
const SOLD_OUT_SHARE = 0.02
/** Sales are compared over windows of this many days. */
const SALES_WINDOW_DAYS = 28
const PLAN_STREAM = 1
const GAME_STREAM = 2
const CALENDAR_STREAM = 3
const HISTORY_PLAN_STREAM = 4
/** History launches are numbered from here, apart from the planned ones (their game streams). */
const HISTORY_LAUNCH_INDEX = 1_000_000

/** Whether the lottery publishes on a day: a state-level calendar, the same for every game. */
type PublicationCalendar = (day: number) => boolean

function publicationCalendar(options: PortfolioOptions, world: WorldParameters) {
  const startWeekday = dayOfWeek(options.startDate)
  const calendarSeed = deriveSeed(options.seed, CALENDAR_STREAM)
  return (day: number) => {
    if (world.weekdaysOnly) {
      const weekday = (((startWeekday + day) % 7) + 7) % 7
      if (weekday === 0 || weekday === 6) return false
    }
    if (world.missingDayShare <= 0) return true
    return deriveSeed(calendarSeed, day + 1_000_000) / 4_294_967_296 >= world.missingDayShare
  }
}

/**
 * The claims a count published on a day reflects: claimed so far as of `delayDays` before it.
 * Keeps the last `delayDays + 1` days of claims.
 */
function delayedClaims(tierCount: number, delayDays: number) {
  const slots = delayDays + 1
  const ring = new Int32Array(slots * tierCount)
  return {
    /** Records today's claims (day `age` of the game) and returns the published ones. */
    publish(age: number, claimed: Int32Array): Int32Array {
      const slot = age % slots
      ring.set(claimed, slot * tierCount)
      if (age < delayDays) return new Int32Array(tierCount)
      const from = ((age - delayDays) % slots) * tierCount
      return ring.subarray(from, from + tierCount)
    },
  }
}

function simulateGame(
  random: Random,
  context: {
    options: PortfolioOptions
    world: WorldParameters
    calendar: PublicationCalendar
    launch: PlannedLaunch
    id: number
  },
): SimulatedGame | null {
  const { options, world, launch, id } = context
  const design = designGame(random, options.structures)
  const sales = createDailySales(
    random,
    drawSalesProfile(random, {
      ticketsPrinted: design.ticketsPrinted,
      plannedLifeDays: launch.plannedLifeDays,
    }, world.sales),
  )
  const lagFactor = Math.exp(random.normal(0, world.gameLagSpread))
  const windDownDays = random.integer(...world.endRules.windDownDays)
  const tierCount = design.tiers.length
  const topTier = tierCount - 1
  const claims = createClaimProcess(
    random,
    design.tiers.map((tier, i) =>
      claimProfileFor(tier.prizeAmount, { isTopTier: i === topTier, lagFactor, world })
    ),
  )
  const delayed = delayedClaims(tierCount, world.publicationDelayDays)

  // Unsold tickets by class: one class per tier, then the tickets without a prize.
  const unsoldByClass = new Int32Array(tierCount + 1)
  let prizeTickets = 0
  design.tiers.forEach((tier, i) => {
    unsoldByClass[i] = tier.totalPrizes
    prizeTickets += tier.totalPrizes
  })
  unsoldByClass[tierCount] = design.ticketsPrinted - prizeTickets
  let unsoldTickets = design.ticketsPrinted

  const firstDay = Math.max(-(options.historyDays ?? 0), launch.launchDay)
  const plannedLastDay = launch.launchDay + launch.plannedLifeDays - 1
  const lastPossibleDay = Math.min(plannedLastDay, options.days - 1)
  const capacity = Math.max(0, lastPossibleDay - firstDay + 1)
  let unsoldTicketsByDay = new Int32Array(capacity)
  let unsoldPrizesByDay = new Int32Array(capacity * tierCount)
  let claimedByDay = new Int32Array(capacity * tierCount)

  let endReason: GameEndReason = 'on_sale'
  let lastDay = lastPossibleDay
  let windDownLastDay = Infinity
  // Sales of the last SALES_WINDOW_DAYS days, by age modulo the window.
  const recentSales = new Float64Array(SALES_WINDOW_DAYS)
  let recentTotal = 0
  let launchWindowTotal = 0
  const startWeekday = dayOfWeek(options.startDate)
  const record = (day: number) => {
    const row = day - firstDay
    unsoldTicketsByDay[row] = unsoldTickets
    const published = delayed.publish(day - launch.launchDay, claims.claimed)
    for (let tier = 0; tier < tierCount; tier++) {
      unsoldPrizesByDay[row * tierCount + tier] = unsoldByClass[tier] ?? 0
      claimedByDay[row * tierCount + tier] = published[tier] ?? 0
    }
  }
  for (let day = launch.launchDay; day <= lastPossibleDay; day++) {
    const weekday = (((startWeekday + day) % 7) + 7) % 7
    const sold = Math.min(unsoldTickets - 1, sales.next(day - launch.launchDay, weekday))
    const soldByClass = random.multivariateHypergeometric(unsoldByClass, sold)
    for (let c = 0; c <= tierCount; c++) {
      unsoldByClass[c] = (unsoldByClass[c] ?? 0) - (soldByClass[c] ?? 0)
    }
    unsoldTickets -= sold
    claims.advance(soldByClass)
    const age = day - launch.launchDay
    const slot = age % SALES_WINDOW_DAYS
    recentTotal += sold - (recentSales[slot] ?? 0)
    recentSales[slot] = sold
    if (age === SALES_WINDOW_DAYS - 1) launchWindowTotal = recentTotal

    if (day >= firstDay) record(day)
    else if (world.publicationDelayDays > 0) delayed.publish(age, claims.claimed)
    if (day === plannedLastDay) endReason = 'planned_end'
    if (
      age >= 3 * SALES_WINDOW_DAYS &&
      recentTotal < world.endRules.slowSalesShare * launchWindowTotal
    ) {
      endReason = 'sales_slowed'
    }
    if (unsoldTickets <= SOLD_OUT_SHARE * design.ticketsPrinted) endReason = 'sold_out'
    const topPrizes = design.tiers[topTier]?.totalPrizes ?? 0
    if (
      world.endRules.closeAfterLastTopPrize && windDownLastDay === Infinity &&
      (claims.claimed[topTier] ?? 0) >= topPrizes
    ) {
      windDownLastDay = day + windDownDays
    }
    if (day >= windDownLastDay) endReason = 'top_prizes_claimed'
    if (endReason !== 'on_sale') {
      lastDay = day
      break
    }
  }
  if (lastDay < firstDay) return null

  // An ended game may stay listed (within the claim deadline): late winners still claim.
  const recordedLastDay = endReason === 'on_sale'
    ? lastDay
    : Math.min(lastDay + world.postEndPublishedDays, options.days - 1)
  const rows = recordedLastDay - firstDay + 1
  if (rows !== capacity) {
    // Copy when the game ended early (the unused tail is freed) or is listed after its end.
    const resized = (array: Int32Array, width: number) => {
      const copy = new Int32Array(rows * width)
      copy.set(array.subarray(0, Math.min(rows, lastDay - firstDay + 1) * width))
      return copy
    }
    unsoldTicketsByDay = resized(unsoldTicketsByDay, 1)
    unsoldPrizesByDay = resized(unsoldPrizesByDay, tierCount)
    claimedByDay = resized(claimedByDay, tierCount)
  }
  const nothingSold = new Int32Array(tierCount + 1)
  for (let day = lastDay + 1; day <= recordedLastDay; day++) {
    claims.advance(nothingSold)
    record(day)
  }
  const publishedDays = new Uint8Array(rows)
  for (let row = 0; row < rows; row++) {
    publishedDays[row] = row === 0 || context.calendar(firstDay + row) ? 1 : 0
  }

  const publishTicketsPrinted = options.publishTicketsPrinted ?? options.publication === 'all_tiers'
  const launchDate = addDays(options.startDate, launch.launchDay)
  return {
    facts: {
      id,
      state: options.state ?? 'MN',
      gameNumber: String(1000 + id),
      gameName: design.sourceGameName,
      ticketPrice: design.ticketPrice,
      overallOdds: design.overallOdds,
      ticketsPrinted: publishTicketsPrinted ? design.ticketsPrinted : null,
      launchDate,
    },
    tiers: design.tiers.map((tier, index) => ({
      ...tier,
      published: isTierPublished(options.publication, {
        prizeAmount: tier.prizeAmount,
        index,
        tierCount,
        topTiersPublished: world.topTiersPublished,
      }),
    })),
    ticketsPrinted: design.ticketsPrinted,
    printedPayout: design.printedPayout,
    startDate: options.startDate,
    launchDay: launch.launchDay,
    firstDay,
    lastDay,
    recordedLastDay,
    endReason,
    unsoldTickets: unsoldTicketsByDay,
    unsoldPrizes: unsoldPrizesByDay,
    claimedPrizes: claimedByDay,
    published: publishedDays,
  }
}

/**
 * Simulates the portfolio game by game, in launch order, yielding each game recorded on at least
 * one day (on sale on an observed or a history day). Lets callers stream thousands of games
 * without holding them all.
 */
export function* simulatedGames(options: PortfolioOptions): Generator<SimulatedGame> {
  if (!(options.days >= 1)) {
    throw new Error(`Cannot simulate: days must be >= 1, not ${options.days}`)
  }
  const historyDays = options.historyDays ?? 0
  if (!(Number.isInteger(historyDays) && historyDays >= 0)) {
    throw new Error(`Cannot simulate: historyDays must be an integer >= 0, not ${historyDays}`)
  }
  const world = options.world ?? BASE_WORLD
  const activeGames = options.activeGames ?? 40
  const plan = planLaunches(createRandom(deriveSeed(options.seed, PLAN_STREAM)), {
    days: options.days,
    activeGames,
    plannedLifeMedianDays: world.sales.plannedLifeMedianDays,
  })
  // Launches early enough to be on sale in the history only: planned apart, so the games of
  // the observed days are the same with or without a history.
  const historyPlan = historyDays === 0 ? [] : planLaunches(
    createRandom(deriveSeed(options.seed, HISTORY_PLAN_STREAM)),
    {
      days: options.days,
      activeGames,
      plannedLifeMedianDays: world.sales.plannedLifeMedianDays,
      fromDay: -LONGEST_LIFE_DAYS - historyDays,
      untilDay: plan[0]?.launchDay ?? 0,
      firstIndex: HISTORY_LAUNCH_INDEX,
    },
  )
  const calendar = publicationCalendar(options, world)
  let nextId = options.firstGameId ?? 1
  const editions = new Map<string, number>()
  for (const launch of [...historyPlan, ...plan]) {
    // Games planned to end before the first recorded day cannot be in it: skip their work.
    if (launch.launchDay + launch.plannedLifeDays - 1 < -historyDays) continue
    const random = createRandom(deriveSeed(options.seed, GAME_STREAM, launch.index))
    const game = simulateGame(random, { options, world, calendar, launch, id: nextId })
    if (!game) continue
    nextId++
    // Reused structures get an edition number, as lotteries do with popular games.
    const edition = (editions.get(game.facts.gameName) ?? 0) + 1
    editions.set(game.facts.gameName, edition)
    if (edition > 1) game.facts.gameName = `${game.facts.gameName} ${edition}`
    yield game
  }
}

/** Simulates the whole portfolio and keeps every game. */
export function simulatePortfolio(options: PortfolioOptions): SimulatedPortfolio {
  return {
    state: options.state ?? 'MN',
    publication: options.publication,
    startDate: options.startDate,
    days: options.days,
    historyDays: options.historyDays ?? 0,
    world: options.world ?? BASE_WORLD,
    games: [...simulatedGames(options)],
  }
}

/**
 * The same game as a lottery with another publication rule would publish it (the sales and
 * claims are the rule's business of nobody): the tiers' published flags and, by default, whether
 * tickets printed is published. Shares the game's arrays.
 */
export function underPublicationRule(
  game: SimulatedGame,
  rule: PublicationRule,
  world: WorldParameters,
): SimulatedGame {
  const tierCount = game.tiers.length
  return {
    ...game,
    facts: { ...game.facts, ticketsPrinted: rule === 'all_tiers' ? game.ticketsPrinted : null },
    tiers: game.tiers.map((tier, index) => ({
      ...tier,
      published: isTierPublished(rule, {
        prizeAmount: tier.prizeAmount,
        index,
        tierCount,
        topTiersPublished: world.topTiersPublished,
      }),
    })),
  }
}
