/**
 * The per-game baseline: the scorer shaped like the original design, a loop over the games that
 * for each one reads it (one query: the scorer's own reader scoped to that game id), computes its
 * features, runs one inference call for its one row, and writes its prediction (one statement).
 * It reuses the scorer's `_shared` code (reader, features, model session, interpretation, writer)
 * against the same data, so the difference to the function is the per-game round trips and calls.
 * The model is loaded before the clock starts (the function's warm calls reuse theirs too).
 */
import type { Sql } from 'postgres'
import { claimProfilesForRun } from '../../supabase/functions/_shared/run/claim-profiles.ts'
import {
  loadActiveModel,
  type ModelSource,
} from '../../supabase/functions/_shared/run/model-store.ts'
import {
  type Prediction,
  upsertPredictions,
} from '../../supabase/functions/_shared/run/prediction-store.ts'
import { readRunInputs } from '../../supabase/functions/_shared/run/run-inputs.ts'
import { finishRun, startRun } from '../../supabase/functions/_shared/run/run-log.ts'
import {
  interpretBatch,
  prepareBatch,
} from '../../supabase/functions/_shared/scoring/scoring-pipeline.ts'

/** Wall time of the baseline, in total and per kind of work (ms). */
export interface BaselineResult {
  games: number
  scored: number
  wallMs: number
  readMs: number
  featuresMs: number
  inferenceMs: number
  writeMs: number
}

/** Runs the per-game baseline over the active games of `states`, writing their predictions. */
export async function runPerGameBaseline(
  sql: Sql,
  options: {
    models: ModelSource
    states: string[]
    predictionDate: string
    historyDays: number
    onProgress?: (done: number, total: number) => void
  },
): Promise<BaselineResult> {
  const { states, predictionDate, historyDays } = options
  const model = await loadActiveModel(sql, options.models)
  const admitted = await startRun(sql, {
    trigger: 'http',
    scope: { states, gameIds: null },
    predictionDate,
    // One lease for the whole baseline (it renews nothing): longer than it ever takes.
    leaseSeconds: 3_600,
  })
  const runId = admitted.runId
  if (runId === null) {
    throw new Error(`Cannot run the baseline: run ${admitted.runningRunId} scores these games`)
  }
  const started = performance.now()
  const spent = { read: 0, features: 0, inference: 0, write: 0 }
  const timed = async <T>(part: keyof typeof spent, work: () => Promise<T> | T): Promise<T> => {
    const start = performance.now()
    try {
      return await work()
    } finally {
      spent[part] += performance.now() - start
    }
  }
  const gameIds = await timed('read', async () => {
    const rows = await sql<{ id: string }[]>`
      select id from public.games
      where is_active and state = any(${states}::text[])
      order by state, id`
    return rows.map((row) => Number(row.id))
  })
  // The states' claim profiles: one query (the original design had none; the same inputs keep
  // the comparison fair).
  const { profiles } = await timed('read', () =>
    claimProfilesForRun(sql, {
      scope: { states, gameIds: null },
      asOfDate: predictionDate,
      store: false,
    }))
  let scored = 0
  for (const [index, gameId] of gameIds.entries()) {
    const observations = await timed('read', () =>
      readRunInputs(sql, {
        scope: { states: null, gameIds: [gameId] },
        asOfDate: predictionDate,
        historyDays,
        snapshots: 'features',
      }))
    const batch = await timed(
      'features',
      () => prepareBatch(observations, { columns: model.columns, profiles }),
    )
    const predictions: Prediction[] = await timed('inference', async () => {
      const outputs = await model.predict(batch.matrix, batch.prepared.length)
      return interpretBatch(batch, outputs, { aboveParCalibration: model.aboveParCalibration })
    })
    await timed(
      'write',
      () =>
        upsertPredictions(
          sql,
          { runId, predictionDate, modelVersion: model.version },
          predictions,
        ),
    )
    scored += predictions.length
    if ((index + 1) % 500 === 0) options.onProgress?.(index + 1, gameIds.length)
  }
  const wallMs = performance.now() - started
  await finishRun(sql, runId, {
    status: 'succeeded',
    modelVersion: model.version,
    scoredCount: scored,
    skipped: [],
    error: null,
    timingsMs: { total: Math.round(wallMs) },
  })
  return {
    games: gameIds.length,
    scored,
    wallMs,
    readMs: spent.read,
    featuresMs: spent.features,
    inferenceMs: spent.inference,
    writeMs: spent.write,
  }
}
