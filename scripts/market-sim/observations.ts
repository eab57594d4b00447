/**
 * Views of a simulated game on one day: what the lottery publishes (a {@link GameObservation},
 * the scorer's input) and the hidden truth it is judged against. Both are as of the end of
 * the day, so a ticket bought after that day's snapshot draws from the recorded unsold pool.
 * On a day the lottery does not publish, the scorer sees the latest published counts.
 */
import { addDays } from '../../supabase/functions/_shared/scoring/calendar.ts'
import {
  FEATURE_HISTORY_DAYS,
  FEATURE_LOOKBACK_DAYS,
} from '../../supabase/functions/_shared/scoring/features.ts'
import type { SimulatedGame, SimulatedPortfolio } from './simulator.ts'
import {
  type GameObservation,
  type PrizeTier,
  type Snapshot,
  tierKey,
} from '../../supabase/functions/_shared/scoring/types.ts'

/** The hidden truth about one game on one day. */
export interface GameTruth {
  gameId: number
  /** ISO date (YYYY-MM-DD). */
  date: string
  ticketsPrinted: number
  unsoldTickets: number
  /** Share of printed tickets sold so far. */
  fractionSold: number
  /** Prizes still on unsold tickets, keyed by {@link tierKey} of the prize amount. */
  unsoldPrizesByTier: Record<string, number>
  /** Expected prize per dollar of a ticket bought now: Σ amount × unsold prizes / (unsold × price). */
  trueReturnPerDollar: number
}

/** A game's published observation and hidden truth on the same day. */
export interface ObservedGameDay {
  observation: GameObservation
  truth: GameTruth
}

/** Whether the game is on sale (and observed) on `day`. */
export function isOnSale(game: SimulatedGame, day: number): boolean {
  return day >= game.firstDay && day <= game.lastDay
}

function rowOf(game: SimulatedGame, day: number): number {
  if (!isOnSale(game, day)) {
    throw new Error(`Cannot observe game ${game.facts.id}: not on sale on day ${day}`)
  }
  return day - game.firstDay
}

/** The latest row up to `row` on which the lottery published (the first row always is). */
function latestPublishedRow(game: SimulatedGame, row: number): number {
  let latest = row
  while (latest > 0 && game.published[latest] !== 1) latest--
  return latest
}

function snapshotOn(game: SimulatedGame, row: number): Snapshot {
  const tierCount = game.tiers.length
  const remainingByTier: Record<string, number> = {}
  let topPrizesRemaining: number | null = null
  game.tiers.forEach((tier, i) => {
    if (!tier.published) return
    const remaining = tier.totalPrizes - (game.claimedPrizes[row * tierCount + i] ?? 0)
    remainingByTier[tierKey(tier.prizeAmount)] = remaining
    if (i === tierCount - 1) topPrizesRemaining = remaining
  })
  return {
    snapshotDate: addDays(game.startDate, game.firstDay + row),
    remainingByTier,
    topPrizesRemaining,
  }
}

/** The tiers with the remaining counts published on `row` (a publication row). */
function tiersOn(game: SimulatedGame, row: number): PrizeTier[] {
  const tierCount = game.tiers.length
  return game.tiers.map((tier, i) => ({
    prizeAmount: tier.prizeAmount,
    odds: tier.odds,
    totalPrizes: tier.totalPrizes,
    remainingPrizes: tier.published
      ? tier.totalPrizes - (game.claimedPrizes[row * tierCount + i] ?? 0)
      : null,
  }))
}

/**
 * The published snapshots of the game up to `throughDay` (default its last day on sale; at most
 * its last recorded day, which for an ended game still listed is after its end), oldest first.
 */
export function snapshotHistory(game: SimulatedGame, throughDay = game.lastDay): Snapshot[] {
  const lastRow = Math.min(throughDay, game.recordedLastDay) - game.firstDay
  const snapshots: Snapshot[] = []
  for (let row = 0; row <= lastRow; row++) {
    if (game.published[row] === 1) snapshots.push(snapshotOn(game, row))
  }
  return snapshots
}

/**
 * The tiers with the latest remaining counts published up to `day` (an on-sale day, or a day
 * an ended game is still listed).
 */
export function publishedTiersOn(game: SimulatedGame, day: number): PrizeTier[] {
  if (day < game.firstDay || day > game.recordedLastDay) {
    throw new Error(`Cannot read game ${game.facts.id}'s tiers: not recorded on day ${day}`)
  }
  return tiersOn(game, latestPublishedRow(game, day - game.firstDay))
}

/**
 * What the scorer reads about the game on `day`: as {@link observeGame}, but with only the
 * snapshots the features read (`snapshotsFeaturesRead`, as the scorer's SQL selects them), built
 * straight from the arrays: a few objects per game-day instead of its whole history.
 */
export function observeGameForFeatures(game: SimulatedGame, day: number): GameObservation {
  const row = rowOf(game, day)
  const latest = latestPublishedRow(game, row)
  const earliest = Math.max(0, row - (FEATURE_HISTORY_DAYS - 1))
  const rows = new Set<number>()
  if (latest >= earliest) {
    let first = earliest
    while (game.published[first] !== 1) first++
    rows.add(first).add(latest)
    for (const span of FEATURE_LOOKBACK_DAYS) {
      let start = Math.max(first, latest - span)
      while (game.published[start] !== 1) start++
      rows.add(start)
    }
  }
  return {
    game: { ...game.facts },
    tiers: tiersOn(game, latest),
    snapshots: [...rows].sort((a, b) => a - b).map((r) => snapshotOn(game, r)),
    asOfDate: addDays(game.startDate, day),
  }
}

/** What the scorer would see about the game on `day`, with the snapshots up to that day. */
export function observeGame(game: SimulatedGame, day: number): GameObservation {
  const row = rowOf(game, day)
  return {
    game: { ...game.facts },
    tiers: tiersOn(game, latestPublishedRow(game, row)),
    snapshots: snapshotHistory(game, day),
    asOfDate: addDays(game.startDate, day),
  }
}

/** The hidden truth about the game on `day`. */
export function gameTruth(game: SimulatedGame, day: number): GameTruth {
  const row = rowOf(game, day)
  const tierCount = game.tiers.length
  const unsoldTickets = game.unsoldTickets[row] ?? 0
  const ticketsPrinted = game.ticketsPrinted
  const unsoldPrizesByTier: Record<string, number> = {}
  let unsoldValue = 0
  game.tiers.forEach((tier, i) => {
    const unsold = game.unsoldPrizes[row * tierCount + i] ?? 0
    unsoldPrizesByTier[tierKey(tier.prizeAmount)] = unsold
    unsoldValue += unsold * tier.prizeAmount
  })
  return {
    gameId: game.facts.id,
    date: addDays(game.startDate, day),
    ticketsPrinted,
    unsoldTickets,
    fractionSold: 1 - unsoldTickets / ticketsPrinted,
    unsoldPrizesByTier,
    trueReturnPerDollar: unsoldValue / (unsoldTickets * game.facts.ticketPrice),
  }
}

/**
 * Every on-sale day of the game from `fromDay` (default its first), oldest first. The days share
 * one snapshot history (each observation holds a prefix of it), so this costs O(days), not
 * O(days²).
 */
export function observedGameDays(game: SimulatedGame, fromDay = game.firstDay): ObservedGameDay[] {
  const history = snapshotHistory(game)
  const result: ObservedGameDay[] = []
  let published = 0
  let latestRow = 0
  for (let day = game.firstDay; day <= game.lastDay; day++) {
    const row = day - game.firstDay
    if (game.published[row] === 1) {
      published++
      latestRow = row
    }
    if (day < fromDay) continue
    result.push({
      observation: {
        game: { ...game.facts },
        tiers: tiersOn(game, latestRow),
        snapshots: history.slice(0, published),
        asOfDate: addDays(game.startDate, day),
      },
      truth: gameTruth(game, day),
    })
  }
  return result
}

/** Observation and truth of every game on sale on `day` (0-based from the start date). */
export function gamesOnSale(portfolio: SimulatedPortfolio, day: number): ObservedGameDay[] {
  return portfolio.games
    .filter((game) => isOnSale(game, day))
    .map((game) => ({ observation: observeGame(game, day), truth: gameTruth(game, day) }))
}
