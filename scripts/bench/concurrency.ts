/**
 * The concurrency benchmark (`npm run bench -- --concurrency 1,4,16`): loads one benchmark state
 * per concurrent request at most, then for each level N serves the real function in a fresh
 * process (its defaults: the instance's bounds on runs and games in flight), scores one request
 * to load the model, and sends `rounds` bursts of N simultaneous non-dry requests, one state
 * each, as the nightly fan-out does. Per level: every answer's status and latency, the games
 * scored, refusals by code (never retried here: retrying is the nightly dispatcher's job), and
 * the process's peak RSS. Optionally a level again with those bounds lifted, for comparison.
 * Cleans up its games and the model registry.
 */
import type { Sql } from 'postgres'
import { localServiceRoleKey } from '../local-stack/config.ts'
import { spawnFunction } from '../local-stack/function-server.ts'
import { loadBenchGames } from './games.ts'
import { type BenchModel, type BenchModelChoice, withBenchModel } from './models.ts'
import { peakRssMb } from './process-stats.ts'

/** What to run. */
export interface ConcurrencyOptions {
  /** Concurrent requests per burst, one level each (e.g. 1, 4, 16). */
  levels: number[]
  /** Benchmark states loaded (requests cycle through them); at least the largest level. */
  states: number
  /** Active games per state. */
  gamesPerState: number
  /** Bursts per level. */
  rounds: number
  port: number
  model: BenchModelChoice
  predictionDate: string
  /** Extra environment of the function process (e.g. other bounds). */
  functionEnv?: Record<string, string>
  /**
   * Levels measured once more with the instance's bounds lifted (what the function did before
   * admission), for comparison.
   */
  unboundedAt?: number[]
  onProgress: (line: string) => void
}

/** One answer. */
export interface ConcurrentCall {
  state: string
  status: number
  /** The error code of a non-2xx answer. */
  code: string | null
  wallMs: number
  scored: number
}

/** One level's measurements. */
export interface LevelResult {
  concurrency: number
  /** False when the instance's bounds on runs and games in flight were lifted. */
  bounded: boolean
  calls: ConcurrentCall[]
  /** From the first burst's start to the last answer, in ms. */
  elapsedMs: number
  peakRssMb: number
  /** Set when the process died or stopped answering. */
  error: string | null
}

/** A whole concurrency run. */
export interface ConcurrencyReport {
  model: BenchModel
  states: number
  gamesPerState: number
  rounds: number
  predictionDate: string
  levels: LevelResult[]
}

async function call(url: string, state: string, predictionDate: string): Promise<ConcurrentCall> {
  const started = performance.now()
  const response = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${localServiceRoleKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ states: [state], prediction_date: predictionDate }),
    signal: AbortSignal.timeout(120_000),
  })
  const body = await response.json() as { scored?: number; error?: { code?: string } }
  return {
    state,
    status: response.status,
    code: response.ok ? null : body.error?.code ?? null,
    wallMs: performance.now() - started,
    scored: response.ok ? Number(body.scored) : 0,
  }
}

/** The bounds lifted: more runs and games in flight than any level sends. */
const UNBOUNDED_ENV = { SCORER_MAX_RUNS_IN_FLIGHT: '64', SCORER_MAX_GAMES_IN_FLIGHT: '1000000' }

async function measureLevel(
  level: { concurrency: number; bounded: boolean },
  states: string[],
  options: ConcurrencyOptions,
): Promise<LevelResult> {
  const { concurrency, bounded } = level
  const env = bounded ? options.functionEnv : { ...options.functionEnv, ...UNBOUNDED_ENV }
  const server = await spawnFunction({ port: options.port, env })
  const pid = server.process.pid
  const calls: ConcurrentCall[] = []
  const started = performance.now()
  try {
    if (pid === undefined) throw new Error('The function has no process id')
    await server.answering()
    // The model loads on the first request: not part of what the bursts measure.
    await call(server.url, states[0] as string, options.predictionDate)
    const burstsStarted = performance.now()
    let next = 0
    for (let round = 0; round < options.rounds; round++) {
      const burst = Array.from({ length: concurrency }, () => states[next++ % states.length])
      calls.push(
        ...await Promise.all(
          burst.map((state) => call(server.url, state as string, options.predictionDate)),
        ),
      )
      options.onProgress(
        `concurrency ${concurrency}${bounded ? '' : ' (no bounds)'}: round ${
          round + 1
        }/${options.rounds} done`,
      )
    }
    return {
      concurrency,
      bounded,
      calls,
      elapsedMs: performance.now() - burstsStarted,
      peakRssMb: peakRssMb(pid),
      error: null,
    }
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    const output = server.output().split('\n').slice(-5).join('\n')
    return {
      concurrency,
      bounded,
      calls,
      elapsedMs: performance.now() - started,
      peakRssMb: Number.NaN,
      error: `${reason.split('\n')[0]}; function output: ${output}`,
    }
  } finally {
    await server.stop()
  }
}

/** Runs the concurrency benchmark; the database must be up. */
export async function runConcurrencyBenchmark(
  sql: Sql,
  options: ConcurrencyOptions,
): Promise<ConcurrencyReport> {
  const largest = Math.max(...options.levels, ...(options.unboundedAt ?? []))
  if (options.states < largest) {
    throw new Error(`Cannot benchmark: --states (${options.states}) below the largest level`)
  }
  const { model, result: levels } = await withBenchModel(sql, options, async () => {
    const loaded = await loadBenchGames(sql, {
      games: options.states * options.gamesPerState,
      stateCount: options.states,
      historyDays: 35,
      asOfDate: options.predictionDate,
      onProgress: (line) => options.onProgress(`loading: ${line}`),
    })
    const plan = [
      ...options.levels.map((concurrency) => ({ concurrency, bounded: true })),
      ...(options.unboundedAt ?? []).map((concurrency) => ({ concurrency, bounded: false })),
    ]
    const levels: LevelResult[] = []
    for (const level of plan) {
      options.onProgress(
        `concurrency ${level.concurrency}${level.bounded ? '' : ' (no bounds)'}: fresh process`,
      )
      levels.push(await measureLevel(level, loaded.states, options))
    }
    return levels
  })
  return {
    model,
    states: options.states,
    gamesPerState: options.gamesPerState,
    rounds: options.rounds,
    predictionDate: options.predictionDate,
    levels,
  }
}
