/**
 * The `scoring_runs` log and the per-scope advisory lock that keeps two runs of the same scope
 * from overlapping. The lock is a session lock held on one reserved connection for the whole run,
 * so it is released by Postgres itself if the function dies mid-run.
 */
import type { ReservedSql, Sql, TransactionSql } from 'postgres'
import type { RunScope } from './run-inputs.ts'

/** Advisory-lock namespace of the scorer (first key of the two-key lock). */
const LOCK_NAMESPACE = 7_301_965

/** The scope as stored in `scoring_runs.scope`: absent keys mean "all". */
export function scopeJson(scope: RunScope): { states?: string[]; game_ids?: number[] } {
  return {
    ...(scope.states ? { states: scope.states } : {}),
    ...(scope.gameIds ? { game_ids: scope.gameIds } : {}),
  }
}

/** Tries to take the scope's lock; true when this connection now holds it. */
export async function tryLockScope(sql: ReservedSql, scope: RunScope): Promise<boolean> {
  const key = JSON.stringify(scopeJson(scope))
  const [row] = await sql<{ locked: boolean }[]>`
    select pg_try_advisory_lock(${LOCK_NAMESPACE}, hashtext(${key})) as locked`
  return row?.locked ?? false
}

/** Releases the scope's lock held by this connection. */
export async function unlockScope(sql: ReservedSql, scope: RunScope): Promise<void> {
  const key = JSON.stringify(scopeJson(scope))
  await sql`select pg_advisory_unlock(${LOCK_NAMESPACE}, hashtext(${key}))`
}

/**
 * The id of the run of this scope that is running now, if its row is visible yet (the holder of
 * the lock inserts it right after taking the lock, so this waits briefly for it).
 */
export async function runningRunId(sql: Sql, scope: RunScope): Promise<string | null> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const [row] = await sql<{ id: string }[]>`
      select id from public.scoring_runs
      where status = 'running' and scope = ${sql.json(scopeJson(scope))}::jsonb
      order by started_at desc
      limit 1`
    if (row) return row.id
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return null
}

/**
 * Opens a run: inserts its `running` row, and closes as failed any older `running` row of the
 * same scope (left by a function that died: we hold the lock, so nobody else is running it).
 */
export async function startRun(
  sql: ReservedSql,
  run: { trigger: string; scope: RunScope; predictionDate: string },
): Promise<string> {
  const scope = sql.json(scopeJson(run.scope))
  const [row] = await sql<{ id: string }[]>`
    with abandoned as (
      update public.scoring_runs
      set status = 'failed', finished_at = now(),
        error = 'Abandoned: the run stopped without closing its row'
      where status = 'running' and scope = ${scope}::jsonb
    )
    insert into public.scoring_runs (trigger, scope, prediction_date, status)
    values (${run.trigger}::public.scoring_trigger, ${scope}::jsonb, ${run.predictionDate}::date, 'running')
    returning id`
  if (!row) throw new Error('Cannot start a run: insert returned no row')
  return row.id
}

/** What a run did, for closing its row. */
export interface RunOutcome {
  status: 'succeeded' | 'partial' | 'failed'
  modelVersion: string | null
  scoredCount: number
  skipped: Array<{ game_id: number; reason: string; message: string }>
  error: string | null
  timingsMs: Record<string, number>
}

/**
 * Closes a run's row, if it is still running (a closed run is never re-closed). Pass the
 * transaction when the close must commit with the predictions.
 */
export async function finishRun(
  sql: Sql | ReservedSql | TransactionSql,
  runId: string,
  outcome: RunOutcome,
): Promise<void> {
  await sql`
    update public.scoring_runs
    set status = ${outcome.status}::public.scoring_status,
      model_version = ${outcome.modelVersion},
      scored_count = ${outcome.scoredCount},
      skipped_count = ${outcome.skipped.length},
      skipped_reasons = ${sql.json(outcome.skipped)}::jsonb,
      error = ${outcome.error},
      timings_ms = ${sql.json(outcome.timingsMs)}::jsonb,
      finished_at = now()
    where id = ${runId} and status = 'running'`
}
