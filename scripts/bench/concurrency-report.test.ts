import { describe, expect, it } from 'vitest'
import type { ConcurrentCall } from './concurrency.ts'
import { levelFailures, percentile, summarizeLevel } from './concurrency-report.ts'

function call(status: number, wallMs: number, scored = 0): ConcurrentCall {
  return { state: 'QA', status, code: status === 200 ? null : 'x', wallMs, scored }
}

describe('concurrency numbers', () => {
  it('takes percentiles by nearest rank', () => {
    expect(percentile([5, 1, 4, 2, 3], 50)).toBe(3)
    expect(percentile([5, 1, 4, 2, 3], 99)).toBe(5)
    expect(percentile([7], 99)).toBe(7)
    expect(percentile([], 50)).toBeNaN()
  })

  it('counts answers by kind and measures latency on the succeeded ones only', () => {
    const summary = summarizeLevel({
      concurrency: 4,
      bounded: true,
      calls: [call(200, 100, 10), call(200, 300, 10), call(429, 5), call(409, 8), call(503, 50)],
      elapsedMs: 500,
      peakRssMb: 120,
      error: null,
    })
    expect(summary).toMatchObject({
      requests: 5,
      succeeded: 2,
      busy: 1,
      conflicts: 1,
      failed: 1,
      gamesScored: 20,
      gamesPerSecond: 40,
      p50Ms: 100,
      p99Ms: 300,
      slowestRefusalMs: 8,
    })
  })

  it('names a level whose requests failed, or that failed itself, and nothing else', () => {
    const level = (calls: ConcurrentCall[], error: string | null = null) =>
      summarizeLevel({ concurrency: 4, bounded: false, calls, elapsedMs: 1, peakRssMb: 1, error })
    expect(levelFailures(level([call(200, 1, 1), call(409, 1), call(429, 1)]))).toEqual([])
    expect(levelFailures(level([call(200, 1, 1), call(500, 1), call(503, 1)]))).toEqual([
      'concurrency 4 (no bounds): 2 of 3 requests failed (not 200, 409 or 429)',
    ])
    expect(levelFailures(level([], 'the process died\nits output'))).toEqual([
      'concurrency 4 (no bounds): the process died',
    ])
  })
})
