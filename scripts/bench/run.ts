/**
 * One benchmark run: for each size, load that many active games, time the served function
 * (fresh process: cold, then warm calls; above one state's worth of games also one request per
 * state), run the per-game baseline on the same data, then remove the games and put the model
 * registry back as it was.
 */
import { readFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import type { Sql } from 'postgres'
import type { ModelSource } from '../../supabase/functions/_shared/run/model-store.ts'
import { repoRoot } from '../local-stack/config.ts'
import { spawnFunction } from '../local-stack/function-server.ts'
import { type BaselineResult, runPerGameBaseline } from './baseline.ts'
import { type FunctionMeasurement, measureFunction, type ScoringCall } from './function-runs.ts'
import { loadBenchGames } from './games.ts'
import { type BenchModel, type BenchModelChoice, withBenchModel } from './models.ts'
import { TARGET_GAMES } from './targets.ts'

/** Days of snapshots the function reads per game (its SCORER_HISTORY_DAYS default). */
const SCORER_HISTORY_DAYS = 35

/** What to run. */
export interface BenchOptions {
  /** Sizes, in active games. */
  games: number[]
  /** Port of the served function. */
  port: number
  model: BenchModelChoice
  /** Warm calls after the cold one, per size. */
  warmCalls: number
  /**
   * Fresh processes timed per size up to 5,000 games (one cold call each; the first also makes
   * the warm calls): cold numbers are their median. Larger sizes get one.
   */
  coldStarts?: number
  /** The as-of day of the loaded games and the prediction date of every call. */
  predictionDate: string
  /** Run the per-game baseline. */
  baseline: boolean
  /**
   * Sizes at which the function is also timed with the onnxruntime-web engine
   * (`SCORER_MODEL_ENGINE`), one fresh process: cold and one warm call.
   */
  engineComparisonAt?: number[]
  /** Extra environment of the function process. */
  functionEnv?: Record<string, string>
  onProgress: (line: string) => void
}

/** A measurement that may have failed (e.g. the process ran out of memory). */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: string }

/** Everything measured for one size. */
export interface SizeResult {
  games: number
  states: string[]
  loadMs: number
  snapshots: number
  /** All states in one request (one invocation). */
  single: Outcome<FunctionMeasurement>
  /** More fresh processes with the same request, cold call only. */
  moreColdStarts: FunctionMeasurement[]
  /** One request per state, to one fresh process (only when there are several states). */
  perState: Outcome<FunctionMeasurement> | null
  /** The same single request with the onnxruntime-web engine (when asked for this size). */
  onnxruntimeEngine: Outcome<FunctionMeasurement> | null
  baseline: Outcome<BaselineResult> | null
}

/** A whole run. */
export interface BenchReport {
  model: BenchModel
  predictionDate: string
  warmCalls: number
  sizes: SizeResult[]
  startedAt: string
  elapsedMs: number
  /** 1-minute load averages at the start and the end (the machine is shared). */
  loadAverage: { start: number; end: number }
}

async function outcome<T>(work: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await work() }
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) }
  }
}

function describeCall(games: number, label: string, call: ScoringCall): string {
  const { read, features, inference, write } = call.phases
  return `${games} games, ${label}: ${call.wallMs.toFixed(0)} ms wall, ${
    call.cpuMs.toFixed(0)
  } ms CPU (read ${read}, features ${features}, inference ${inference}, write ${write})`
}

/** Model bytes for the baseline, which runs in this (Node) process. */
function localModelSource(): ModelSource {
  return {
    fromStorage: () => Promise.resolve(null),
    fromLocalFile: (path) => {
      try {
        return Promise.resolve(new Uint8Array(readFileSync(join(repoRoot, path))))
      } catch {
        return Promise.resolve(null)
      }
    },
  }
}

/** Starts and stops the function once, so the measured starts find Deno's caches warm. */
async function primeDenoCaches(port: number, env: Record<string, string> | undefined) {
  const server = await spawnFunction({ port, env })
  try {
    await server.answering()
  } finally {
    await server.stop()
  }
}

async function measureSize(
  sql: Sql,
  games: number,
  options: BenchOptions,
): Promise<SizeResult> {
  const report = options.onProgress
  report(`${games} games: loading`)
  const loaded = await loadBenchGames(sql, {
    games,
    asOfDate: options.predictionDate,
    onProgress: (line) => report(`${games} games: ${line}`),
  })
  const body = { states: loaded.states, prediction_date: options.predictionDate }
  const onCall = (label: string, call: ScoringCall) => report(describeCall(games, label, call))
  const single = await outcome(() =>
    measureFunction({
      port: options.port,
      env: options.functionEnv,
      bodies: Array.from({ length: 1 + options.warmCalls }, () => body),
      onCall,
    })
  )
  if (!single.ok) report(`${games} games in one request failed: ${single.error.split('\n')[0]}`)
  const moreColdStarts: FunctionMeasurement[] = []
  const coldStarts = games <= TARGET_GAMES ? options.coldStarts ?? 3 : 1
  for (let start = 1; single.ok && start < coldStarts; start++) {
    const again = await outcome(() =>
      measureFunction({
        port: options.port,
        env: options.functionEnv,
        bodies: [body],
        onCall: (label, call) => onCall(`${label} (fresh process ${start + 1})`, call),
      })
    )
    if (again.ok) moreColdStarts.push(again.value)
    else report(`${games} games, fresh process ${start + 1} failed: ${again.error.split('\n')[0]}`)
  }
  let perState: Outcome<FunctionMeasurement> | null = null
  if (loaded.states.length > 1) {
    perState = await outcome(() =>
      measureFunction({
        port: options.port,
        env: options.functionEnv,
        bodies: loaded.states.map((state) => ({
          states: [state],
          prediction_date: options.predictionDate,
        })),
        onCall: (label, call) => onCall(`per state, ${label}`, call),
      })
    )
  }
  let onnxruntimeEngine: Outcome<FunctionMeasurement> | null = null
  if (options.engineComparisonAt?.includes(games)) {
    report(`${games} games: the onnxruntime-web engine`)
    onnxruntimeEngine = await outcome(() =>
      measureFunction({
        port: options.port,
        env: { ...options.functionEnv, SCORER_MODEL_ENGINE: 'onnxruntime-web' },
        bodies: [body, body],
        onCall: (label, call) => onCall(`onnxruntime-web, ${label}`, call),
      })
    )
  }
  let baseline: Outcome<BaselineResult> | null = null
  if (options.baseline) {
    report(`${games} games: per-game baseline`)
    baseline = await outcome(() =>
      runPerGameBaseline(sql, {
        models: localModelSource(),
        states: loaded.states,
        predictionDate: options.predictionDate,
        historyDays: SCORER_HISTORY_DAYS,
        onProgress: (done, total) => report(`${games} games: baseline ${done}/${total}`),
      })
    )
    if (baseline.ok) report(`${games} games: baseline ${baseline.value.wallMs.toFixed(0)} ms`)
    else report(`${games} games: baseline failed: ${baseline.error}`)
  }
  return {
    games: loaded.activeGames,
    states: loaded.states,
    loadMs: loaded.loadMs,
    snapshots: loaded.snapshots,
    single,
    moreColdStarts,
    perState,
    onnxruntimeEngine,
    baseline,
  }
}

/** Runs the benchmark; the database must be up. Cleans up its games and the model registry. */
export async function runBenchmark(
  sql: Sql,
  benchOptions: BenchOptions,
): Promise<BenchReport> {
  // What one invocation costs at each size, also above the function's bound on games in flight
  // (6,000 by default: a larger single request gets 422), which this run lifts to its largest size.
  const options: BenchOptions = {
    ...benchOptions,
    functionEnv: {
      SCORER_MAX_GAMES_IN_FLIGHT: String(Math.max(6_000, ...benchOptions.games)),
      ...benchOptions.functionEnv,
    },
  }
  const started = performance.now()
  const startedAt = new Date().toISOString()
  const loadStart = loadavg()[0] ?? 0
  const { model, result: sizes } = await withBenchModel(sql, options, async () => {
    await primeDenoCaches(options.port, options.functionEnv)
    const sizes: SizeResult[] = []
    for (const games of options.games) sizes.push(await measureSize(sql, games, options))
    return sizes
  })
  return {
    model,
    predictionDate: options.predictionDate,
    warmCalls: options.warmCalls,
    sizes,
    startedAt,
    elapsedMs: performance.now() - started,
    loadAverage: { start: loadStart, end: loadavg()[0] ?? 0 },
  }
}
