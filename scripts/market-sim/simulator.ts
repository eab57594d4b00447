/**
 * A state's portfolio of scratch games over a span of days, with the hidden truth recorded.
 * Deterministic for a seed.
 *
 * Each game is designed from a real Minnesota structure, launched in a batch, and sold day by
 * day. Prizes sit at random among the printed tickets, so a day's sales draw prizes without
 * replacement: per-tier counts come from one multivariate hypergeometric draw per day, never
 * from materialized tickets. Winners claim late ({@link ./claims.ts}); the lottery publishes
 * printed − claimed. A game ends at its planned end, when its sales slow to a trickle, when it
 * sells out, or a few weeks after its last top prize is claimed; new games launch meanwhile.
 *
 * Memory: a game keeps three typed arrays over its observed days only, about 100 bytes per
 * tier-day. {@link simulatedGames} streams games for callers that need not hold them all.
 */
import { addDays, dayOfWeek } from '../../supabase/functions/_shared/scoring/calendar.ts'
import { claimProfileFor, createClaimProcess } from './claims.ts'
import { designGame, type StructureUse } from './game-design.ts'
import { planLaunches, type PlannedLaunch } from './launch-schedule.ts'
import { createDailySales, drawSalesProfile } from './sales.ts'
import { createRandom, deriveSeed, type Random } from '../lib/random.ts'
import type { GameFacts } from '../../supabase/functions/_shared/scoring/types.ts'

/** Which remaining counts the lottery publishes. */
export type PublicationRule = 'minnesota' | 'all_tiers'

/** Minnesota publishes remaining counts only for tiers of at least this amount. */
export const MINNESOTA_PUBLISHED_MINIMUM = 500

/** What to simulate. */
export interface PortfolioOptions {
  /** Seed of every random draw: the same options give the same portfolio. */
  seed: number
  publication: PublicationRule
  /** First observed day (YYYY-MM-DD). Games launched earlier are simulated from their launch. */
  startDate: string
  /** Observed days, from `startDate`. */
  days: number
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
 * One simulated game over its observed days. Day indices count from the portfolio's
 * `startDate` (day 0); per-day arrays are indexed by `day − firstDay`, per-tier-day arrays by
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
  /** First and last observed (on-sale) day indices, both inclusive. */
  firstDay: number
  lastDay: number
  endReason: GameEndReason
  /** Hidden: tickets not yet sold. */
  unsoldTickets: Int32Array
  /** Hidden: prizes not yet sold, per tier. */
  unsoldPrizes: Int32Array
  /** Prizes claimed so far, per tier: what the lottery knows. */
  claimedPrizes: Int32Array
}

/** A simulated portfolio: every game on sale on at least one observed day. */
export interface SimulatedPortfolio {
  state: string
  publication: PublicationRule
  startDate: string
  days: number
  games: SimulatedGame[]
}

/** A game sells out when fewer than this share of its tickets is left. */
const SOLD_OUT_SHARE = 0.02
/** Sales are compared over windows of this many days. */
const SALES_WINDOW_DAYS = 28
/** A game is retired once a window's sales fall below this share of its first window's. */
const SLOW_SALES_SHARE = 0.12
const PLAN_STREAM = 1
const GAME_STREAM = 2

function simulateGame(
  random: Random,
  context: { options: PortfolioOptions; launch: PlannedLaunch; id: number },
): SimulatedGame | null {
  const { options, launch, id } = context
  const design = designGame(random, options.structures)
  const sales = createDailySales(
    random,
    drawSalesProfile(random, {
      ticketsPrinted: design.ticketsPrinted,
      plannedLifeDays: launch.plannedLifeDays,
    }),
  )
  const lagFactor = Math.exp(random.normal(0, 0.2))
  const windDownDays = random.integer(14, 60)
  const tierCount = design.tiers.length
  const topTier = tierCount - 1
  const claims = createClaimProcess(
    random,
    design.tiers.map((tier, i) =>
      claimProfileFor(tier.prizeAmount, { isTopTier: i === topTier, lagFactor })
    ),
  )

  // Unsold tickets by class: one class per tier, then the tickets without a prize.
  const unsoldByClass = new Int32Array(tierCount + 1)
  let prizeTickets = 0
  design.tiers.forEach((tier, i) => {
    unsoldByClass[i] = tier.totalPrizes
    prizeTickets += tier.totalPrizes
  })
  unsoldByClass[tierCount] = design.ticketsPrinted - prizeTickets
  let unsoldTickets = design.ticketsPrinted

  const firstDay = Math.max(0, launch.launchDay)
  const plannedLastDay = launch.launchDay + launch.plannedLifeDays - 1
  const lastPossibleDay = Math.min(plannedLastDay, options.days - 1)
  const capacity = Math.max(0, lastPossibleDay - firstDay + 1)
  const unsoldTicketsByDay = new Int32Array(capacity)
  const unsoldPrizesByDay = new Int32Array(capacity * tierCount)
  const claimedByDay = new Int32Array(capacity * tierCount)

  let endReason: GameEndReason = 'on_sale'
  let lastDay = lastPossibleDay
  let windDownLastDay = Infinity
  // Sales of the last SALES_WINDOW_DAYS days, by age modulo the window.
  const recentSales = new Float64Array(SALES_WINDOW_DAYS)
  let recentTotal = 0
  let launchWindowTotal = 0
  const startWeekday = dayOfWeek(options.startDate)
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

    if (day >= firstDay) {
      const row = day - firstDay
      unsoldTicketsByDay[row] = unsoldTickets
      for (let tier = 0; tier < tierCount; tier++) {
        unsoldPrizesByDay[row * tierCount + tier] = unsoldByClass[tier] ?? 0
        claimedByDay[row * tierCount + tier] = claims.claimed[tier] ?? 0
      }
    }
    if (day === plannedLastDay) endReason = 'planned_end'
    if (age >= 3 * SALES_WINDOW_DAYS && recentTotal < SLOW_SALES_SHARE * launchWindowTotal) {
      endReason = 'sales_slowed'
    }
    if (unsoldTickets <= SOLD_OUT_SHARE * design.ticketsPrinted) endReason = 'sold_out'
    const topPrizes = design.tiers[topTier]?.totalPrizes ?? 0
    if (windDownLastDay === Infinity && (claims.claimed[topTier] ?? 0) >= topPrizes) {
      windDownLastDay = day + windDownDays
    }
    if (day >= windDownLastDay) endReason = 'top_prizes_claimed'
    if (endReason !== 'on_sale') {
      lastDay = day
      break
    }
  }
  if (lastDay < firstDay) return null

  const rows = lastDay - firstDay + 1
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
    tiers: design.tiers.map((tier) => ({
      ...tier,
      published: options.publication === 'all_tiers' ||
        tier.prizeAmount >= MINNESOTA_PUBLISHED_MINIMUM,
    })),
    ticketsPrinted: design.ticketsPrinted,
    printedPayout: design.printedPayout,
    startDate: options.startDate,
    launchDay: launch.launchDay,
    firstDay,
    lastDay,
    endReason,
    // Copy when the game ended early, so the unused tail is freed.
    unsoldTickets: rows === capacity ? unsoldTicketsByDay : unsoldTicketsByDay.slice(0, rows),
    unsoldPrizes: rows === capacity
      ? unsoldPrizesByDay
      : unsoldPrizesByDay.slice(0, rows * tierCount),
    claimedPrizes: rows === capacity ? claimedByDay : claimedByDay.slice(0, rows * tierCount),
  }
}

/**
 * Simulates the portfolio game by game, in launch order, yielding each game on sale on at least
 * one observed day. Lets callers stream thousands of games without holding them all.
 */
export function* simulatedGames(options: PortfolioOptions): Generator<SimulatedGame> {
  if (!(options.days >= 1)) {
    throw new Error(`Cannot simulate: days must be >= 1, not ${options.days}`)
  }
  const plan = planLaunches(createRandom(deriveSeed(options.seed, PLAN_STREAM)), {
    days: options.days,
    activeGames: options.activeGames ?? 40,
  })
  let nextId = options.firstGameId ?? 1
  const editions = new Map<string, number>()
  for (const launch of plan) {
    // Games planned to end before day 0 cannot be on sale in the window: skip their work.
    if (launch.launchDay + launch.plannedLifeDays - 1 < 0) continue
    const random = createRandom(deriveSeed(options.seed, GAME_STREAM, launch.index))
    const game = simulateGame(random, { options, launch, id: nextId })
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
    games: [...simulatedGames(options)],
  }
}
