import { describe, expect, it } from 'vitest'
import {
  evaluateReturnPredictor,
  type ReturnPredictor,
  standardEstimatorPredictor,
} from './evaluation.ts'
import {
  HELD_OUT_PORTFOLIOS,
  HELD_OUT_SEEDS,
  isHeldOutSeed,
  trainingSeeds,
} from './evaluation-set.ts'
import type { PortfolioOptions } from '../market-sim/simulator.ts'

const small: PortfolioOptions[] = [
  { seed: 1, publication: 'minnesota', startDate: '2025-01-01', days: 4, activeGames: 12 },
  { seed: 1, publication: 'all_tiers', startDate: '2025-01-01', days: 4, activeGames: 12 },
]

describe('evaluateReturnPredictor', () => {
  it('scores a predictor that knows the truth as perfect', async () => {
    const oracle: ReturnPredictor = (gameDays) =>
      gameDays.map(({ truth }) => ({
        estimate: truth.trueReturnPerDollar,
        low: truth.trueReturnPerDollar,
        high: truth.trueReturnPerDollar,
        fractionSold: truth.fractionSold,
      }))
    const reports = await evaluateReturnPredictor(small, { predictor: oracle })
    expect(reports.map((report) => report.publication)).toEqual(['minnesota', 'all_tiers'])
    for (const report of reports) {
      expect(report.meanAbsoluteError).toBe(0)
      expect(report.meanSpearman).toBeCloseTo(1, 12)
      expect(report.stateDays).toBe(4)
      expect(report.coverage80).toBe(1)
      expect(report.fractionSoldMeanAbsoluteError).toBe(0)
      expect(report.printedPayoutMeanAbsoluteError).toBeGreaterThan(0)
    }
  })

  it('measures the standard estimator with some error and counts refusals', async () => {
    const [minnesota] = await evaluateReturnPredictor(small.slice(0, 1), {
      predictor: standardEstimatorPredictor,
    })
    expect(minnesota?.meanAbsoluteError).toBeGreaterThan(0)
    expect(minnesota?.refused).toBe(0)
    const refuseFirst: ReturnPredictor = (gameDays) =>
      gameDays.map((_, i) => (i === 0 ? null : { estimate: 0.7, low: 0.6, high: 0.8 }))
    const [refusing] = await evaluateReturnPredictor(small.slice(0, 1), { predictor: refuseFirst })
    expect(refusing?.refused).toBe(4)
    expect(refusing?.fractionSoldMeanAbsoluteError).toBeNull()
  })
})

describe('evaluation set', () => {
  it('holds out each seed under both publication rules', () => {
    expect(HELD_OUT_PORTFOLIOS).toHaveLength(HELD_OUT_SEEDS.length * 2)
    expect(new Set(HELD_OUT_PORTFOLIOS.map((p) => p.publication))).toEqual(
      new Set(['minnesota', 'all_tiers']),
    )
  })

  it('gives training seeds disjoint from the held-out ones', () => {
    const seeds = trainingSeeds(1_000)
    expect(new Set(seeds).size).toBe(1_000)
    expect(seeds.some(isHeldOutSeed)).toBe(false)
  })
})
