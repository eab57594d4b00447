/**
 * pg_cron itself fires the nightly job's command (scheduled here for every minute, as pg_cron 1.4
 * has no seconds schedules); its requests reach the real score-games function (served by Deno)
 * through the pg_net stand-in, and a `cron` run per active state arrives in scoring_runs: the
 * whole cron path on the local stack, within 70 seconds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FunctionServer } from '../scripts/local-stack/function-server.ts'
import { connect } from './helpers/database.ts'
import { activateFixtureModel, removeModel } from './helpers/fixture-model.ts'
import { serveFunction } from './helpers/function.ts'
import { pointVaultAt, restoreLocalVault } from './helpers/nightly-schedule.ts'

const testJob = 'score-games-test-every-minute'
const modelVersion = 'pg-cron-fixture'
const sql = connect()
let server: FunctionServer

async function unscheduleTestJob(): Promise<void> {
  await sql`select cron.unschedule(jobid) from cron.job where jobname = ${testJob}`
}

beforeAll(async () => {
  await activateFixtureModel(sql, modelVersion)
  server = await serveFunction()
  pointVaultAt(server.url.replace(/\/functions\/v1\/score-games$/, ''))
})

afterAll(async () => {
  await unscheduleTestJob()
  restoreLocalVault()
  await server?.stop()
  await removeModel(sql, modelVersion)
  await sql.end()
})

describe('pg_cron', () => {
  it('fires the nightly command on schedule and a cron run per active state arrives', async () => {
    const [nightly] = await sql<{ command: string }[]>`
      select command from cron.job where jobname = 'score-games-nightly'`
    if (!nightly) throw new Error('The score-games-nightly job is not scheduled')
    const activeStates = (await sql<{ state: string }[]>`
      select distinct state from public.games where is_active order by state`).map((row) =>
      row.state
    )
    expect(activeStates.length).toBeGreaterThan(0)
    const [mark] = await sql<{ now: Date }[]>`select now()`
    const cronRuns = () =>
      sql<{ state: string; status: string }[]>`
        select scope -> 'states' ->> 0 as state, status::text
        from public.scoring_runs
        where trigger = 'cron' and started_at >= ${mark?.now ?? new Date(0)}
        order by 1`

    const [job] = await sql<{ jobid: string }[]>`
      select cron.schedule(${testJob}, '* * * * *', ${nightly.command}) as jobid`
    // At most a minute until pg_cron fires, then seconds for the runs to finish.
    await expect.poll(async () => {
      const runs = await cronRuns()
      return runs.every((run) => run.status !== 'running') ? runs.map((run) => run.state) : []
    }, { timeout: 70_000, interval: 500 }).toEqual(activeStates)
    await unscheduleTestJob()
    for (const run of await cronRuns()) expect(['succeeded', 'partial']).toContain(run.status)

    // pg_cron closed its own run record after the job's transaction committed.
    const [details] = await sql<{ status: string; return_message: string }[]>`
      select details.status, details.return_message
      from cron.job_run_details as details
      where details.jobid = ${job?.jobid ?? '0'}::bigint
      order by details.runid
      limit 1`
    expect(details).toEqual({
      status: 'succeeded',
      return_message: `SELECT ${activeStates.length}`,
    })
  })
})
