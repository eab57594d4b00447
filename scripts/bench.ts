/**
 * `npm run bench`: times the score-games function at growing numbers of active games against a
 * per-game baseline, and rewrites docs/benchmarks.md and docs/benchmarks.svg (issue 7); with
 * `--concurrency`, measures concurrent requests instead (issue 12) and rewrites only the
 * concurrency section of docs/benchmarks.md.
 *
 *   npm run bench -- [--games 50,500,5000,20000] [--json] [--port 54321] [--warm 3] [--cold 3]
 *     [--model auto|default|production-size|fixture] [--no-baseline] [--no-engine-comparison]
 *     [--no-docs]
 *   npm run bench -- --concurrency 1,4,16 [--states 16] [--games-per-state 1000] [--rounds 3]
 *     [--no-unbounded] [--json] [--port 54321] [--model ...] [--no-docs]
 *
 * Starts the local stack if it is not running (and stops it afterwards), loads the games under
 * benchmark states of their own and removes them at the end. Progress goes to stderr; a results
 * table to stdout, and with `--json` the last stdout line is one JSON object: the numbers at
 * 5,000 games (`cpu_ms`, `wall_ms`, `peak_rss_mb`, `cold_start_ms`, `baseline_ratio`, ...), or
 * per concurrency level (`games_per_second`, `p50_ms`, `p99_ms`, `busy`, `peak_rss_mb`, ...).
 */
import { loadavg } from 'node:os'
import postgres from 'postgres'
import { todayInChicago } from '../supabase/functions/_shared/http/request.ts'
import { start as startStack, stop as stopStack } from './db.ts'
import { dbUrl, functionsPort } from './local-stack/config.ts'
import { isRunning } from './local-stack/postgres.ts'
import { describeMachine, writeBenchDocs } from './bench/report.ts'
import type { BenchModelChoice } from './bench/models.ts'
import { runBenchmark } from './bench/run.ts'
import { runConcurrencyBenchmark } from './bench/concurrency.ts'
import {
  concurrencyJson,
  levelFailures,
  renderConcurrencySection,
  summarizeLevel,
  writeConcurrencySection,
} from './bench/concurrency-report.ts'
import { headlineJson, sizeFailures, summarizeSize } from './bench/summary.ts'
import { TARGET_GAMES } from './bench/targets.ts'
import { type CliValues, parseCli, runMain } from './lib/cli.ts'
import { progress } from './lib/progress.ts'

const MODEL_CHOICES = ['auto', 'default', 'production-size', 'fixture'] as const

const OPTIONS = {
  games: { type: 'string' },
  port: { type: 'string' },
  model: { type: 'string' },
  warm: { type: 'string' },
  cold: { type: 'string' },
  'no-baseline': { type: 'boolean' },
  'no-engine-comparison': { type: 'boolean' },
  'no-docs': { type: 'boolean' },
  json: { type: 'boolean' },
  concurrency: { type: 'string' },
  states: { type: 'string' },
  'games-per-state': { type: 'string' },
  rounds: { type: 'string' },
  'no-unbounded': { type: 'boolean' },
} as const

type Values = CliValues<typeof OPTIONS>

function listOption(values: Values, name: 'games' | 'concurrency', fallback: string): number[] {
  const text = values[name] ?? fallback
  const list = text.split(',').map((part) => Number(part.trim()))
  if (list.some((item) => !Number.isInteger(item) || item < 1)) {
    throw new Error(`Cannot benchmark: --${name} must be positive integers, not ${text}`)
  }
  return list
}

type IntegerOption = 'port' | 'warm' | 'cold' | 'states' | 'games-per-state' | 'rounds'

function integerOption(values: Values, name: IntegerOption, fallback: number): number {
  const value = Number(values[name] ?? fallback)
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`Cannot benchmark: --${name} must be a non-negative integer`)
  }
  return value
}

function modelOption(values: Values): BenchModelChoice {
  const value = values.model ?? 'auto'
  const match = MODEL_CHOICES.find((choice) => choice === value)
  if (!match) throw new Error(`Cannot benchmark: --model must be ${MODEL_CHOICES.join(' | ')}`)
  return match
}

function commandLine(args: string[]): string {
  return ['npm run bench', ...(args.length > 0 ? ['--', ...args] : [])].join(' ')
}

/** Options of the sizes run that mean nothing to the concurrency run. */
const SIZES_ONLY = ['games', 'warm', 'cold', 'no-baseline', 'no-engine-comparison'] as const

async function concurrencyMain(sql: postgres.Sql, values: Values, args: string[]): Promise<void> {
  const misplaced = SIZES_ONLY.filter((name) => values[name] !== undefined)
  if (misplaced.length > 0) {
    throw new Error(`Cannot benchmark: --${misplaced.join(', --')} not with --concurrency`)
  }
  const levels = listOption(values, 'concurrency', '1,4,16')
  const startedAt = new Date().toISOString()
  const loadStart = loadavg()[0] ?? 0
  const report = await runConcurrencyBenchmark(sql, {
    levels,
    states: integerOption(values, 'states', Math.max(16, ...levels)),
    gamesPerState: integerOption(values, 'games-per-state', 1_000),
    rounds: Math.max(1, integerOption(values, 'rounds', 3)),
    unboundedAt: values['no-unbounded'] ? [] : [Math.max(...levels)],
    port: integerOption(values, 'port', functionsPort),
    model: modelOption(values),
    predictionDate: todayInChicago(),
    onProgress: progress,
  })
  const failures = report.levels.map(summarizeLevel).flatMap(levelFailures)
  if (!values['no-docs'] && failures.length === 0) {
    writeConcurrencySection(
      renderConcurrencySection(report, await describeMachine(sql), {
        command: commandLine(args),
        startedAt,
        loadAverage: { start: loadStart, end: loadavg()[0] ?? 0 },
      }),
    )
    progress('wrote the concurrency section of docs/benchmarks.md')
  }
  for (const level of report.levels.map(summarizeLevel)) {
    console.log(
      level.error
        ? `concurrency ${level.concurrency}: failed: ${level.error}`
        : `concurrency ${level.concurrency}${level.bounded ? '' : ' (no bounds)'}: ` +
          `${level.succeeded}/${level.requests} scored, ` +
          `${level.busy} busy (429), ${level.conflicts} overlapping (409), ${level.failed} other; ` +
          `${level.gamesPerSecond.toFixed(0)} games/s, p50 ${level.p50Ms.toFixed(0)} ms, ` +
          `p99 ${level.p99Ms.toFixed(0)} ms, peak RSS ${level.peakRssMb.toFixed(0)} MB`,
    )
  }
  if (values.json) console.log(JSON.stringify(concurrencyJson(report)))
  failIfAny(failures)
}

/** A benchmark with a failed measurement exits non-zero and leaves docs/benchmarks.md alone. */
function failIfAny(failures: string[]): void {
  if (failures.length === 0) return
  throw new Error(
    `Cannot benchmark: ${failures.length} measurement(s) failed, docs/benchmarks.md not ` +
      `written:\n${failures.join('\n')}`,
  )
}

async function main(args: string[]): Promise<void> {
  const values = parseCli(args, OPTIONS)
  const stackWasRunning = isRunning()
  if (!stackWasRunning) await startStack()
  const sql = postgres(dbUrl, { max: 4, onnotice: () => {} })
  try {
    if (values.concurrency !== undefined) {
      await concurrencyMain(sql, values, args)
      return
    }
    const games = listOption(values, 'games', '50,500,5000,20000')
    const report = await runBenchmark(sql, {
      games,
      port: integerOption(values, 'port', functionsPort),
      model: modelOption(values),
      warmCalls: integerOption(values, 'warm', 3),
      coldStarts: Math.max(1, integerOption(values, 'cold', 3)),
      predictionDate: todayInChicago(),
      baseline: !values['no-baseline'],
      engineComparisonAt: values['no-engine-comparison'] ? [] : [TARGET_GAMES],
      onProgress: progress,
    })
    const failures = report.sizes.map(summarizeSize).flatMap(sizeFailures)
    if (!values['no-docs'] && failures.length === 0) {
      writeBenchDocs(report, await describeMachine(sql), commandLine(args))
      progress('wrote docs/benchmarks.md and docs/benchmarks.svg')
    }
    for (const size of report.sizes.map(summarizeSize)) {
      const single = 'error' in size.single ? null : size.single
      console.log(
        single
          ? `${size.games} games: cold start ${single.coldStartMs.toFixed(0)} ms, cold call ${
            single.firstWallMs.toFixed(0)
          } ms (${single.firstCpuMs.toFixed(0)} ms CPU), warm call ${
            single.warmWallMs.toFixed(0)
          } ms (${single.warmCpuMs.toFixed(0)} ms CPU), peak RSS ${
            single.peakRssMb.toFixed(0)
          } MB, baseline ${size.baselineMs?.toFixed(0) ?? '–'} ms (${
            size.baselineRatio?.toFixed(1) ?? '–'
          }x)`
          : `${size.games} games: failed: ${'error' in size.single ? size.single.error : ''}`,
      )
    }
    if (values.json) console.log(JSON.stringify(headlineJson(report)))
    failIfAny(failures)
  } finally {
    await sql.end()
    if (!stackWasRunning) stopStack()
  }
}

await runMain(import.meta.url, main)
