/**
 * One scoring run: lock the scope, open the run row, read everything in one query, build the
 * features, run one batched inference, and write every prediction plus the closed run row in one
 * transaction. Any failure leaves earlier predictions untouched and the run recorded as failed.
 */
import type { Sql } from 'postgres'
import { ScoringError } from '../http/errors.ts'
import { type ActiveModel, loadActiveModel, type ModelSource } from './model-store.ts'
import { type Prediction, upsertPredictions } from './prediction-store.ts'
import type { ScoringRequest } from '../http/request.ts'
import { forEachRunInput } from './run-inputs.ts'
import { finishRun, runningRunId, startRun, tryLockScope, unlockScope } from './run-log.ts'
import { type ScopeWarning, scopeWarnings } from './scope-warnings.ts'
import { batchBuilder, screenAndInterpret, type SkippedGame } from '../scoring/scoring-pipeline.ts'

/**
 * Wall time per phase, in milliseconds. Games are featurized as their rows arrive, so
 * `features` (the time spent computing them) overlaps `read` (query sent to last row handled).
 */
export interface PhaseTimings {
  read: number
  features: number
  inference: number
  write: number
  total: number
}

/** What a run answers. */
export interface RunResult {
  run_id: string | null
  model_version: string
  prediction_date: string
  dry_run: boolean
  scored: number
  skipped: SkippedGame[]
  /** What the request named that matched nothing (scope-warnings.ts). */
  warnings: ScopeWarning[]
  timings_ms: PhaseTimings
  /** Only for dry runs: the rows that would have been written. */
  predictions?: Prediction[]
}

/** What a run needs from its host. */
export interface RunContext {
  sql: Sql
  models: ModelSource
  historyDays: number
  /** Structured log line sink (one line per run). */
  log(entry: Record<string, unknown>): void
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10
}

class PhaseClock {
  readonly timings: PhaseTimings = { read: 0, features: 0, inference: 0, write: 0, total: 0 }
  private readonly startedAt = performance.now()

  async time<T>(phase: Exclude<keyof PhaseTimings, 'total'>, work: () => Promise<T> | T) {
    const start = performance.now()
    try {
      return await work()
    } finally {
      this.timings[phase] = round(this.timings[phase] + performance.now() - start)
    }
  }

  /** Adds time measured elsewhere (work interleaved with another phase). */
  add(phase: Exclude<keyof PhaseTimings, 'total'>, ms: number): void {
    this.timings[phase] = round(this.timings[phase] + ms)
  }

  stop(): PhaseTimings {
    this.timings.total = round(performance.now() - this.startedAt)
    return this.timings
  }
}

interface Scored {
  model: ActiveModel
  predictions: Prediction[]
  skipped: SkippedGame[]
  warnings: ScopeWarning[]
}

async function score(
  request: ScoringRequest,
  context: RunContext,
  clock: PhaseClock,
): Promise<Scored> {
  // Each game is featurized as its row arrives, and the model loads, while Postgres is still
  // producing the rest of the read.
  const builder = batchBuilder()
  let featuresMs = 0
  const scope = { states: request.states, gameIds: request.gameIds }
  const reading = clock.time('read', () =>
    forEachRunInput(context.sql, {
      scope,
      asOfDate: request.predictionDate,
      historyDays: context.historyDays,
      snapshots: 'features',
      onSkip: (skipped) => builder.skip(skipped),
    }, (observation) => {
      const started = performance.now()
      builder.add(observation)
      featuresMs += performance.now() - started
    }))
  // Awaited below; until then (the model may take a while, or fail) a failed read must not count
  // as an unhandled rejection, which ends the Deno process.
  reading.catch(() => {})
  let model: ActiveModel
  try {
    model = await loadActiveModel(context.sql, context.models)
  } catch (error) {
    await reading.catch(() => {})
    throw error
  }
  const found = await reading
  const warnings = await clock.time(
    'read',
    () => scopeWarnings(context.sql, { scope, predictionDate: request.predictionDate, found }),
  )
  const batch = await clock.time('features', () => builder.finish())
  clock.add('features', featuresMs)
  const outputs = await clock.time(
    'inference',
    () => model.predict(batch.matrix, batch.prepared.length),
  )
  const screened = await clock.time(
    'inference',
    () => screenAndInterpret(batch.prepared, outputs, model),
  )
  return {
    model,
    predictions: screened.predictions,
    skipped: [...batch.skipped, ...screened.skipped],
    warnings,
  }
}

/** Scores and answers without writing anything (no lock, no run row). */
async function dryRun(request: ScoringRequest, context: RunContext): Promise<RunResult> {
  const clock = new PhaseClock()
  const { model, predictions, skipped, warnings } = await score(request, context, clock)
  return {
    run_id: null,
    model_version: model.version,
    prediction_date: request.predictionDate,
    dry_run: true,
    scored: predictions.length,
    skipped,
    warnings,
    timings_ms: clock.stop(),
    predictions,
  }
}

/** Runs a scoring request; throws ScoringError (409 overlap, 503 model, ...) on failure. */
export async function executeRun(request: ScoringRequest, context: RunContext): Promise<RunResult> {
  if (request.dryRun) return await dryRun(request, context)
  const scope = { states: request.states, gameIds: request.gameIds }
  const connection = await context.sql.reserve()
  try {
    if (!(await tryLockScope(connection, scope))) {
      const running = await runningRunId(context.sql, scope)
      throw new ScoringError(
        'run_in_progress',
        409,
        `A run of this scope is already in progress${running ? ` (run ${running})` : ''}`,
        { running_run_id: running },
      )
    }
    try {
      return await lockedRun(request, context, connection)
    } finally {
      // The run's outcome stands whatever happens here. Unlocking fails only when the
      // connection is lost, and its session's lock with it.
      await unlockScope(connection, scope).catch((error) =>
        context.log({ event: 'scope_unlock_failed', error: errorText(error) })
      )
    }
  } finally {
    connection.release()
  }
}

async function lockedRun(
  request: ScoringRequest,
  context: RunContext,
  connection: Awaited<ReturnType<Sql['reserve']>>,
): Promise<RunResult> {
  const clock = new PhaseClock()
  const scope = { states: request.states, gameIds: request.gameIds }
  const runId = await startRun(connection, {
    trigger: request.trigger,
    scope,
    predictionDate: request.predictionDate,
  })
  let modelVersion: string | null = null
  try {
    const { model, predictions, skipped, warnings } = await score(request, context, clock)
    modelVersion = model.version
    const status = skipped.length > 0 ? 'partial' : 'succeeded'
    await clock.time('write', () =>
      context.sql.begin(async (transaction) => {
        await upsertPredictions(transaction, {
          runId,
          predictionDate: request.predictionDate,
          modelVersion: model.version,
        }, predictions)
        await finishRun(transaction, runId, {
          status,
          modelVersion: model.version,
          scoredCount: predictions.length,
          skipped,
          error: null,
          timingsMs: { ...clock.timings, total: 0 },
        })
      }))
    const timings = clock.stop()
    // The row was closed inside the transaction; the final total (with the commit) is recorded
    // too, best effort: the run has succeeded whatever this update does.
    await connection`
      update public.scoring_runs set timings_ms = ${connection.json({ ...timings })}::jsonb
      where id = ${runId}`.catch((error) =>
      context.log({ event: 'run_timings_failed', run_id: runId, error: errorText(error) })
    )
    return {
      run_id: runId,
      model_version: model.version,
      prediction_date: request.predictionDate,
      dry_run: false,
      scored: predictions.length,
      skipped,
      warnings,
      timings_ms: timings,
    }
  } catch (error) {
    try {
      await finishRun(connection, runId, {
        status: 'failed',
        modelVersion,
        scoredCount: 0,
        skipped: [],
        error: error instanceof ScoringError ? `${error.code}: ${error.message}` : errorText(error),
        timingsMs: { ...clock.stop() },
      })
    } catch (closeError) {
      context.log({ event: 'run_close_failed', run_id: runId, error: errorText(closeError) })
    }
    if (error instanceof ScoringError) error.details.run_id = runId
    throw error
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error)
}
