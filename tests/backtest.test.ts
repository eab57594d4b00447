/**
 * `npm run backtest`: past days rescored by the function's own run in process, dry by default
 * (nothing written) or as `backfill` runs, and a report of how the estimates moved, including
 * against rows stored before (a row written with later data than its day differs from its
 * rescoring). Real Postgres, the seed (dates from its load day), the fixture model.
 */
import { spawnSync } from 'node:child_process'
import type postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runBacktest } from '../scripts/backtest/backtest.ts'
import { nodeModelSource } from '../scripts/backtest/model-source.ts'
import { movementReport } from '../scripts/backtest/movement.ts'
import { repoRoot } from '../scripts/local-stack/config.ts'
import { addDays } from '../supabase/functions/_shared/scoring/calendar.ts'
import { connect } from './helpers/database.ts'
import { activateFixtureModel, removeModel } from './helpers/fixture-model.ts'
import { seedLoadDay } from './helpers/seed-dates.ts'

const version = 'fixture-backtest'

let sql: postgres.Sql
let loadDay: string
let from: string

beforeAll(async () => {
  sql = connect()
  loadDay = await seedLoadDay(sql)
  from = addDays(loadDay, -3)
  await activateFixtureModel(sql, version)
})

afterAll(async () => {
  await sql`delete from public.scoring_runs where trigger = 'backfill'`
  await removeModel(sql, version)
  await sql?.end()
})

const backtest = (write: boolean) =>
  runBacktest(sql, {
    from,
    to: loadDay,
    states: ['MN'],
    write,
    historyDays: 35,
    models: nodeModelSource({}),
  })

async function counts() {
  const [row] = await sql<{ runs: number; rows: number }[]>`
    select (select count(*)::int from public.scoring_runs) as runs,
      (select count(*)::int from public.predictions where model_version = ${version}) as rows`
  return row
}

async function onSale(day: string): Promise<number> {
  const [row] = await sql<{ count: number }[]>`
    select count(*)::int as count from public.games
    where state = 'MN' and (launch_date is null or launch_date <= ${day}::date)
      and (end_date is null or end_date >= ${day}::date)`
  return row?.count ?? -1
}

describe('backtest', () => {
  it('dry: rescores each day with the games on sale that day, and writes nothing', async () => {
    const before = await counts()
    const days = await backtest(false)
    expect(days.map((day) => day.date)).toEqual([0, 1, 2, 3].map((n) => addDays(from, n)))
    for (const day of days) {
      expect(day.runId).toBeNull()
      expect(day.modelVersion).toBe(version)
      expect(day.scores.size).toBe(await onSale(day.date))
    }
    expect(await counts()).toEqual(before)
    const report = movementReport(days)
    expect(report.days[0]?.sincePreviousDay).toBeNull()
    expect(report.days[1]?.sincePreviousDay?.compared).toBe(days[1]?.scores.size)
    expect(report.days.every((day) => day.vsStored === null)).toBe(true)
  })

  it('writes each day as a backfill run; its rows are then what a rescoring gives', async () => {
    const days = await backtest(true)
    const runs = await sql<{ trigger: string; status: string; prediction_date: string }[]>`
      select trigger::text, status::text, prediction_date::text from public.scoring_runs
      where id = any(${days.map((day) => day.runId ?? '')}::uuid[]) order by prediction_date`
    expect(runs).toEqual(days.map((day) => ({
      trigger: 'backfill',
      status: 'succeeded',
      prediction_date: day.date,
    })))
    const again = movementReport(await backtest(false))
    for (const day of again.days) {
      expect(day.vsStored).toMatchObject({ compared: day.scored, changed: 0 })
    }
  })

  it('reports a stored row that differs from what was known on its day', async () => {
    const day = addDays(from, 1)
    const [changed] = await sql<{ game_id: string }[]>`
      update public.predictions set expected_return = expected_return + 0.05,
        expected_return_high = expected_return_high + 0.05
      where model_version = ${version} and prediction_date = ${day}
        and game_id = (select min(game_id) from public.predictions
          where model_version = ${version} and prediction_date = ${day})
      returning game_id`
    expect(changed).toBeDefined()
    const report = movementReport(await backtest(false))
    const moved = report.days.find((entry) => entry.date === day)?.vsStored
    expect(moved?.changed).toBe(1)
    expect(moved?.maxAbsChange).toBeCloseTo(0.05, 6)
  })
})

describe('npm run backtest (CLI)', () => {
  const cli = (args: string[]) =>
    spawnSync('npx', ['tsx', 'scripts/backtest.ts', ...args], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, SUPABASE_DB_URL: undefined },
    })

  it('prints the report as JSON, one entry per day', () => {
    const result = cli(['--from', from, '--to', loadDay, '--state', 'MN', '--json'])
    expect(result.status, result.stderr).toBe(0)
    const report = JSON.parse(result.stdout)
    expect(report.modelVersion).toBe(version)
    expect(report.days.map((day: { date: string }) => day.date)).toEqual(
      [0, 1, 2, 3].map((n) => addDays(from, n)),
    )
    expect(result.stderr).toContain(`${loadDay}: scored`)
  })

  it.each([
    [['--from', '2026-11-10', '--to', '2026-11-01'], '--from 2026-11-10 is after --to 2026-11-01'],
    [
      ['--from', '1999-12-31', '--to', '2000-01-05'],
      '--from: prediction_date: 1999-12-31 is outside',
    ],
    [['--to', '2026-11-01'], '--from is required'],
    [['--from', '2026-11-01', '--to', '2026-11-02', '--state', 'Minnesota'], '--state must be'],
    [['--from', '2026-11-01', '--to', '2026-11-02', '--states', 'MN'], "Unknown option '--states'"],
  ])('refuses %j with a clear message', (args, message) => {
    const result = cli(args)
    expect(result.status).toBe(1)
    expect(result.stderr).toContain(message)
  })
})
