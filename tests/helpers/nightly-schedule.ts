/** Helpers for the nightly schedule's integration tests (pg_cron, pg_net stand-in, Vault). */
import type postgres from 'postgres'
import { z } from 'zod'
import { localServiceRoleKey } from '../../scripts/local-stack/config.ts'
import { setLocalVaultSecrets, setVaultSecrets } from '../../scripts/local-stack/vault.ts'

/** Points the Vault secret project_url (and the key) at another endpoint. */
export function pointVaultAt(projectUrl: string, serviceRoleKey = localServiceRoleKey): void {
  setVaultSecrets({ projectUrl, serviceRoleKey })
}

/** Restores the local stack's Vault secrets (the local function and key). */
export function restoreLocalVault(): void {
  setLocalVaultSecrets()
}

const healthSchema = z.object({
  state: z.string(),
  active_games: z.number(),
  last_request_id: z.coerce.number().nullable(),
  last_request_status: z.enum(['pending', 'succeeded', 'failed']).nullable(),
  last_request_failure: z.enum(['http_error', 'timed_out', 'error', 'no_response']).nullable(),
  last_request_http_status: z.number().nullable(),
  last_request_error: z.string().nullable(),
  last_succeeded_run_id: z.string().nullable(),
  last_request_run_id: z.string().nullable(),
  stale: z.boolean(),
  night_status: z.enum(['done', 'pending', 'retried', 'failed']).nullable(),
  night_attempts: z.number().nullable(),
  night_run_id: z.string().nullable(),
  last_run_status: z.string().nullable(),
  healthy: z.boolean(),
  problem: z.string().nullable(),
})

/** One row of scoring_health. */
export type StateHealth = z.infer<typeof healthSchema>

/** The scoring_health rows of every state, read as service_role (the only API role allowed to). */
export async function health(sql: postgres.Sql): Promise<StateHealth[]> {
  const rows = await sql.begin(async (tx) => {
    await tx`set local role service_role`
    return await tx`select * from public.scoring_health order by state`
  })
  return rows.map((row) => healthSchema.parse(row))
}

/** The scoring_health row of a state. */
export async function healthOf(sql: postgres.Sql, state: string): Promise<StateHealth | undefined> {
  return (await health(sql)).find((row) => row.state === state)
}

/** The command of a pg_cron job, as pg_cron runs it. */
export async function cronCommand(sql: postgres.Sql, jobname: string): Promise<string> {
  const [job] = await sql<{ command: string }[]>`
    select command from cron.job where jobname = ${jobname}`
  if (!job) throw new Error(`The ${jobname} job is not scheduled`)
  return job.command
}

/**
 * Plays tonight to its end as the dispatch job would, without waiting for its minutes: whenever
 * no request of the night is in flight any more, runs the score-games-dispatch job's own command,
 * until it sends nothing. Returns how many times it dispatched.
 */
export async function dispatchUntilSettled(
  sql: postgres.Sql,
  options: { predictionDate: string; timeoutMs: number },
): Promise<number> {
  const dispatch = await cronCommand(sql, 'score-games-dispatch')
  const deadline = Date.now() + options.timeoutMs
  for (let rounds = 0;; rounds++) {
    for (;;) {
      await sql`select private.capture_scoring_responses()`
      const [row] = await sql<{ in_flight: number }[]>`
        select count(*)::int as in_flight from private.scoring_requests
        where prediction_date = ${options.predictionDate}::date and outcome is null`
      if (row?.in_flight === 0) break
      if (Date.now() > deadline) throw new Error('The night did not settle in time')
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    const sent = await sql.unsafe(dispatch)
    if (sent.length === 0) return rounds
  }
}

/**
 * Waits until pg_net (the local stand-in) has answered the request `netRequestId`, captures the
 * outcome into private.scoring_requests as the capture job would, and returns the state's health.
 */
export async function healthOnceAnswered(
  sql: postgres.Sql,
  options: { state: string; netRequestId: number; timeoutMs: number },
): Promise<StateHealth | undefined> {
  const deadline = Date.now() + options.timeoutMs
  for (;;) {
    const [answered] = await sql<{ count: number }[]>`
      select count(*)::int as count from net._http_response where id = ${options.netRequestId}`
    if ((answered?.count ?? 0) > 0) break
    if (Date.now() > deadline) {
      throw new Error(`pg_net recorded no response to request ${options.netRequestId} in time`)
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  await sql`select private.capture_scoring_responses()`
  return await healthOf(sql, options.state)
}

/** Sends score-games requests for these states as service_role; returns the pg_net request ids. */
export async function requestScoring(
  sql: postgres.Sql,
  options: { states: string[]; timeoutMs: number },
): Promise<number[]> {
  const rows = await sql.begin(async (tx) => {
    await tx`set local role service_role`
    return await tx<{ net_request_id: string }[]>`
      select net_request_id
      from private.request_scoring(${options.states}::text[], ${options.timeoutMs})`
  })
  return rows.map((row) => Number(row.net_request_id))
}
