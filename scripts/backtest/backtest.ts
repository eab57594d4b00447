/**
 * A backtest: the function's own run (`executeRun`, in this process) for every day of a span,
 * each day scored with what was known on it (run-inputs.ts), by the active model. A dry run by
 * default (nothing written); with `write`, each day is a real run recorded with the trigger
 * `backfill`, whose rows replace that day's rows of the same model. Before anything is written,
 * the rows already stored for those days are read, so the report can say how far the rescored
 * values are from them.
 */
import type { Sql } from 'postgres'
import { executeRun } from '../../supabase/functions/_shared/run/run.ts'
import { createAdmission } from '../../supabase/functions/_shared/run/admission.ts'
import { singleClient } from '../../supabase/functions/_shared/run/database-pool.ts'
import type { ModelSource } from '../../supabase/functions/_shared/run/model-store.ts'
import type { SkippedGame } from '../../supabase/functions/_shared/scoring/scoring-pipeline.ts'
import { addDays, daysBetween } from '../../supabase/functions/_shared/scoring/calendar.ts'

/** What to rescore. */
export interface BacktestOptions {
  from: string
  to: string
  /** Null: every state. */
  states: string[] | null
  /** Store each day as a `backfill` run (default: a dry run, nothing written). */
  write: boolean
  historyDays: number
  models: ModelSource
  onDay?: (day: BacktestDay) => void
}

/** One game's score on one day. */
export interface GameScore {
  expectedReturn: number
  recommendation: string
}

/** One rescored day. */
export interface BacktestDay {
  date: string
  runId: string | null
  modelVersion: string
  scores: Map<number, GameScore>
  skipped: SkippedGame[]
  /** The rows stored for this day by the same model before the backtest ran. */
  storedBefore: Map<number, GameScore>
}

/** The days from `from` to `to`, both included. */
export function daysOf(from: string, to: string): string[] {
  return Array.from({ length: daysBetween(from, to) + 1 }, (_, index) => addDays(from, index))
}

async function storedScores(
  sql: Sql,
  options: { from: string; to: string; states: string[] | null; modelVersion: string },
): Promise<Map<string, Map<number, GameScore>>> {
  const rows = await sql<
    { day: string; game_id: string; expected_return: number; recommendation: string }[]
  >`
    select p.prediction_date::text as day, p.game_id, p.expected_return,
      p.recommendation::text as recommendation
    from public.predictions p
    join public.games g on g.id = p.game_id
    where p.model_version = ${options.modelVersion}
      and p.prediction_date between ${options.from}::date and ${options.to}::date
      and (${options.states}::text[] is null or g.state = any(${options.states}::text[]))`
  const byDay = new Map<string, Map<number, GameScore>>()
  for (const row of rows) {
    const day = byDay.get(row.day) ?? new Map<number, GameScore>()
    day.set(Number(row.game_id), {
      expectedReturn: row.expected_return,
      recommendation: row.recommendation,
    })
    byDay.set(row.day, day)
  }
  return byDay
}

async function writtenScores(sql: Sql, runId: string): Promise<Map<number, GameScore>> {
  const rows = await sql<{ game_id: string; expected_return: number; recommendation: string }[]>`
    select game_id, expected_return, recommendation::text as recommendation
    from public.predictions where run_id = ${runId}`
  return new Map(rows.map((row) => [Number(row.game_id), {
    expectedReturn: row.expected_return,
    recommendation: row.recommendation,
  }]))
}

async function activeModelVersion(sql: Sql): Promise<string | null> {
  const [row] = await sql<{ version: string }[]>`
    select version from public.ml_models where is_active`
  return row?.version ?? null
}

/** Rescores every day of the span, oldest first. */
export async function runBacktest(sql: Sql, options: BacktestOptions): Promise<BacktestDay[]> {
  const version = await activeModelVersion(sql)
  const stored = version === null
    ? new Map<string, Map<number, GameScore>>()
    : await storedScores(sql, { ...options, modelVersion: version })
  const context = {
    database: singleClient(sql),
    models: options.models,
    historyDays: options.historyDays,
    // One day at a time, in this process: no Edge Function instance to keep within 256 MB.
    admission: createAdmission({ maxRuns: 1, maxGames: 1_000_000, retryAfterSeconds: 5 }),
    leaseSeconds: 60,
    // No Edge wall clock here: a day's run may take what it takes.
    deadlineSeconds: 3_600,
    log: () => {},
  }
  const days: BacktestDay[] = []
  for (const date of daysOf(options.from, options.to)) {
    const result = await executeRun({
      states: options.states,
      gameIds: null,
      predictionDate: date,
      dryRun: !options.write,
      trigger: 'backfill',
    }, context)
    const scores = result.run_id === null
      ? new Map((result.predictions ?? []).map((prediction) => [prediction.gameId, {
        expectedReturn: prediction.expectedReturn,
        recommendation: prediction.recommendation,
      }]))
      : await writtenScores(sql, result.run_id)
    const day: BacktestDay = {
      date,
      runId: result.run_id,
      modelVersion: result.model_version,
      scores,
      skipped: result.skipped,
      storedBefore: stored.get(date) ?? new Map(),
    }
    options.onDay?.(day)
    days.push(day)
  }
  return days
}
