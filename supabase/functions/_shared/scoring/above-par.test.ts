import { describe, expect, it } from 'vitest'
import { calibrateAbovePar, probabilityAbovePar, rawAboveParProbability } from './above-par.ts'

describe('rawAboveParProbability (two-piece normal from the median and percentiles)', () => {
  it.each([
    ['a typical game: the whole interval far below par', 0.7, 0.65, 0.75, 0, 1e-12],
    ['the 90th percentile exactly at par: 10%', 0.9, 0.85, 1, 0.1, 1e-9],
    ['the median exactly at par: 50%', 1, 0.95, 1.05, 0.5, 1e-9],
    ['the 10th percentile exactly at par: 90%', 1.1, 1, 1.2, 0.9, 1e-9],
    ['a degenerate interval below par', 0.8, 0.8, 0.8, 0, 0],
    ['a degenerate interval above par', 1.2, 1.2, 1.2, 1, 0],
  ])('%s', (_name, expectedReturn, expectedReturnLow, expectedReturnHigh, expected, tolerance) => {
    const raw = rawAboveParProbability({ expectedReturn, expectedReturnLow, expectedReturnHigh })
    expect(Math.abs(raw - expected)).toBeLessThanOrEqual(tolerance + 1e-7)
  })

  it('rises with the upper percentile', () => {
    const at = (high: number) =>
      rawAboveParProbability({
        expectedReturn: 0.9,
        expectedReturnLow: 0.85,
        expectedReturnHigh: high,
      })
    expect(at(0.95)).toBeLessThan(at(1))
    expect(at(1)).toBeLessThan(at(1.05))
  })
})

describe('calibrateAbovePar', () => {
  const calibration = { knots: [[0, 0], [0.1, 0.02], [0.5, 0.3], [1, 1]] as const }

  it.each([[0, 0], [0.05, 0.01], [0.1, 0.02], [0.3, 0.16], [0.75, 0.65], [1, 1]])(
    'maps %d to %d (linear between knots)',
    (raw, expected) => expect(calibrateAbovePar(raw, calibration)).toBeCloseTo(expected, 12),
  )

  it('uses the raw chance when the model carries no map, and stays in [0, 1]', () => {
    const interval = { expectedReturn: 0.9, expectedReturnLow: 0.85, expectedReturnHigh: 1 }
    expect(probabilityAbovePar(interval, null)).toBeCloseTo(0.1, 6)
    expect(probabilityAbovePar(interval, calibration)).toBeCloseTo(0.02, 6)
  })
})
