/**
 * The function's Postgres client, replaceable. A run whose deadline passed may leave a statement
 * stuck on a socket that will never answer (a frozen backend, a network partition); postgres.js
 * would keep that connection in its pool, and queue or pipeline later statements behind it. So
 * the run retires the client: new runs get a fresh one at once, runs already in flight finish on
 * the old one (each within its own deadline), and once the last is done the old client is ended
 * with a grace period, after which its stuck sockets are destroyed.
 *
 * A run also says which of its statements it gave up: one still waiting for a connection is
 * cancelled by postgres.js (`.cancel()`, which then needs no network); one running on a backend
 * is cancelled by `pg_cancel_backend` over the fresh client (a backend that is frozen acts on it
 * once it runs again). postgres.js's own cancel of a running statement opens a connection and
 * drops the promise that reports its failure: with the database unreachable that would be an
 * unhandled rejection, which ends a Deno process.
 */
import type { PendingQuery, Row, Sql } from 'postgres'

/** The client of a run, counted as in use until `done`. */
export interface PooledClient {
  readonly sql: Sql
  /**
   * Replaces this client for new runs (if it is still the current one) and returns the fresh
   * client. This one is ended once every run using it is done.
   */
  retire(): Sql
  /** The run is over (call once, whatever happened). */
  done(): void
}

/** Where runs take their client. */
export interface DatabasePool {
  take(): PooledClient
}

interface Generation {
  sql: Sql
  users: number
  retired: boolean
}

/** Options of {@link createDatabasePool}. */
export interface PoolOptions {
  /** Seconds a retired client's statements get to finish before its sockets are destroyed. */
  graceSeconds: number
  log(entry: Record<string, unknown>): void
}

/** A pool of clients made by `open`, replaced when a run retires one. */
export function createDatabasePool(open: () => Sql, options: PoolOptions): DatabasePool {
  let current: Generation = { sql: open(), users: 0, retired: false }

  function endIfUnused(generation: Generation): void {
    if (!generation.retired || generation.users > 0) return
    generation.sql.end({ timeout: options.graceSeconds }).then(
      () => options.log({ event: 'database_client_ended' }),
      (error) => options.log({ event: 'database_client_end_failed', error: String(error) }),
    )
  }

  return {
    take() {
      const generation = current
      generation.users += 1
      let finished = false
      return {
        sql: generation.sql,
        retire() {
          if (generation === current) {
            generation.retired = true
            current = { sql: open(), users: 0, retired: false }
            options.log({ event: 'database_client_retired', runs_still_on_it: generation.users })
          }
          return current.sql
        },
        done() {
          if (finished) return
          finished = true
          generation.users -= 1
          endIfUnused(generation)
        },
      }
    },
  }
}

/** One client for every run, never replaced (scripts that run in their own process). */
export function singleClient(sql: Sql): DatabasePool {
  return { take: () => ({ sql, retire: () => sql, done: () => {} }) }
}

/**
 * What postgres.js 3.4.9 (pinned) keeps on a query and these functions read: whether it was
 * sent for execution, whether a connection runs it now, and that connection's backend.
 */
interface QueryProgress {
  executed?: boolean
  active?: boolean
  state?: { pid?: number } | null
}

/** A run's view of its client: statements refused once the deadline passed, and remembered. */
export interface TrackedClient {
  readonly sql: Sql
  /**
   * Cancels this run's statements that have not finished: those waiting for a connection at
   * once, those running through `cancelWith` (another client). Never throws or rejects.
   */
  cancelUnfinished(cancelWith: Sql, log: (entry: Record<string, unknown>) => void): void
}

/** Wraps `sql` for one run: every statement made through it is remembered; `check` may refuse. */
export function trackQueries(sql: Sql, check: () => void): TrackedClient {
  // Weakly held: a statement that finished, and its rows and parameters, are not kept alive
  // until the run ends (a 5,000-game read and write would stay in memory side by side).
  const queries: WeakRef<PendingQuery<Row[]>>[] = []
  const tracked = new Proxy(sql, {
    apply(target, self, args) {
      check()
      const made: unknown = Reflect.apply(target, self, args)
      if (made instanceof Promise) queries.push(new WeakRef(made as PendingQuery<Row[]>))
      return made
    },
  })
  return {
    sql: tracked,
    cancelUnfinished(cancelWith, log) {
      for (const ref of queries) {
        const query = ref.deref()
        if (!query) continue // finished and collected
        const progress = query as unknown as QueryProgress
        if (!progress.executed) continue // a fragment, or a statement never sent
        if (progress.active && typeof progress.state?.pid === 'number') {
          const pid = progress.state.pid
          cancelWith`select pg_cancel_backend(${pid})`.then(
            () => log({ event: 'run_statement_cancel_sent', pid }),
            (error) => log({ event: 'run_statement_cancel_failed', pid, error: String(error) }),
          )
        } else if (!progress.state) {
          // Still queued for a connection: postgres.js rejects it at once, with no network.
          query.cancel()
        }
      }
    },
  }
}
