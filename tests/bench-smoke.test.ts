/**
 * A 50-game run of the benchmark (`npm run bench`), no thresholds: the games load, the real
 * function is served and timed cold (two fresh processes) and warm, the per-game baseline scores
 * the same games, the report renders, and afterwards the benchmark's games are gone and the
 * model that was active is active again. Serves the function on its own port (54361).
 */
import type postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ALL_BENCH_STATES } from '../scripts/bench/games.ts'
import { renderMarkdown, renderSvg } from '../scripts/bench/report.ts'
import { type BenchReport, runBenchmark } from '../scripts/bench/run.ts'
import { headlineJson, summarizeSize } from '../scripts/bench/summary.ts'
import { activeVersion } from '../scripts/models/registry.ts'
import { todayInChicago } from '../supabase/functions/_shared/http/request.ts'
import { connect } from './helpers/database.ts'

let sql: postgres.Sql
let activeBefore: string | null
let report: BenchReport

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
    expect(size?.single.ok).toBe(true)
    if (!size?.single.ok) return
    const { first, warm, coldStartMs, peakRssMb, lastRunMemory } = size.single.value
    expect(first.scored + first.skipped).toBe(50)
    expect(warm).toHaveLength(1)
    expect(coldStartMs).toBeGreaterThan(first.wallMs)
    expect(first.phases.total).toBeGreaterThan(0)
    expect(peakRssMb).toBeGreaterThan(0)
    expect(lastRunMemory?.heap_used).toBeGreaterThan(0)
    expect(size.moreColdStarts).toHaveLength(1)
    const summary = summarizeSize(size)
    expect('error' in summary.single ? 0 : summary.single.coldRuns).toBe(2)
  })

  it('runs the per-game baseline on the same games', () => {
    const baseline = report.sizes[0]?.baseline
    expect(baseline?.ok).toBe(true)
    if (!baseline?.ok) return
    expect(baseline.value.games).toBe(50)
    const single = report.sizes[0]?.single
    if (single?.ok) expect(baseline.value.scored).toBe(single.value.first.scored)
    expect(summarizeSize(report.sizes[0] as BenchReport['sizes'][number]).baselineRatio)
      .toBeGreaterThan(0)
  })

  it('renders the table, the plot and the JSON line', () => {
    const machine = {
      cpuModel: 'test CPU',
      cores: 2,
      memoryGb: 1,
      deno: 'x',
      node: 'y',
      postgres: 'z',
    }
    const markdown = renderMarkdown(report, machine, 'npm run bench -- --games 50')
    expect(markdown).toContain('| 50 |')
    expect(markdown).toContain('test CPU')
    const svg = renderSvg(report)
    expect(svg.startsWith('<svg')).toBe(true)
    expect(svg).toContain('</svg>')
    expect(headlineJson(report)).toMatchObject({ games: 50, model: 'bench-fixture' })
  })

  it('removes its games and restores the active model', async () => {
    const [left] = await sql<{ count: number }[]>`
      select count(*)::int as count from public.games where state = any(${ALL_BENCH_STATES})`
    expect(left?.count).toBe(0)
    expect(await activeVersion(sql)).toBe(activeBefore)
  })
})
