/**
 * pg_cron itself fires the nightly job's command (scheduled here for every minute, as pg_cron 1.4
 * has no seconds schedules); it opens tonight and sends its first wave, one request per state for
 * the first 8 states (max_in_flight), which reach the real score-games function (served by Deno)
 * through the pg_net stand-in, and a succeeded `cron` run per state of that wave arrives in
 * scoring_runs, each scoring exactly the state's active games: the whole cron path on the local
 * stack, within 70 seconds. The dispatch job, which sends the other states a minute later, is
 * paused meanwhile (cron-function.test.ts plays a whole night).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FunctionServer } from '../scripts/local-stack/function-server.ts'
import { todayInChicago } from '../supabase/functions/_shared/http/request.ts'
import { connect } from './helpers/database.ts'
import { activateFixtureModel, removeModel } from './helpers/fixture-model.ts'
import { serveFunction } from './helpers/function.ts'
import { cronCommand, pointVaultAt, restoreLocalVault } from './helpers/nightly-schedule.ts'

const testJob = 'score-games-test-every-minute'
const modelVersion = 'pg-cron-fixture'
/** The nightly job's first wave: start_nightly_scoring's default max_in_flight. */
const firstWave = 8
const tonight = todayInChicago()
const sql = connect()
let server: FunctionServer

async function unscheduleTestJob(): Promise<void> {
  await sql`select cron.unschedule(jobid) from cron.job where jobname = ${testJob}`
}

async function pauseDispatchJob(paused: boolean): Promise<void> {
  await sql`update cron.job set active = ${!paused} where jobname = 'score-games-dispatch'`
}

beforeAll(async () => {
  await activateFixtureModel(sql, modelVersion)
  await sql`delete from private.scoring_nights`
  await sql`delete from private.scoring_requests where prediction_date = ${tonight}::date`
  await sql`delete from public.scoring_runs where prediction_date = ${tonight}::date`
  await pauseDispatchJob(true)
  server = await serveFunction()
  pointVaultAt(server.url.replace(/\/functions\/v1\/score-games$/, ''))
})

afterAll(async () => {
  await unscheduleTestJob()
  await sql`delete from private.scoring_nights`
  await pauseDispatchJob(false)
  restoreLocalVault()
  await server?.stop()
  await removeModel(sql, modelVersion)
  await sql.end()
})

describe('pg_cron', () => {
  it('fires the nightly command on schedule and a cron run per state of its first wave arrives', async () => {
    const nightly = await cronCommand(sql, 'score-games-nightly')
    const activeStates = await sql<{ state: string; games: number }[]>`
      select state, count(*)::int as games from public.games where is_active
      group by state order by state`
    expect(activeStates.length).toBeGreaterThan(firstWave)
    const wave = activeStates.slice(0, firstWave)
    const cronRuns = () =>
      sql<{ state: string; status: string; scored: number }[]>`
        select scope -> 'states' ->> 0 as state, status::text, scored_count as scored
        from public.scoring_runs
        where trigger = 'cron' and prediction_date = ${tonight}::date
        order by 1`

    const [job] = await sql<{ jobid: string }[]>`
      select cron.schedule(${testJob}, '* * * * *', ${nightly}) as jobid`
    // At most a minute until pg_cron fires, then seconds for the runs to finish.
    await expect.poll(async () => {
      const runs = await cronRuns()
      return runs.every((run) => run.status !== 'running') ? runs.map((run) => run.state) : []
    }, { timeout: 70_000, interval: 500 }).toEqual(wave.map((row) => row.state))
    await unscheduleTestJob()
    expect(await cronRuns()).toEqual(
      wave.map((row) => ({ state: row.state, status: 'succeeded', scored: row.games })),
    )

    // pg_cron closed its own run record after the job's transaction committed.
    const [details] = await sql<{ status: string; return_message: string }[]>`
      select details.status, details.return_message
      from cron.job_run_details as details
      where details.jobid = ${job?.jobid ?? '0'}::bigint
      order by details.runid
      limit 1`
    expect(details).toEqual({ status: 'succeeded', return_message: `SELECT ${firstWave}` })
  })
})
