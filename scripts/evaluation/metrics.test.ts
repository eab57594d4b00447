import { describe, expect, it } from 'vitest'
import {
  averageRanks,
  intervalCoverage,
  meanAbsoluteError,
  meanError,
  meanSpearmanByGroup,
  spearmanCorrelation,
} from './metrics.ts'

describe('meanAbsoluteError and meanError', () => {
  it('average the absolute and the signed differences', () => {
    expect(meanAbsoluteError([0.7, 0.6, 0.9], [0.6, 0.8, 0.9])).toBeCloseTo(0.1, 12)
    expect(meanError([0.7, 0.6, 0.9], [0.6, 0.8, 0.9])).toBeCloseTo(-0.1 / 3, 12)
  })

  it.each([
    [[1, 2], [1]],
    [[], []],
  ])('refuse unpaired or empty input', (predicted, actual) => {
    expect(() => meanAbsoluteError(predicted, actual)).toThrow(/^Cannot compare: /)
  })
})

describe('spearmanCorrelation', () => {
  it.each([
    ['identical order', [1, 2, 3, 4], [10, 20, 30, 40], 1],
    ['reversed order', [1, 2, 3, 4], [4, 3, 2, 1], -1],
    ['monotone but not linear', [1, 2, 3, 4], [1, 4, 9, 100], 1],
    // Ranks [1, 2, 3, 4] vs [2, 1, 4, 3]: 1 − 6·Σd²/(n(n²−1)) = 1 − 6·4/60 = 0.6.
    ['two swaps', [1, 2, 3, 4], [2, 1, 4, 3], 0.6],
  ])('%s', (_name, predicted, actual, expected) => {
    expect(spearmanCorrelation(predicted, actual)).toBeCloseTo(expected, 12)
  })

  it('gives tied values their mean rank', () => {
    expect(averageRanks([5, 1, 5, 3])).toEqual([3.5, 1, 3.5, 2])
  })

  it('is undefined for a constant side or a single pair', () => {
    expect(spearmanCorrelation([1, 2, 3], [7, 7, 7])).toBeNull()
    expect(spearmanCorrelation([1], [2])).toBeNull()
  })
})

describe('meanSpearmanByGroup', () => {
  it('averages the correlation within each group, skipping undefined ones', () => {
    const rows = [
      { group: 'MN 2025-01-01', predicted: 1, actual: 1 },
      { group: 'MN 2025-01-01', predicted: 2, actual: 2 },
      { group: 'MN 2025-01-02', predicted: 1, actual: 2 },
      { group: 'MN 2025-01-02', predicted: 2, actual: 1 },
      { group: 'MN 2025-01-03', predicted: 1, actual: 5 },
    ]
    expect(meanSpearmanByGroup(rows)).toEqual({ mean: 0, groups: 2 })
  })
})

describe('intervalCoverage', () => {
  it('counts true values inside their interval, bounds included', () => {
    const intervals = [{ low: 0, high: 1 }, { low: 0.5, high: 0.6 }, { low: 2, high: 3 }, {
      low: 1,
      high: 1,
    }]
    expect(intervalCoverage(intervals, [1, 0.7, 2.5, 1])).toBe(0.75)
  })
})
