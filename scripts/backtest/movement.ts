/**
 * How a backtest's estimates moved: day over day (the games scored on both days), and against
 * the rows stored for the same day and model before it ran (a row written with later data than
 * its day, as runs did before dates meant what they say, differs from its rescoring).
 */
import type { BacktestDay, GameScore } from './backtest.ts'

/** A summary of the differences between two sets of scores of the same games. */
export interface ScoreDifferences {
  /** Games in both. */
  compared: number
  meanAbsChange: number
  maxAbsChange: number
  /** Games whose expected return differs by more than 0.0001 per $1. */
  changed: number
  recommendationChanges: number
}

/** One day of the report. */
export interface DayMovement {
  date: string
  runId: string | null
  scored: number
  skipped: Record<string, number>
  meanExpectedReturn: number | null
  /** Against the day before (null on the first day). */
  sincePreviousDay: ScoreDifferences | null
  /** Against the rows stored before the backtest (null when there were none). */
  vsStored: ScoreDifferences | null
}

/** A game's largest day-over-day move. */
export interface LargestMove {
  gameId: number
  from: string
  to: string
  before: number
  after: number
}

/** The whole report. */
export interface MovementReport {
  modelVersion: string
  days: DayMovement[]
  largestMoves: LargestMove[]
}

const CHANGE_TOLERANCE = 0.0001

/** Differences of the games both maps hold, or null when they share none. */
export function differences(
  before: Map<number, GameScore>,
  after: Map<number, GameScore>,
): ScoreDifferences | null {
  let compared = 0
  let total = 0
  let max = 0
  let changed = 0
  let recommendationChanges = 0
  for (const [gameId, score] of after) {
    const earlier = before.get(gameId)
    if (!earlier) continue
    const change = Math.abs(score.expectedReturn - earlier.expectedReturn)
    compared++
    total += change
    max = Math.max(max, change)
    if (change > CHANGE_TOLERANCE) changed++
    if (score.recommendation !== earlier.recommendation) recommendationChanges++
  }
  if (compared === 0) return null
  return {
    compared,
    meanAbsChange: total / compared,
    maxAbsChange: max,
    changed,
    recommendationChanges,
  }
}

function countByReason(day: BacktestDay): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const game of day.skipped) counts[game.reason] = (counts[game.reason] ?? 0) + 1
  return counts
}

/** The movement report of a backtest's days (oldest first). */
export function movementReport(days: readonly BacktestDay[], largest = 10): MovementReport {
  const moves: LargestMove[] = []
  const movements = days.map((day, index): DayMovement => {
    const previous = days[index - 1]
    if (previous) {
      for (const [gameId, score] of day.scores) {
        const earlier = previous.scores.get(gameId)
        if (earlier) {
          moves.push({
            gameId,
            from: previous.date,
            to: day.date,
            before: earlier.expectedReturn,
            after: score.expectedReturn,
          })
        }
      }
    }
    const returns = [...day.scores.values()].map((score) => score.expectedReturn)
    return {
      date: day.date,
      runId: day.runId,
      scored: day.scores.size,
      skipped: countByReason(day),
      meanExpectedReturn: returns.length === 0
        ? null
        : returns.reduce((sum, value) => sum + value, 0) / returns.length,
      sincePreviousDay: previous ? differences(previous.scores, day.scores) : null,
      vsStored: differences(day.storedBefore, day.scores),
    }
  })
  const size = (move: LargestMove) => Math.abs(move.after - move.before)
  return {
    modelVersion: days[0]?.modelVersion ?? '',
    days: movements,
    largestMoves: moves.sort((a, b) => size(b) - size(a)).slice(0, largest),
  }
}
