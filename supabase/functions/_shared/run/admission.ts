/**
 * Admission of runs into one function instance: a bounded number of runs (dry or not) in flight,
 * and a bound on the games in scope of those runs together, since a run's memory grows with its
 * games (docs/benchmarks.md) and an Edge Function instance has 256 MB. A request over either
 * bound is answered at once (429 `scorer_busy` with `Retry-After`), never queued behind an open
 * socket; a request whose scope alone exceeds the games bound can never run here (422
 * `scope_too_large`: split it by state). State lives per instance, in memory: the checks and
 * updates are synchronous, so concurrent requests cannot both take the last place.
 */
import { ScoringError } from '../http/errors.ts'

/** The bounds of one instance. */
export interface AdmissionLimits {
  /** Runs in flight at once. */
  maxRuns: number
  /** Games in scope of all runs in flight together. */
  maxGames: number
  /** What a refused caller is told to wait before retrying, in seconds. */
  retryAfterSeconds: number
}

/** A place taken by one run; released when the run ends, whatever happened. */
export interface RunSlot {
  /**
   * Claims `games` (the run's games in scope) of the games bound. Throws 422 when the run alone
   * exceeds it, 429 when the runs in flight leave too little.
   */
  holdGames(games: number): void
  /** Gives the place and its games back (once; later calls do nothing). */
  release(): void
}

/** The admission of one instance. */
export interface Admission {
  /** Takes a place for a run, or throws 429 when `maxRuns` are in flight. */
  enter(): RunSlot
  /** What is in flight now. */
  inFlight(): { runs: number; games: number }
}

/** Creates the admission of an instance. */
export function createAdmission(limits: AdmissionLimits): Admission {
  let runs = 0
  let games = 0

  function busy(message: string): ScoringError {
    return new ScoringError('scorer_busy', 429, message, {
      retry_after_seconds: limits.retryAfterSeconds,
      runs_in_flight: runs,
      games_in_flight: games,
    })
  }

  return {
    enter() {
      if (runs >= limits.maxRuns) {
        throw busy(
          `This instance is running ${runs} scoring runs, its limit: retry in ` +
            `${limits.retryAfterSeconds} s`,
        )
      }
      runs += 1
      let held = 0
      let released = false
      return {
        holdGames(count) {
          if (released) throw new Error('Cannot hold games: the run slot was released')
          if (count > limits.maxGames) {
            throw new ScoringError(
              'scope_too_large',
              422,
              `The request covers ${count} active games; one invocation scores at most ` +
                `${limits.maxGames} within the Edge Function's memory: request fewer states`,
              { games_in_scope: count, max_games: limits.maxGames },
            )
          }
          if (games - held + count > limits.maxGames) {
            throw busy(
              `This instance is scoring ${games - held} games in other runs; ${count} more ` +
                `would exceed its ${limits.maxGames}: retry in ${limits.retryAfterSeconds} s`,
            )
          }
          games += count - held
          held = count
        },
        release() {
          if (released) return
          released = true
          runs -= 1
          games -= held
        },
      }
    },
    inFlight: () => ({ runs, games }),
  }
}
