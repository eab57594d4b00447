/**
 * What the database holds about a simulated game as of one day: its `games` row, its
 * `prize_tiers`, its recent `historical_snapshots` and, kept apart, the hidden truth. The rows
 * come from the simulator's own views (`observeGame`, `gameTruth`), so what is loaded is exactly
 * what the scorer would have seen. Shared by the loader (COPY into Postgres) and the seed
 * generator (SQL text).
 */
import { addDays } from '../../supabase/functions/_shared/scoring/calendar.ts'
import {
  type GameTruth,
  gameTruth,
  publishedTiersOn,
  snapshotHistory,
} from '../market-sim/observations.ts'
import type { SimulatedGame } from '../market-sim/simulator.ts'
import type {
  GameFacts,
  PrizeTier,
  Snapshot,
} from '../../supabase/functions/_shared/scoring/types.ts'

/** Which days of a simulated portfolio go into the database. */
export interface HistoryWindow {
  /** Day index (from the portfolio's start date) the database is "as of". */
  asOfDay: number
  /** Snapshot days kept, up to and including the as-of day. */
  historyDays: number
  /** Whether games that left sale within the window are kept (inactive, with an end date). */
  includeEndedGames: boolean
}

/** One game's rows as of the window's as-of day (or its last day on sale, when it ended). */
export interface GameRowsAsOf {
  facts: GameFacts
  /** On sale on the as-of day. */
  isActive: boolean
  /** Day index of the last loaded day on sale: the as-of day, or the last day on sale. */
  lastLoadedDay: number
  /** ISO date of the last loaded day on sale. */
  lastLoadedDate: string
  /** ISO date of the game's last day on sale, `null` while it is on sale. */
  endDate: string | null
  /** Tiers with the remaining counts last published (after its end, for a game still listed). */
  tiers: PrizeTier[]
  /** Published snapshots within the window, oldest first. */
  snapshots: Snapshot[]
  /** Hidden truth on the last loaded day. */
  truth: GameTruth
}

/** The days of a game that go into the database. */
export interface LoadedSpan {
  /** On sale on the as-of day. */
  isActive: boolean
  /** First loaded day and last loaded day on sale, both inclusive. */
  firstLoadedDay: number
  lastLoadedDay: number
  /**
   * Last day whose published counts are loaded: `lastLoadedDay`, or later for an ended game
   * the lottery still lists (its counts fall as late winners claim).
   */
  lastSnapshotDay: number
}

/**
 * Which days of `game` the window holds, or `null` when the game is not in it: not yet on sale
 * on the as-of day, ended (and no longer listed) before the window, or ended within it while
 * ended games are left out.
 */
export function loadedSpan(game: SimulatedGame, window: HistoryWindow): LoadedSpan | null {
  const { asOfDay, historyDays, includeEndedGames } = window
  const firstWindowDay = asOfDay - historyDays + 1
  if (game.firstDay > asOfDay || game.recordedLastDay < firstWindowDay) return null
  const isActive = game.lastDay >= asOfDay
  if (!isActive && !includeEndedGames) return null
  return {
    isActive,
    firstLoadedDay: Math.max(game.firstDay, firstWindowDay),
    lastLoadedDay: Math.min(game.lastDay, asOfDay),
    lastSnapshotDay: Math.min(game.recordedLastDay, asOfDay),
  }
}

/** The rows of `game` for the window, or `null` when it is not in it (see {@link loadedSpan}). */
export function gameRowsAsOf(game: SimulatedGame, window: HistoryWindow): GameRowsAsOf | null {
  const span = loadedSpan(game, window)
  if (span === null) return null
  const lastLoadedDate = addDays(game.startDate, span.lastLoadedDay)
  const firstLoadedDate = addDays(game.startDate, span.firstLoadedDay)
  return {
    facts: { ...game.facts },
    isActive: span.isActive,
    lastLoadedDay: span.lastLoadedDay,
    lastLoadedDate,
    endDate: span.isActive ? null : lastLoadedDate,
    tiers: publishedTiersOn(game, span.lastSnapshotDay),
    snapshots: snapshotHistory(game, span.lastSnapshotDay)
      .filter((snapshot) => snapshot.snapshotDate >= firstLoadedDate),
    truth: gameTruth(game, span.lastLoadedDay),
  }
}
