/**
 * A run's deadline, below the Edge Runtime's wall clock: a statement timeout runs in the server,
 * so it cannot end a wait on a server that stopped answering (a network partition, a hung
 * backend). The run races its work against the deadline; when it passes first the caller gets a
 * 503 `run_timeout` at once, and `onExpire` lets the run let go of what it holds (its lease, its
 * stuck statements, its pool). The work left behind may still settle later: its failure is
 * swallowed, so it can never be an unhandled rejection (which ends a Deno process).
 */
import { ScoringError } from '../http/errors.ts'
import { DATABASE_RETRY_AFTER_SECONDS } from './database-errors.ts'

/** One run's deadline. */
export interface RunDeadline {
  /** Whether the deadline has passed. */
  expired(): boolean
  /** Throws the run's `run_timeout` once the deadline has passed (before starting more work). */
  check(): void
  /** Settles as `work`, or rejects with `run_timeout` when the deadline passes first. */
  race<T>(work: Promise<T>): Promise<T>
  /** Stops the clock: the run is over (call it whatever happened). */
  clear(): void
}

/** The answer of a run whose deadline passed. */
export function runTimeout(seconds: number): ScoringError {
  return new ScoringError(
    'run_timeout',
    503,
    `The run did not finish within its ${seconds} s deadline (the database or Storage stopped ` +
      'answering) and was given up; retry later',
    { retry_after_seconds: DATABASE_RETRY_AFTER_SECONDS },
  )
}

/** Starts a run's clock; `onExpire` is called once, when the deadline passes. */
export function startDeadline(seconds: number, onExpire: () => void): RunDeadline {
  let expired = false
  let rejectExpiry: (error: ScoringError) => void = () => {}
  const expiry = new Promise<never>((_, reject) => {
    rejectExpiry = reject
  })
  // Only ever observed through `race`: unobserved, its rejection would end the process.
  expiry.catch(() => {})
  const timer = setTimeout(() => {
    expired = true
    try {
      onExpire()
    } finally {
      rejectExpiry(runTimeout(seconds))
    }
  }, seconds * 1000)
  return {
    expired: () => expired,
    check() {
      if (expired) throw runTimeout(seconds)
    },
    race<T>(work: Promise<T>): Promise<T> {
      // Work abandoned at the deadline settles whenever its stuck statement does: the race still
      // listens to it, so its failure then is handled (and ignored).
      return Promise.race([work, expiry])
    },
    clear: () => clearTimeout(timer),
  }
}
