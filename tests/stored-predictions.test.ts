/**
 * The rows the served function stores are exactly what the in-process pipeline computes for the
 * same inputs: the same read (`readRunInputs`), the features, the model run here by the
 * TypeScript tree runtime from the same file, the plausibility guards and the interpretation.
 * Every stored column is compared, for the small fixture model and for the committed models
 * (model/gbm-v1.onnx, features-v2; model/gbm-v2.onnx, the default), on the seed's load day and on a
 * day three weeks before it.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { repoRoot } from '../scripts/local-stack/config.ts'
import type { FunctionServer } from '../scripts/local-stack/function-server.ts'
import { readScoringModelMetadata } from '../supabase/functions/_shared/onnx/metadata.ts'
import {
  loadTreeEnsembleModel,
  predictTreeEnsembles,
} from '../supabase/functions/_shared/onnx/tree-ensemble.ts'
import type { Prediction } from '../supabase/functions/_shared/run/prediction-store.ts'
import { readRunInputs } from '../supabase/functions/_shared/run/run-inputs.ts'
import { claimProfilesForRun } from '../supabase/functions/_shared/run/claim-profiles.ts'
import { featureColumns } from '../supabase/functions/_shared/scoring/features.ts'
import { addDays } from '../supabase/functions/_shared/scoring/calendar.ts'
import { DEFAULT_TRAINING_RANGES } from '../supabase/functions/_shared/scoring/plausibility.ts'
import {
  batchBuilder,
  screenAndInterpret,
  type SkippedGame,
} from '../supabase/functions/_shared/scoring/scoring-pipeline.ts'
import { connect } from './helpers/database.ts'
import { activateLocalModel, FIXTURE_MODEL_PATH, removeModel } from './helpers/fixture-model.ts'
import { post, serveFunction } from './helpers/function.ts'
import { seedLoadDay } from './helpers/seed-dates.ts'

const models = [
  { version: 'stored-fixture', path: FIXTURE_MODEL_PATH },
  { version: 'stored-gbm-v1', path: 'model/gbm-v1.onnx' },
  { version: 'stored-gbm-v2', path: 'model/gbm-v2.onnx' },
]
const state = 'MN'
const historyDays = 35

let sql: postgres.Sql
let server: FunctionServer
let loadDay: string

beforeAll(async () => {
  sql = connect()
  loadDay = await seedLoadDay(sql)
  server = await serveFunction()
})

afterAll(async () => {
  await server?.stop()
  for (const { version } of models) await removeModel(sql, version)
  await sql?.end()
})

/** The in-process pipeline: what a run of `modelFile` for `date` should store and skip. */
async function inProcess(modelFile: string, version: string, date: string) {
  const bytes = new Uint8Array(readFileSync(join(repoRoot, modelFile)))
  const metadata = readScoringModelMetadata(bytes)
  const scope = { states: [state], gameIds: null }
  // The profile the run stored for the date (a run re-estimates only a week-old one).
  const { profiles } = await claimProfilesForRun(sql, { scope, asOfDate: date, store: false })
  const builder = batchBuilder({ columns: featureColumns(metadata.featureNames), profiles })
  const observations = await readRunInputs(sql, {
    scope,
    asOfDate: date,
    historyDays,
    snapshots: 'features',
    onSkip: (skipped) => builder.skip(skipped),
  })
  for (const observation of observations) builder.add(observation)
  const batch = builder.finish()
  const outputs = predictTreeEnsembles(
    loadTreeEnsembleModel(bytes),
    batch.matrix,
    batch.prepared.length,
  )
  const screened = screenAndInterpret(batch, outputs, {
    version,
    trainingRanges: metadata.trainingRanges ?? DEFAULT_TRAINING_RANGES,
    aboveParCalibration: metadata.aboveParCalibration ?? null,
  })
  return { predictions: screened.predictions, skipped: [...batch.skipped, ...screened.skipped] }
}

/** A stored row, in the pipeline's shape. */
async function storedRows(runId: string): Promise<Prediction[]> {
  const rows = await sql`
    select game_id, ai_score, win_probability, expected_value::float8 as expected_value,
      expected_return, expected_return_low, expected_return_high, probability_above_par,
      confidence_level, recommendation::text as recommendation, reasoning, features
    from public.predictions where run_id = ${runId} order by game_id`
  return rows.map((row) => ({
    gameId: Number(row.game_id),
    aiScore: row.ai_score,
    winProbability: row.win_probability,
    expectedValue: row.expected_value,
    expectedReturn: row.expected_return,
    expectedReturnLow: row.expected_return_low,
    expectedReturnHigh: row.expected_return_high,
    probabilityAbovePar: row.probability_above_par,
    confidenceLevel: row.confidence_level,
    recommendation: row.recommendation,
    reasoning: row.reasoning,
    features: row.features,
  }))
}

describe.each(models)('stored rows of $version', ({ version, path }) => {
  beforeAll(async () => {
    await activateLocalModel(sql, { version, path })
  })

  it.each([
    ['the seed load day', 0],
    ['three weeks before it', 21],
  ])('equal the in-process pipeline, column by column, on %s', async (_case, daysBefore) => {
    const date = addDays(loadDay, -daysBefore)
    const { status, body } = await post(server.url, { prediction_date: date, states: [state] })
    expect(status).toBe(200)
    expect(body.model_version).toBe(version)
    const stored = await storedRows(body.run_id as string)
    const expected = await inProcess(path, version, date)
    const byGame = (a: Prediction, b: Prediction) => a.gameId - b.gameId

    expect(stored.length).toBeGreaterThanOrEqual(20)
    expect(body.scored).toBe(stored.length)
    expect(stored).toEqual([...expected.predictions].sort(byGame))
    expect(body.skipped as SkippedGame[]).toEqual(expected.skipped)
    // Numbers a model gives, not one value copied into every row.
    expect(new Set(stored.map((row) => row.expectedReturn)).size).toBeGreaterThan(stored.length / 2)
  })

  it("one game's row agrees with the naive expected return computed in SQL alone", async () => {
    // Independent of the pipeline: the share sold is the published tiers' claimed share; each
    // unpublished tier keeps its printed count times the unsold share; the return per $1 is the
    // prize money left over the tickets left times the price. The estimator adds a weak prior
    // (half a prize each way), so the two agree to well under 1% on a game of this size.
    const [row] = await sql<
      {
        game_id: string
        stored_estimator: number
        stored_win_probability: number
        stored_return: number
        naive_return: number
        naive_win_probability: number
        published: number
      }[]
    >`
      with game as (
        select p.game_id, g.ticket_price::float8 as price,
          -- Printed tickets: published, else the median of what each tier's odds imply.
          coalesce(g.tickets_printed::float8, (
            select round(percentile_cont(0.5) within group (order by t.odds * t.total_prizes))
            from public.prize_tiers t where t.game_id = g.id and t.odds is not null
          )) as printed,
          (p.features ->> 'est_expected_return')::float8 as stored_estimator,
          p.win_probability as stored_win_probability, p.expected_return as stored_return
        from public.predictions p join public.games g on g.id = p.game_id
        where p.model_version = ${version} and p.prediction_date = ${loadDay}
        order by p.game_id limit 1
      ),
      snapshot as (
        select s.remaining_by_tier from public.historical_snapshots s, game
        where s.game_id = game.game_id and s.snapshot_date <= ${loadDay}
        order by s.snapshot_date desc limit 1
      ),
      tier as (
        select t.prize_amount::float8 as amount, t.total_prizes::float8 as total,
          (snapshot.remaining_by_tier ->> trim_scale(t.prize_amount)::text)::float8 as remaining
        from public.prize_tiers t, game, snapshot where t.game_id = game.game_id
      ),
      sold as (
        select sum(total - remaining) / sum(total) as share, sum(total) as published
        from tier where remaining is not null
      )
      select game.game_id, game.stored_estimator, game.stored_win_probability,
        game.stored_return, sold.published,
        sum(coalesce(tier.remaining, tier.total * (1 - sold.share)) * tier.amount)
          / (game.printed * (1 - sold.share) * game.price) as naive_return,
        sum(coalesce(tier.remaining, tier.total * (1 - sold.share)))
          / (game.printed * (1 - sold.share)) as naive_win_probability
      from game, sold, tier
      group by game.game_id, game.stored_estimator, game.stored_win_probability,
        game.stored_return, game.printed, game.price, sold.share, sold.published`
    expect(row, 'a stored row of the load day').toBeDefined()
    expect(row?.published).toBeGreaterThan(50)
    const naive = row?.naive_return as number
    expect(naive).toBeGreaterThan(0.3)
    expect(naive).toBeLessThan(1)
    expect(Math.abs((row?.stored_estimator as number) / naive - 1)).toBeLessThan(0.01)
    expect(
      Math.abs(
        (row?.stored_win_probability as number) / (row?.naive_win_probability as number) - 1,
      ),
    ).toBeLessThan(0.01)
    // The model's own number corrects the estimator for claim lag: near it, not equal.
    expect(Math.abs((row?.stored_return as number) - naive)).toBeLessThan(0.1)
  })

  it('are close to the standard estimator, as a scoring model is', async () => {
    const rows = await sql<{ gap: number }[]>`
      select abs(expected_return - (features ->> 'est_expected_return')::float8) as gap
      from public.predictions where model_version = ${version}`
    expect(rows.length).toBeGreaterThan(0)
    for (const row of rows) expect(row.gap).toBeLessThan(0.25)
  })
})
