/**
 * Domain types shared by the estimator, the simulator, the feature definition and the scorer.
 *
 * These mirror the database rows (`games`, `prize_tiers`, `historical_snapshots`) in camelCase,
 * so the same feature code runs on simulated data (training) and on rows read from Postgres
 * (serving).
 */

/** A game as published by the lottery: one row of `games`. */
export interface GameFacts {
  /** `games.id`; simulator games get ids unique within their portfolio. */
  id: number
  /** Two-letter state code, e.g. `MN`. */
  state: string
  gameNumber: string
  gameName: string
  /** Price of one ticket in dollars (> 0). */
  ticketPrice: number
  /** The published "1 in X" overall odds of winning any prize (X > 1). */
  overallOdds: number
  /** Tickets printed, when the lottery publishes it; otherwise derived from the tiers. */
  ticketsPrinted: number | null
  /** ISO date (YYYY-MM-DD) the game went on sale, when known. */
  launchDate: string | null
}

/** One prize tier as published: one row of `prize_tiers`. */
export interface PrizeTier {
  /** Prize in dollars (> 0). */
  prizeAmount: number
  /** The "1 in X" odds of this tier, when published. */
  odds: number | null
  /** Prizes of this amount printed in the whole game. */
  totalPrizes: number
  /** Prizes not yet claimed, or `null` when the lottery does not publish it for this tier. */
  remainingPrizes: number | null
}

/** One day's published remaining counts of a game: one row of `historical_snapshots`. */
export interface Snapshot {
  /** ISO date (YYYY-MM-DD). */
  snapshotDate: string
  /** Remaining prizes per published tier, keyed by {@link tierKey} of the prize amount. */
  remainingByTier: Record<string, number>
  /** Remaining prizes of the top tier, or `null` when not published. */
  topPrizesRemaining: number | null
}

/** Everything published about one game as of one day: the scorer's unit of work. */
export interface GameObservation {
  game: GameFacts
  /** Tiers with the remaining counts published as of {@link asOfDate}. */
  tiers: PrizeTier[]
  /** Published history up to and including {@link asOfDate}, oldest first. */
  snapshots: Snapshot[]
  /** ISO date (YYYY-MM-DD) of the day a ticket would be bought. */
  asOfDate: string
}

/**
 * The key of a prize amount in {@link Snapshot.remainingByTier}: the shortest decimal text,
 * e.g. `500`, `2.5`. Postgres produces the same text with `trim_scale(prize_amount)::text`.
 */
export function tierKey(prizeAmount: number): string {
  return String(Math.round(prizeAmount * 100) / 100)
}
