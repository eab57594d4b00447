/**
 * The `scoring_runs` log: admitting a run (`private.start_scoring_run`: no other running run may
 * score one of its games for the same date), renewing its lease while it works, and closing it.
 * Every call is one statement on the pool: a run never holds a connection, so it never waits for
 * one that another run holds, and a connection lost mid-run takes nothing with it but the
 * statement it was running. A run whose function stops renewing its lease (killed, cut off) is
 * closed as `abandoned` by the database's sweep (private.sweep_abandoned_runs).
 */
import type { Sql } from 'postgres'
import type { RunScope } from './run-inputs.ts'
import { type Prediction, predictionUpsert } from './prediction-store.ts'
import type { ScopeWarning } from './scope-warnings.ts'

/** The scope as stored in `scoring_runs.scope`: absent keys mean "all". */
export function scopeJson(scope: RunScope): { states?: string[]; game_ids?: number[] } {
  return {
    ...(scope.states ? { states: scope.states } : {}),
    ...(scope.gameIds ? { game_ids: scope.gameIds } : {}),
  }
}

/** A run to admit. */
export interface RunStart {
  trigger: string
  scope: RunScope
  predictionDate: string
  /** How long the run stays `running` without a renewal. */
  leaseSeconds: number
  /** The X-Scoring-Request-Token of the request, recorded on the run. */
  requestToken?: string | null
}

/** The new run's id, or the id of the running run that already scores some of its games. */
export type Admitted = { runId: string; runningRunId: null } | {
  runId: null
  runningRunId: string
}

/** Admits a run and opens its `running` row, unless an overlapping run is running. */
export async function startRun(sql: Sql, run: RunStart): Promise<Admitted> {
  const [row] = await sql<{ run_id: string | null; running_run_id: string | null }[]>`
    select run_id, running_run_id
    from private.start_scoring_run(
      ${run.trigger}::public.scoring_trigger,
      ${sql.json(scopeJson(run.scope))}::jsonb,
      ${run.predictionDate}::date,
      ${run.leaseSeconds}::int,
      ${run.requestToken ?? null}::uuid
    )`
  if (row?.run_id) return { runId: row.run_id, runningRunId: null }
  if (row?.running_run_id) return { runId: null, runningRunId: row.running_run_id }
  throw new Error('Cannot start a run: private.start_scoring_run returned no row')
}

/**
 * Extends a running run's lease. Skips a row locked by its own closing statement; false when the
 * run is no longer running (closed, or swept as abandoned).
 */
export async function renewLease(sql: Sql, runId: string, leaseSeconds: number): Promise<boolean> {
  const [row] = await sql<{ running: boolean }[]>`
    with renewed as (
      update public.scoring_runs
      set lease_expires_at = clock_timestamp() + make_interval(secs => ${leaseSeconds}::int)
      where id = (
        select id from public.scoring_runs
        where id = ${runId} and status = 'running'
        for update skip locked
      )
      returning id
    )
    select exists (select 1 from renewed)
      or exists (select 1 from public.scoring_runs where id = ${runId} and status = 'running')
      as running`
  return row?.running ?? false
}

/** What a run did, for closing its row. */
export interface RunOutcome {
  status: 'succeeded' | 'partial' | 'failed'
  modelVersion: string | null
  scoredCount: number
  skipped: Array<{ game_id: number; reason: string; message: string }>
  error: string | null
  timingsMs: Record<string, number>
  /** What the request named that matched nothing (the answer's `warnings`); default none. */
  warnings?: readonly ScopeWarning[]
}

/** The `update` that closes a run if it is still running, as a fragment of a statement. */
function closeRun(sql: Sql, runId: string, outcome: RunOutcome) {
  return sql`
    update public.scoring_runs
    set status = ${outcome.status}::public.scoring_status,
      model_version = ${outcome.modelVersion},
      scored_count = ${outcome.scoredCount},
      skipped_count = ${outcome.skipped.length},
      skipped_reasons = ${sql.json(outcome.skipped)}::jsonb,
      error = ${outcome.error},
      timings_ms = ${sql.json(outcome.timingsMs)}::jsonb,
      warnings = ${sql.json((outcome.warnings ?? []).map((warning) => ({ ...warning })))}::jsonb,
      lease_expires_at = null,
      finished_at = now()
    where id = ${runId} and status = 'running'`
}

/** Closes a run's row, if it is still running (a closed run is never re-closed). */
export async function finishRun(sql: Sql, runId: string, outcome: RunOutcome): Promise<void> {
  await closeRun(sql, runId, outcome)
}

/**
 * Closes a run and writes its predictions in ONE statement (so in one transaction, with no
 * connection held across statements): the rows are written only if the run was still running,
 * and the run is closed only with them. False when the run was no longer running (swept as
 * abandoned: its lease expired or the database restarted), in which case nothing was written.
 */
export async function closeRunWithPredictions(
  sql: Sql,
  run: { runId: string; predictionDate: string; modelVersion: string },
  outcome: RunOutcome,
  predictions: readonly Prediction[],
): Promise<boolean> {
  const [row] = await sql<{ closed: boolean }[]>`
    with closed as (
      ${closeRun(sql, run.runId, outcome)}
      returning id
    ),
    written as (
      ${predictionUpsert(sql, run, predictions, sql`exists (select 1 from closed)`)}
      returning 1
    )
    select exists (select 1 from closed) as closed, (select count(*) from written) as written`
  return row?.closed ?? false
}
