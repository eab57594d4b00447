/**
 * The nightly schedule's migrations can be applied again (as a second `db push` or a re-run
 * would) without duplicating or changing any job.
 */
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { supabaseDir } from '../scripts/local-stack/config.ts'
import { applySqlFile } from '../scripts/local-stack/migrate.ts'
import { connect } from './helpers/database.ts'

const sql = connect()
const migrations = join(supabaseDir, 'migrations')
/**
 * The migrations that schedule jobs, in order (each later one re-schedules some by name), and
 * those that redefine what a job calls after them (20261203004200: the cleanup's function, which
 * 20261127001400 defines), as a re-run applies them: re-running only the earlier definition
 * would leave the database with one no deployment has.
 */
const rerunnable = [
  join(migrations, '20261127000900_cron_and_net_extensions.sql'),
  join(migrations, '20261127001300_nightly_schedule.sql'),
  join(migrations, '20261127001400_scheduling_log_retention.sql'),
  join(migrations, '20261203001600_paced_nightly_schedule.sql'),
  join(migrations, '20261203004200_prune_scoring_nights.sql'),
]
const expectedJobs = [
  { jobname: 'cron-job-run-details-cleanup', schedule: '30 7 * * *' },
  { jobname: 'score-games-capture-responses', schedule: '*/5 * * * *' },
  { jobname: 'score-games-dispatch', schedule: '* * * * *' },
  { jobname: 'score-games-nightly', schedule: '0 8 * * *' },
  { jobname: 'score-games-sweep-abandoned-runs', schedule: '* * * * *' },
]

async function jobs(): Promise<
  Array<{ jobid: string; jobname: string; schedule: string; command: string }>
> {
  return await sql`
    select jobid::text, jobname, schedule, command
    from cron.job
    where jobname = any(${expectedJobs.map((job) => job.jobname)}::text[])
    order by jobname, jobid`
}

afterAll(async () => {
  await sql.end()
})

describe('nightly schedule migrations', () => {
  it('schedule each job exactly once, and again exactly once after a second run', async () => {
    const once = await jobs()
    expect(once.map(({ jobname, schedule }) => ({ jobname, schedule }))).toEqual(expectedJobs)

    // Applied again in order, as a re-run applies them: same jobs, ids and commands.
    for (const file of rerunnable) applySqlFile(file)
    const twice = await jobs()
    expect(twice).toEqual(once)
  })
})
