/**
 * `npm run bench`: times the score-games function at growing numbers of active games against a
 * per-game baseline, and rewrites docs/benchmarks.md and docs/benchmarks.svg (issue 7).
 *
 *   npm run bench -- [--games 50,500,5000,20000] [--json] [--port 54321] [--warm 3] [--cold 3]
 *     [--model auto|default|production-size|fixture] [--no-baseline] [--no-engine-comparison]
 *     [--no-docs]
 *
 * Starts the local stack if it is not running (and stops it afterwards), loads the games under
 * benchmark states of their own and removes them at the end. Progress goes to stderr; a results
 * table to stdout, and with `--json` the last stdout line is one JSON object with the numbers at
 * 5,000 games (`cpu_ms`, `wall_ms`, `peak_rss_mb`, `cold_start_ms`, `baseline_ratio`, ...).
 */
import postgres from 'postgres'
import { todayInChicago } from '../supabase/functions/_shared/http/request.ts'
import { start as startStack, stop as stopStack } from './db.ts'
import { dbUrl, functionsPort } from './local-stack/config.ts'
import { isRunning } from './local-stack/postgres.ts'
import { describeMachine, writeBenchDocs } from './bench/report.ts'
import type { BenchModelChoice } from './bench/models.ts'
import { runBenchmark } from './bench/run.ts'
import { headlineJson, summarizeSize } from './bench/summary.ts'
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
} as const

type Values = CliValues<typeof OPTIONS>

function sizesOption(values: Values): number[] {
  const text = values.games ?? '50,500,5000,20000'
  const sizes = text.split(',').map((part) => Number(part.trim()))
  if (sizes.some((size) => !Number.isInteger(size) || size < 1)) {
    throw new Error(`Cannot benchmark: --games must be positive integers, not ${text}`)
  }
  return sizes
}

function integerOption(values: Values, name: 'port' | 'warm' | 'cold', fallback: number): number {
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

async function main(args: string[]): Promise<void> {
  const values = parseCli(args, OPTIONS)
  const games = sizesOption(values)
  const stackWasRunning = isRunning()
  if (!stackWasRunning) await startStack()
  const sql = postgres(dbUrl, { max: 4, onnotice: () => {} })
  try {
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
    if (!values['no-docs']) {
      const command = ['npm run bench', ...(args.length > 0 ? ['--', ...args] : [])].join(' ')
      writeBenchDocs(report, await describeMachine(sql), command)
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
  } finally {
    await sql.end()
    if (!stackWasRunning) stopStack()
  }
}

await runMain(import.meta.url, main)
