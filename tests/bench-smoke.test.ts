/**
 * A 50-game run of the benchmark (`npm run bench`), no speed thresholds: the games load, the real
 * function is served and timed cold (two fresh processes) and warm, the per-game baseline scores
 * the same games, the report renders, and afterwards the benchmark's games are gone and the
 * model that was active is active again. Then a small run of its concurrency mode (`--concurrency`)
 * against a function admitting 2 runs at once: bursts of 1 and 3 requests, the refusals counted,
 * the games scored exact, latency percentiles and peak RSS reported. Serves the function on ports
 * of its own (54361, 54362).
 */
import type postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ConcurrencyReport, runConcurrencyBenchmark } from '../scripts/bench/concurrency.ts'
import {
  concurrencyJson,
  renderConcurrencySection,
  summarizeLevel,
} from '../scripts/bench/concurrency-report.ts'
import { ALL_BENCH_STATES } from '../scripts/bench/games.ts'
import { renderMarkdown, renderSvg } from '../scripts/bench/report.ts'
import { type BenchReport, type Outcome, runBenchmark } from '../scripts/bench/run.ts'
import { headlineJson, summarizeSize } from '../scripts/bench/summary.ts'
import { activeVersion } from '../scripts/models/registry.ts'
import { todayInChicago } from '../supabase/functions/_shared/http/request.ts'
import { connect } from './helpers/database.ts'

/** A Deno process serving the function holds at least this much, and must stay under 256 MB. */
const MIN_RSS_MB = 40
const EDGE_MEMORY_MB = 256

const machine = {
  cpuModel: 'test CPU',
  cores: 2,
  memoryGb: 1,
  deno: 'x',
  node: 'y',
  postgres: 'z',
}

let sql: postgres.Sql
let activeBefore: string | null
let report: BenchReport
let concurrency: ConcurrencyReport

/** The value of a measurement that must have succeeded (its error otherwise). */
function value<T>(outcome: Outcome<T> | null | undefined): T {
  if (!outcome) throw new Error('The measurement was not made')
  if (!outcome.ok) throw new Error(`The measurement failed: ${outcome.error}`)
  return outcome.value
}

async function benchGamesLeft(): Promise<number> {
  const [left] = await sql<{ count: number }[]>`
    select count(*)::int as count from public.games where state = any(${ALL_BENCH_STATES})`
  return left?.count ?? -1
}

beforeAll(async () => {
  sql = connect()
  activeBefore = await activeVersion(sql)
  report = await runBenchmark(sql, {
    games: [50],
    port: 54361,
    model: 'fixture',
    warmCalls: 1,
    coldStarts: 2,
    predictionDate: todayInChicago(),
    baseline: true,
    onProgress: () => {},
  })
})

afterAll(async () => {
  await sql?.end()
})

describe('npm run bench (50 games)', () => {
  it('times the function cold and warm on 50 loaded games', () => {
    const [size] = report.sizes
    expect(size?.games).toBe(50)
    const { first, warm, coldStartMs, peakRssMb, lastRunMemory } = value(size?.single)
    expect(first.scored).toBe(50)
    expect(first.skipped).toBe(0)
    expect(warm).toHaveLength(1)
    expect(warm[0]?.scored).toBe(50)
    expect(coldStartMs).toBeGreaterThan(first.wallMs)
    expect(first.phases.total).toBeGreaterThan(0)
    expect(first.phases.total).toBeLessThanOrEqual(first.wallMs)
    expect(peakRssMb).toBeGreaterThan(MIN_RSS_MB)
    expect(peakRssMb).toBeLessThan(EDGE_MEMORY_MB)
    expect(lastRunMemory?.heap_used).toBeGreaterThan(1)
    expect(lastRunMemory?.heap_used).toBeLessThan(lastRunMemory?.rss ?? 0)
    expect(size?.moreColdStarts).toHaveLength(1)
    const summary = summarizeSize(size as BenchReport['sizes'][number])
    expect('error' in summary.single ? summary.single.error : summary.single.coldRuns).toBe(2)
  })

  it('runs the per-game baseline on the same games', () => {
    const size = report.sizes[0] as BenchReport['sizes'][number]
    const baseline = value(size.baseline)
    const single = value(size.single)
    expect(baseline.games).toBe(50)
    expect(baseline.scored).toBe(single.first.scored)
    const warmWallMs = single.warm[0]?.wallMs ?? Number.NaN
    expect(summarizeSize(size).baselineRatio).toBeCloseTo(baseline.wallMs / warmWallMs, 6)
  })

  it('renders the table, the plot and the JSON line', () => {
    const markdown = renderMarkdown(report, machine, 'npm run bench -- --games 50')
    expect(markdown).toContain('| 50 |')
    expect(markdown).toContain('test CPU')
    const svg = renderSvg(report)
    expect(svg.startsWith('<svg')).toBe(true)
    expect(svg).toContain('</svg>')
    expect(headlineJson(report)).toMatchObject({ games: 50, model: 'bench-fixture' })
  })

  it('removes its games and restores the active model', async () => {
    expect(await benchGamesLeft()).toBe(0)
    expect(await activeVersion(sql)).toBe(activeBefore)
  })
})

describe('npm run bench -- --concurrency 1,3 (3 states of 20 games, 2 runs admitted)', () => {
  beforeAll(async () => {
    concurrency = await runConcurrencyBenchmark(sql, {
      levels: [1, 3],
      states: 3,
      gamesPerState: 20,
      rounds: 2,
      port: 54362,
      model: 'fixture',
      predictionDate: todayInChicago(),
      functionEnv: { SCORER_MAX_RUNS_IN_FLIGHT: '2' },
      unboundedAt: [3],
      onProgress: () => {},
    })
  })

  it('scores every request of single bursts, exactly its games', () => {
    const one = summarizeLevel(concurrency.levels[0] as ConcurrencyReport['levels'][number])
    expect(one).toMatchObject({
      concurrency: 1,
      requests: 2,
      succeeded: 2,
      busy: 0,
      conflicts: 0,
      failed: 0,
      gamesScored: 40,
      error: null,
    })
    expect(one.p50Ms).toBeGreaterThan(0)
    expect(one.p50Ms).toBeLessThanOrEqual(one.p99Ms)
    expect(one.gamesPerSecond).toBeGreaterThan(0)
  })

  it('counts the refusals of bursts above the bound, and the games of the rest', () => {
    const three = summarizeLevel(concurrency.levels[1] as ConcurrencyReport['levels'][number])
    expect(three.requests).toBe(6)
    expect(three.failed).toBe(0)
    expect(three.succeeded + three.busy + three.conflicts).toBe(6)
    expect(three.busy).toBeGreaterThanOrEqual(1)
    expect(three.gamesScored).toBe(three.succeeded * 20)
    expect(three.slowestRefusalMs).toBeLessThan(1_000)
    expect(three.peakRssMb).toBeGreaterThan(MIN_RSS_MB)
    expect(three.peakRssMb).toBeLessThan(EDGE_MEMORY_MB)
  })

  it('measures the largest burst again with the bounds lifted: nothing refused', () => {
    const unbounded = summarizeLevel(concurrency.levels[2] as ConcurrencyReport['levels'][number])
    expect(unbounded).toMatchObject({
      concurrency: 3,
      bounded: false,
      requests: 6,
      busy: 0,
      gamesScored: unbounded.succeeded * 20,
    })
  })

  it('renders its section and JSON line, and cleans up', async () => {
    const section = renderConcurrencySection(concurrency, machine, {
      command: 'npm run bench -- --concurrency 1,3',
      startedAt: '2026-12-03T00:00:00.000Z',
      loadAverage: { start: 0.5, end: 0.7 },
    })
    expect(section).toMatch(/^<!-- concurrency:start/)
    expect(section).toContain('| 3 | 6 |')
    expect(section).toContain('| 3, no bounds | 6 |')
    expect(concurrencyJson(concurrency)).toMatchObject({
      levels: [{ concurrency: 1 }, { concurrency: 3 }, { concurrency: 3, bounded: false }],
    })
    expect(await benchGamesLeft()).toBe(0)
    expect(await activeVersion(sql)).toBe(activeBefore)
  })
})
