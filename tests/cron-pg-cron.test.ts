/**
 * pg_cron itself fires the nightly job's command (scheduled here for every minute, as pg_cron 1.4
 * has no seconds schedules) and the requests arrive at a real HTTP endpoint through the pg_net
 * stand-in: the whole cron path on the local stack, within 70 seconds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect } from './helpers/database.ts'
import { type RecordingEndpoint, startRecordingEndpoint } from './helpers/recording-endpoint.ts'
import { pointVaultAt, restoreLocalVault } from './helpers/nightly-schedule.ts'

const state = 'QC'
const testJob = 'score-games-test-every-minute'
const sql = connect()
let endpoint: RecordingEndpoint

beforeAll(async () => {
  await sql`
    insert into public.games (state, game_number, game_name, ticket_price, overall_odds)
    values (${state}, 'CRON-2', 'pg_cron test', 2, 4.1)`
  endpoint = await startRecordingEndpoint()
  pointVaultAt(endpoint.projectUrl)
})

afterAll(async () => {
  await sql`select cron.unschedule(jobid) from cron.job where jobname = ${testJob}`
  restoreLocalVault()
  await endpoint.stop()
  await sql`delete from public.games where state = ${state}`
  await sql`delete from private.scoring_requests where state = ${state}`
  await sql.end()
})

describe('pg_cron', () => {
  it('fires the nightly command on schedule and one request per active state arrives', async () => {
    const [nightly] = await sql<{ command: string }[]>`
      select command from cron.job where jobname = 'score-games-nightly'`
    if (!nightly) throw new Error('The score-games-nightly job is not scheduled')
    const activeStates = (await sql<{ state: string }[]>`
      select distinct state from public.games where is_active order by state`).map((row) =>
      row.state
    )
    expect(activeStates).toContain(state)

    await sql`select cron.schedule(${testJob}, '* * * * *', ${nightly.command})`
    const first = await endpoint.waitForRequest({ after: 0, timeoutMs: 70_000 })
    expect(first.path).toBe('/functions/v1/score-games')
    // The other states' requests of the same run follow within moments.
    await endpoint.waitForRequest({ after: activeStates.length - 1, timeoutMs: 5_000 })
    const states = endpoint.received.slice(0, activeStates.length)
      .map((request) => (JSON.parse(request.body) as { states: string[] }).states[0])
      .sort()
    expect(states).toEqual(activeStates)

    // pg_cron closes its run record right after the job's transaction commits.
    await expect.poll(async () => {
      const [run] = await sql<{ status: string; return_message: string }[]>`
        select details.status, details.return_message
        from cron.job_run_details as details
        join cron.job on job.jobid = details.jobid
        where job.jobname = ${testJob}
        order by details.runid
        limit 1`
      return run
    }, { timeout: 5_000 }).toEqual({
      status: 'succeeded',
      return_message: `SELECT ${activeStates.length}`,
    })
  })
})
