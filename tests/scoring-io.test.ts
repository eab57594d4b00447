/**
 * The scorer's lean read and its one-statement write against the local Postgres: the SQL picks
 * exactly the snapshots `snapshotsFeaturesRead` picks (also with days missing), rows stream in
 * state and id order, and predictions land with their features as the named object. Uses a
 * state of its own (ZV) and removes it afterwards.
 */
import type postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadSimulatedPortfolio } from '../scripts/seed/portfolio-loader.ts'
import {
  FEATURE_NAMES,
  snapshotsFeaturesRead,
} from '../supabase/functions/_shared/scoring/features.ts'
import {
  type Prediction,
  upsertPredictions,
} from '../supabase/functions/_shared/run/prediction-store.ts'
import { readRunInputs } from '../supabase/functions/_shared/run/run-inputs.ts'
import { finishRun } from '../supabase/functions/_shared/run/run-log.ts'
import { connect } from './helpers/database.ts'

const state = 'ZV'
const asOfDate = '2026-06-30'
const scope = { states: [state], gameIds: null }

let sql: postgres.Sql

async function removeTestGames(): Promise<void> {
  await sql`delete from public.games where state = ${state}`
  await sql`delete from public.scoring_runs where scope = ${sql.json({ states: [state] })}::jsonb`
}

beforeAll(async () => {
  sql = connect()
  await removeTestGames()
  await loadSimulatedPortfolio(sql, {
    seed: 23,
    publication: 'minnesota',
    asOfDate,
    historyDays: 50,
    states: [state],
    activeGamesPerState: 30,
    truth: 'none',
    onProgress: () => {},
  })
  // Days missing here and there, as when a scrape fails.
  await sql`
    delete from public.historical_snapshots hs
    using public.games g
    where g.id = hs.game_id and g.state = ${state}
      and (hashtext(hs.game_id::text || hs.snapshot_date::text) % 3) = 0`
})

afterAll(async () => {
  await removeTestGames()
  await sql.end()
})

describe('readRunInputs with snapshots: features', () => {
  it('reads exactly the snapshots the features read, for every game', async () => {
    const all = await readRunInputs(sql, { scope, asOfDate, historyDays: 35 })
    const lean = await readRunInputs(sql, {
      scope,
      asOfDate,
      historyDays: 35,
      snapshots: 'features',
    })
    expect(all.length).toBeGreaterThanOrEqual(20)
    expect(lean.map((observation) => observation.game)).toEqual(
      all.map((observation) => observation.game),
    )
    lean.forEach((observation, index) => {
      const whole = all[index] as (typeof all)[number]
      expect(observation.tiers).toEqual(whole.tiers)
      expect(observation.snapshots).toEqual(snapshotsFeaturesRead(whole.snapshots, asOfDate))
    })
    expect(lean.some((observation) => observation.snapshots.length >= 4)).toBe(true)
  })

  it('hands the games over in state and id order', async () => {
    const ids =
      (await readRunInputs(sql, { scope, asOfDate, historyDays: 35, snapshots: 'features' }))
        .map((observation) => observation.game.id)
    expect(ids).toEqual([...ids].sort((a, b) => a - b))
  })
})

describe('upsertPredictions', () => {
  it('writes every row with its features as the named object, and updates on rerun', async () => {
    const games = await sql<{ id: string }[]>`
      select id from public.games where state = ${state} and is_active order by id limit 3`
    const [run] = await sql<{ id: string }[]>`
      insert into public.scoring_runs (trigger, scope, prediction_date, status)
      values ('http', ${sql.json({ states: [state] })}::jsonb, ${asOfDate}, 'running')
      returning id`
    const runId = run?.id as string
    const prediction = (gameId: number, score: number): Prediction => ({
      gameId,
      aiScore: score,
      winProbability: 0.25,
      expectedValue: -0.55,
      expectedReturn: 0.725,
      expectedReturnLow: 0.6,
      expectedReturnHigh: 0.9,
      probabilityAbovePar: 0.0125,
      confidenceLevel: 40,
      recommendation: 'neutral',
      reasoning: 'Returns about 73 cents per $1 on average; "quoted" \\ text.',
      features: Object.fromEntries(FEATURE_NAMES.map((name, i) => [name, i / 7 - 1])),
    })
    const write = (score: number) =>
      upsertPredictions(
        sql,
        { runId, predictionDate: asOfDate, modelVersion: 'scoring-io-test' },
        games.map((game) => prediction(Number(game.id), score)),
      )
    await write(50)
    await write(61)
    const rows = await sql`
      select game_id, ai_score, win_probability, expected_value::float8 as expected_value,
        expected_return, expected_return_low, expected_return_high, probability_above_par,
        confidence_level, recommendation::text, reasoning, features, run_id
      from public.predictions
      where model_version = 'scoring-io-test' and prediction_date = ${asOfDate}
      order by game_id`
    expect(rows).toHaveLength(3)
    rows.forEach((row, index) => {
      const expected = prediction(Number(games[index]?.id), 61)
      expect(row).toEqual({
        game_id: String(expected.gameId),
        ai_score: 61,
        win_probability: expected.winProbability,
        expected_value: expected.expectedValue,
        expected_return: expected.expectedReturn,
        expected_return_low: expected.expectedReturnLow,
        expected_return_high: expected.expectedReturnHigh,
        probability_above_par: expected.probabilityAbovePar,
        confidence_level: expected.confidenceLevel,
        recommendation: expected.recommendation,
        reasoning: expected.reasoning,
        features: expected.features,
        run_id: runId,
      })
    })
  })
})

describe('finishRun', () => {
  it('closes a running run once: a closed run keeps its outcome', async () => {
    const [run] = await sql<{ id: string }[]>`
      insert into public.scoring_runs (trigger, scope, prediction_date, status)
      values ('http', ${sql.json({ states: [state] })}::jsonb, ${asOfDate}, 'running')
      returning id`
    const runId = run?.id as string
    const outcome = (status: 'succeeded' | 'failed', error: string | null) => ({
      status,
      modelVersion: 'scoring-io-test',
      scoredCount: status === 'succeeded' ? 3 : 0,
      skipped: [],
      error,
      timingsMs: { total: 1 },
    })
    await finishRun(sql, runId, outcome('succeeded', null))
    await finishRun(sql, runId, outcome('failed', 'late failure'))
    const [row] = await sql`
      select status::text, scored_count, error from public.scoring_runs where id = ${runId}`
    expect(row).toEqual({ status: 'succeeded', scored_count: 3, error: null })
  })
})
