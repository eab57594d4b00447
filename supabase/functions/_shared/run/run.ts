/**
 * One scoring run: take a place in the instance (a bounded number of runs, and of games in scope,
 * in flight: admission.ts), admit the run in the database (no running run may score one of its
 * games for the same date) and open its row, read the active model's registry row (its feature
 * columns) and the states' claim profiles (estimating and storing those a week old: claim-
 * profiles.ts), read everything else in one query, build the features,
 * run one batched inference, and write every prediction with the closed run row in one statement.
 * Every database call is one statement on the pool: no connection is held across calls, so a run
 * never waits for a connection another run holds, and a connection lost mid-run costs only the
 * statement it carried. Any failure leaves earlier predictions untouched and the run recorded as
 * failed (or, if even that cannot be written, swept as abandoned by the database later).
 */
import type { Sql } from 'postgres'
import { ScoringError } from '../http/errors.ts'
import type { Admission } from './admission.ts'
import { type DatabasePool, trackQueries } from './database-pool.ts'
import { databaseFailure } from './database-errors.ts'
import { claimProfilesForRun } from './claim-profiles.ts'
import {
  type ActiveModel,
  loadModel,
  modelColumns,
  type ModelSource,
  readActiveModel,
} from './model-store.ts'
import type { Prediction } from './prediction-store.ts'
import type { ScoringRequest } from '../http/request.ts'
import { countRunInputs, forEachRunInput, type RunScope } from './run-inputs.ts'
import { closeRunWithPredictions, finishRun, renewLease, startRun } from './run-log.ts'
import { type RunDeadline, startDeadline } from './run-deadline.ts'
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
  /** Where a run takes its Postgres client (retired when a run's deadline passes). */
  database: DatabasePool
  models: ModelSource
  historyDays: number
  /** The instance's bounds on runs and games in flight. */
  admission: Admission
  /** How long a run stays `running` without renewal; renewed every third of it while it works. */
  leaseSeconds: number
  /**
   * Seconds a run may take, below the Edge Runtime's wall clock: past it the caller gets 503
   * `run_timeout`, whatever the run still waits for (run-deadline.ts).
   */
  deadlineSeconds: number
  /** Structured log line sink (one line per run). */
  log(entry: Record<string, unknown>): void
}

/** A run in progress: its host's context, its own view of the client and its deadline. */
interface ActiveRun extends RunContext {
  sql: Sql
  deadline: RunDeadline
  /** The run's row, once admitted. */
  runId: string | null
}

/** What a request adds to its run. */
export interface RunOptions {
  /** The request's X-Scoring-Request-Token, recorded on its run. */
  requestToken?: string | null
}

/** Seconds a caller refused with 409 is told to wait: runs last seconds. */
const RUN_IN_PROGRESS_RETRY_AFTER_SECONDS = 10

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
  context: ActiveRun,
  clock: PhaseClock,
): Promise<Scored> {
  const scope = { states: request.states, gameIds: request.gameIds }
  // The registry row names the model's feature columns; the claim profiles correct its counts.
  const [entry, { profiles }] = await clock.time('read', () =>
    Promise.all([
      readActiveModel(context.sql),
      claimProfilesForRun(context.sql, {
        scope,
        asOfDate: request.predictionDate,
        store: !request.dryRun,
      }),
    ]))
  // Each game is featurized as its row arrives, and the model loads, while Postgres is still
  // producing the rest of the read.
  const builder = batchBuilder({ columns: modelColumns(entry), profiles })
  let featuresMs = 0
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
    model = await loadModel(entry, context.models)
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
    () => screenAndInterpret(batch, outputs, model),
  )
  return {
    model,
    predictions: screened.predictions,
    skipped: [...batch.skipped, ...screened.skipped],
    warnings,
  }
}

/** Scores and answers without writing anything (no run row). */
async function dryRun(request: ScoringRequest, context: ActiveRun): Promise<RunResult> {
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

/**
 * Runs a scoring request; throws ScoringError on failure: 429 busy, 422 scope too large, 409 an
 * overlapping run in progress, 503 model or database unavailable or the run's deadline passed,
 * ...
 *
 * The whole run, every wait for the database included (a pool connection, a statement), is
 * raced against its deadline. When the deadline passes first the caller is answered at once,
 * the run's place in the instance is given back, its lease is no longer renewed (the sweep
 * closes its row as abandoned), its unfinished statements are cancelled, and its client is
 * retired (database-pool.ts) so that a socket stuck for good cannot hold up later runs. The
 * work left behind makes no further statement.
 */
export async function executeRun(
  request: ScoringRequest,
  context: RunContext,
  options: RunOptions = {},
): Promise<RunResult> {
  const slot = context.admission.enter()
  const client = context.database.take()
  const deadline = startDeadline(context.deadlineSeconds, () => {
    const fresh = client.retire()
    tracked.cancelUnfinished(fresh, context.log)
    context.log({ event: 'run_timeout', run_id: run.runId, deadline_s: context.deadlineSeconds })
  })
  const tracked = trackQueries(client.sql, () => deadline.check())
  const run: ActiveRun = { ...context, sql: tracked.sql, deadline, runId: null }
  try {
    return await deadline.race((async () => {
      const scope: RunScope = { states: request.states, gameIds: request.gameIds }
      slot.holdGames(await countRunInputs(run.sql, scope, request.predictionDate))
      if (request.dryRun) return await dryRun(request, run)
      return await recordedRun(request, run, options)
    })())
  } catch (error) {
    const failure = databaseFailure(error)
    // A connection refused or lost (Postgres restarting, a network cut): later runs start from a
    // fresh client. The old one may still hold a connection reconnecting with postgres.js's
    // growing backoff, with statements queued on it that would meet an error of the outage
    // (seen: 57P03 'shutting down' from a restart before, answered to a run after Postgres was
    // back). Runs still on it finish there; it is ended once they are done.
    if (failure?.code === 'database_unavailable') client.retire()
    const answered = failure ?? error
    if (answered instanceof ScoringError && run.runId !== null) {
      answered.details.run_id ??= run.runId
    }
    throw answered
  } finally {
    deadline.clear()
    slot.release()
    client.done()
  }
}

/**
 * Renews a run's lease every third of it until stopped or the run's deadline passes (the sweep
 * then closes the run as abandoned); a failed renewal is only logged.
 */
function keepLease(context: ActiveRun, runId: string): { stop(): void } {
  let renewing: Promise<void> | null = null
  const timer = setInterval(() => {
    if (context.deadline.expired()) {
      clearInterval(timer)
      return
    }
    if (renewing !== null) return
    renewing = renewLease(context.sql, runId, context.leaseSeconds)
      .then((running) => {
        if (!running) context.log({ event: 'run_lease_lost', run_id: runId })
      })
      .catch((error) =>
        context.log({ event: 'run_lease_renewal_failed', run_id: runId, error: errorText(error) })
      )
      .finally(() => {
        renewing = null
      })
  }, (context.leaseSeconds * 1000) / 3)
  return { stop: () => clearInterval(timer) }
}

async function recordedRun(
  request: ScoringRequest,
  context: ActiveRun,
  options: RunOptions,
): Promise<RunResult> {
  const clock = new PhaseClock()
  const admitted = await startRun(context.sql, {
    trigger: request.trigger,
    scope: { states: request.states, gameIds: request.gameIds },
    predictionDate: request.predictionDate,
    leaseSeconds: context.leaseSeconds,
    requestToken: options.requestToken,
  })
  if (admitted.runId === null) {
    throw new ScoringError(
      'run_in_progress',
      409,
      `A run scoring some of the same games for ${request.predictionDate} is in progress ` +
        `(run ${admitted.runningRunId})`,
      {
        running_run_id: admitted.runningRunId,
        retry_after_seconds: RUN_IN_PROGRESS_RETRY_AFTER_SECONDS,
      },
    )
  }
  const runId = admitted.runId
  context.runId = runId
  const lease = keepLease(context, runId)
  let modelVersion: string | null = null
  try {
    const { model, predictions, skipped, warnings } = await score(request, context, clock)
    modelVersion = model.version
    const closed = await clock.time('write', () =>
      closeRunWithPredictions(context.sql, {
        runId,
        predictionDate: request.predictionDate,
        modelVersion: model.version,
      }, {
        status: skipped.length > 0 ? 'partial' : 'succeeded',
        modelVersion: model.version,
        scoredCount: predictions.length,
        skipped,
        error: null,
        timingsMs: { ...clock.timings, total: 0 },
        warnings,
      }, predictions))
    if (!closed) {
      throw new ScoringError(
        'run_abandoned',
        503,
        `Run ${runId} was closed as abandoned before it could write (its lease expired or the ` +
          'database restarted); none of its predictions were written',
        { retry_after_seconds: RUN_IN_PROGRESS_RETRY_AFTER_SECONDS },
      )
    }
    const timings = clock.stop()
    // The row was closed with the predictions; the final total (with the write) is recorded
    // too, best effort: the run has succeeded whatever this update does.
    await context.sql`
      update public.scoring_runs set timings_ms = ${context.sql.json({ ...timings })}::jsonb
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
    const answered = databaseFailure(error) ?? error
    if (context.deadline.expired()) {
      // The caller has had its 503: no statement after the deadline, the sweep closes the run.
      context.log({ event: 'run_left_to_sweep', run_id: runId, error: errorText(error) })
      throw answered
    }
    try {
      await finishRun(context.sql, runId, {
        status: 'failed',
        modelVersion,
        scoredCount: 0,
        skipped: [],
        error: error instanceof ScoringError ? `${error.code}: ${error.message}` : errorText(error),
        timingsMs: { ...clock.stop() },
      })
    } catch (closeError) {
      // The database is gone: the sweep closes the run as abandoned once it is back.
      context.log({ event: 'run_close_failed', run_id: runId, error: errorText(closeError) })
    }
    if (answered instanceof ScoringError) answered.details.run_id = runId
    throw answered
  } finally {
    lease.stop()
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error)
}
