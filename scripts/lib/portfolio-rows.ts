/**
 * What the database holds about a simulated game as of one day: its `games` row, its
 * `prize_tiers`, its recent `historical_snapshots` and, kept apart, the hidden truth. The rows
 * come from the simulator's own views (`observeGame`, `gameTruth`), so what is loaded is exactly
 * what the scorer would have seen. Shared by the loader (COPY into Postgres) and the seed
 * generator (SQL text).
 */
import { addDays } from '../../supabase/functions/_shared/calendar.ts'
import {
  type GameTruth,
  gameTruth,
  observeGame,
} from '../../supabase/functions/_shared/observations.ts'
import type { SimulatedGame } from '../../supabase/functions/_shared/simulator.ts'
import type { GameFacts, PrizeTier, Snapshot } from '../../supabase/functions/_shared/types.ts'

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
  /** Day index of the last loaded day: the as-of day, or the last day on sale. */
  lastLoadedDay: number
  /** ISO date of the last loaded day. */
  lastLoadedDate: string
  /** ISO date of the game's last day on sale, `null` while it is on sale. */
  endDate: string | null
  /** Tiers with the remaining counts published on the last loaded day. */
  tiers: PrizeTier[]
  /** Published snapshots within the window, oldest first. */
  snapshots: Snapshot[]
  /** Hidden truth on the last loaded day. */
  truth: GameTruth
}

/**
 * The rows of `game` for the window, or `null` when the game is not in it: not yet on sale on
 * the as-of day, ended before the window, or ended within it while ended games are left out.
 */
export function gameRowsAsOf(game: SimulatedGame, window: HistoryWindow): GameRowsAsOf | null {
  const { asOfDay, historyDays, includeEndedGames } = window
  const firstWindowDay = asOfDay - historyDays + 1
  if (game.firstDay > asOfDay || game.lastDay < firstWindowDay) return null
  const isActive = game.lastDay >= asOfDay
  if (!isActive && !includeEndedGames) return null
  const lastLoadedDay = Math.min(game.lastDay, asOfDay)
  const observation = observeGame(game, lastLoadedDay)
  const firstWindowDate = addDays(game.startDate, firstWindowDay)
  return {
    facts: observation.game,
    isActive,
    lastLoadedDay,
    lastLoadedDate: observation.asOfDate,
    endDate: isActive ? null : observation.asOfDate,
    tiers: observation.tiers,
    snapshots: observation.snapshots.filter((snapshot) => snapshot.snapshotDate >= firstWindowDate),
    truth: gameTruth(game, lastLoadedDay),
  }
}
