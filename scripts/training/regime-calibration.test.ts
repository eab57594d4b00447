import { describe, expect, it } from 'vitest'
import { createRandom } from '../lib/random.ts'
import { featureMatrix, predictTrees } from './gbm/model.ts'
import {
  calibrateRegimes,
  conformalShift,
  MIN_REGIME_ROWS,
  quantileEdges,
  regimeOf,
  regimeTree,
} from './regime-calibration.ts'
import {
  ABOVE_PAR_BIN_EDGES,
  fitAboveParCalibration,
  reliabilityTable,
} from './above-par-calibration.ts'
import { calibrateAbovePar } from '../../supabase/functions/_shared/scoring/above-par.ts'

/**
 * A small fixture: two features, the first picks a calm (noise sd 0.01) or a wild (sd 0.05)
 * regime, the second is noise. The raw interval is ±0.02 around the truth's mean everywhere:
 * too wide for the calm regime, far too narrow for the wild one.
 */
function fixture(rows: number, seed: number) {
  const random = createRandom(seed)
  const values = new Float32Array(rows * 2)
  const truth = new Float64Array(rows)
  const p10 = new Float64Array(rows)
  const p90 = new Float64Array(rows)
  for (let row = 0; row < rows; row++) {
    const wild = random.float() < 0.5
    values[row * 2] = wild ? 1 : 0
    values[row * 2 + 1] = random.float()
    const mean = 0.7
    truth[row] = mean + random.normal(0, wild ? 0.05 : 0.01)
    p10[row] = mean - 0.02
    p90[row] = mean + 0.02
  }
  const scores = truth.map((y, row) => Math.max((p10[row] as number) - y, y - (p90[row] as number)))
  return { matrix: featureMatrix(values, 2), truth, p10, p90, scores }
}

function coverage(
  rows: number[],
  truth: Float64Array,
  low: ArrayLike<number>,
  high: ArrayLike<number>,
) {
  return rows.filter((row) =>
    (truth[row] as number) >= (low[row] as number) &&
    (truth[row] as number) <= (high[row] as number)
  ).length / rows.length
}

describe('calibrateRegimes (Mondrian conformal) on a small fixture', () => {
  const splits = [{ featureIndex: 0, edges: [0.5] }]
  const calibration = fixture(4_000, 1)
  const result = calibrateRegimes(calibration.matrix, calibration.scores, { splits, coverage: 0.8 })

  it('narrows the calm regime and widens the wild one', () => {
    expect(result.shifts).toHaveLength(2)
    expect(result.shifts[0]).toBeLessThan(0)
    expect(result.shifts[1]).toBeGreaterThan(0.03)
    expect(result.rows[0]! + result.rows[1]!).toBe(4_000)
  })

  it('covers about 80% of fresh rows in each regime once the regime tree is appended', () => {
    const fresh = fixture(20_000, 2)
    const shiftLow = predictTrees(
      {
        loss: { kind: 'squared_error' },
        featureCount: 2,
        baseValue: 0,
        trees: [regimeTree(result, -1)],
      },
      fresh.matrix,
    )
    const shiftHigh = predictTrees(
      {
        loss: { kind: 'squared_error' },
        featureCount: 2,
        baseValue: 0,
        trees: [regimeTree(result, 1)],
      },
      fresh.matrix,
    )
    const low = fresh.p10.map((value, row) => value + (shiftLow[row] as number))
    const high = fresh.p90.map((value, row) => value + (shiftHigh[row] as number))
    for (const regime of [0, 1]) {
      const rows = [...fresh.truth.keys()].filter((row) =>
        regimeOf(splits, fresh.matrix, row) === regime
      )
      const covered = coverage(rows, fresh.truth, low, high)
      expect(covered).toBeGreaterThan(0.77)
      expect(covered).toBeLessThan(0.83)
    }
    // Uncalibrated, the wild regime was covered far less and the calm one far more.
    const wild = [...fresh.truth.keys()].filter((row) => regimeOf(splits, fresh.matrix, row) === 1)
    expect(coverage(wild, fresh.truth, fresh.p10, fresh.p90)).toBeLessThan(0.4)
  })

  it('gives a regime with too few rows the pooled shift', () => {
    const few = fixture(MIN_REGIME_ROWS + 100, 3)
    const onlyCalm = calibrateRegimes(few.matrix, few.scores, {
      splits: [{ featureIndex: 1, edges: [0.05] }],
      coverage: 0.8,
    })
    expect(onlyCalm.rows[0]).toBeLessThan(MIN_REGIME_ROWS)
    expect(onlyCalm.shifts[0]).toBe(onlyCalm.pooledShift)
  })

  it('takes the finite-sample conformal rank and quantile edges of the rows', () => {
    const scores = Float64Array.from({ length: 9 }, (_, i) => i)
    // ⌈(9 + 1) × 0.8⌉ = 8th smallest.
    expect(conformalShift(scores, 0.8)).toBe(7)
    const matrix = featureMatrix(Float32Array.from({ length: 100 }, (_, i) => i), 1)
    expect(quantileEdges(matrix, 0, [1 / 3, 2 / 3])).toEqual([33, 66])
  })
})

describe('fitAboveParCalibration on a small fixture', () => {
  /** Raw chances that are overconfident: the true chance is the raw one squared. */
  function overconfident(rows: number, seed: number) {
    const random = createRandom(seed)
    const raw = Float64Array.from({ length: rows }, () => random.float() ** 3)
    const above = Array.from(raw, (p) => random.float() < p * p)
    return { raw, above }
  }

  it('maps raw chances to calibrated ones: about p of the game-days given p are above par', () => {
    const fit = overconfident(40_000, 4)
    const calibration = fitAboveParCalibration(fit.raw, fit.above)
    const knots = calibration.knots
    knots.forEach((knot, i) => {
      if (i === 0) return
      expect(knot[0]).toBeGreaterThan(knots[i - 1]![0])
      expect(knot[1]).toBeGreaterThanOrEqual(knots[i - 1]![1])
    })
    const fresh = overconfident(40_000, 5)
    const calibrated = Array.from(fresh.raw, (p) => calibrateAbovePar(p, calibration))
    for (const bin of reliabilityTable(calibrated, fresh.above)) {
      if (bin.gameDays < 1_000) continue
      expect(Math.abs(bin.shareAbovePar - bin.meanProbability)).toBeLessThan(0.03)
    }
    // Uncalibrated, the same fresh rows are far off in the upper bins.
    const raw = reliabilityTable(fresh.raw, fresh.above).filter((bin) => bin.gameDays >= 1_000)
    expect(raw.some((bin) => bin.meanProbability - bin.shareAbovePar > 0.1)).toBe(true)
  })

  it('bins every chance, the last bin reaching 1', () => {
    expect(ABOVE_PAR_BIN_EDGES.at(-1)).toBe(1)
    const table = reliabilityTable([0, 0.5, 1], [false, true, true])
    expect(table.reduce((sum, bin) => sum + bin.gameDays, 0)).toBe(3)
  })
})
