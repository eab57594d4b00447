import { describe, expect, it } from 'vitest'
import { sizeFailures, summarizeSize } from './summary.ts'
import type { SizeResult } from './run.ts'

const failed = (error: string) => ({ ok: false as const, error })

function size(overrides: Partial<SizeResult>): SizeResult {
  return {
    games: 500,
    states: ['QA'],
    loadMs: 1,
    snapshots: 1,
    single: failed('not measured in this test'),
    moreColdStarts: [],
    perState: null,
    onnxruntimeEngine: null,
    baseline: null,
    ...overrides,
  }
}

describe('a size whose measurements failed', () => {
  it('names each failed measurement, first line of its error only', () => {
    const summary = summarizeSize(size({
      single: failed('The function answered 500: internal_error\nstack'),
      perState: failed('fresh process died'),
      onnxruntimeEngine: failed('out of memory'),
      baseline: failed('function private.start_scoring_run(...) does not exist'),
    }))
    expect(sizeFailures(summary)).toEqual([
      '500 games, one request: The function answered 500: internal_error',
      '500 games, one request per state: fresh process died',
      '500 games, the onnxruntime-web engine: out of memory',
      '500 games, per-game baseline: function private.start_scoring_run(...) does not exist',
    ])
  })
})
