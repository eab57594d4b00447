import { describe, expect, it } from 'vitest'
import {
  betaQuantile,
  logFactorial,
  logGamma,
  normalCdf,
  normalQuantile,
  regularizedIncompleteBeta,
} from './special-functions.ts'

describe('logGamma and logFactorial', () => {
  it.each([
    [0.5, 0.5723649429247001],
    [1, 0],
    [10, 12.801827480081469],
    [100.5, 361.43554046777757],
  ])('logGamma(%f) matches the reference value', (x, expected) => {
    expect(logGamma(x)).toBeCloseTo(expected, 10)
  })

  it('agrees with logGamma(k + 1) below and above the table boundary', () => {
    for (const k of [0, 1, 7, 255, 256, 1000, 2_000_000]) {
      expect(logFactorial(k)).toBeCloseTo(logGamma(k + 1), 6)
    }
  })
})

describe('normalQuantile', () => {
  it.each([
    [0.5, 0],
    [0.9, 1.2815515655446004],
    [0.025, -1.959963984540054],
    [1e-10, -6.361340902404056],
  ])('Φ⁻¹(%f) = %f', (p, expected) => {
    expect(normalQuantile(p)).toBeCloseTo(expected, 12)
  })
})

describe('betaQuantile', () => {
  // Reference values from scipy.stats.beta.ppf.
  it.each([
    [0.1, 0.5, 0.5, 0.0244717418524],
    [0.9, 0.5, 200.5, 0.00673263790544],
    [0.1, 0.5, 200.5, 3.94268425243e-05],
    [0.1, 2, 3, 0.14255931671],
    [0.9, 30.5, 170.5, 0.184802197961],
    [0.1, 1000.5, 3000.5, 0.241316215209],
    [0.9, 4000.5, 1_000_000, 0.00406534188392],
    [0.1, 0.5, 1_000_000, 7.89538898939e-09],
    [0.1, 1_000_000, 0.5, 0.999998647229],
    [0.9, 4365.5, 0.5, 0.999998191311],
  ])('quantile %f of Beta(%f, %f) matches scipy', (p, a, b, expected) => {
    const relativeError = Math.abs(betaQuantile(p, a, b) - expected) / expected
    expect(relativeError).toBeLessThan(1e-6)
  })

  it.each([0.05, 0.1, 0.5, 0.9, 0.99])('matches closed forms at p = %f', (p) => {
    // Beta(1, b): 1 - (1 - p)^(1/b); Beta(a, 1): p^(1/a); Beta(½, ½): sin²(πp/2).
    expect(betaQuantile(p, 1, 7)).toBeCloseTo(1 - Math.pow(1 - p, 1 / 7), 10)
    expect(betaQuantile(p, 3, 1)).toBeCloseTo(Math.pow(p, 1 / 3), 10)
    expect(betaQuantile(p, 0.5, 0.5)).toBeCloseTo(Math.sin((Math.PI * p) / 2) ** 2, 10)
  })

  it('inverts the incomplete beta function', () => {
    for (const [a, b] of [[2.5, 900], [50, 50], [12.5, 0.5], [0.5, 3]] as const) {
      for (const p of [0.1, 0.9]) {
        expect(regularizedIncompleteBeta(betaQuantile(p, a, b), a, b)).toBeCloseTo(p, 9)
      }
    }
  })
})

describe('normalCdf', () => {
  it.each([
    [0, 0.5],
    [1.2815515655446004, 0.9],
    [-1.2815515655446004, 0.1],
    [1.959963984540054, 0.975],
    [-3, 0.0013498980316301],
    [-5, 2.866515718791939e-7],
  ])('Φ(%d) = %d', (x, expected) => {
    expect(Math.abs(normalCdf(x) / expected - 1)).toBeLessThan(2e-7)
  })

  it('is the inverse of normalQuantile', () => {
    for (const p of [0.001, 0.02, 0.3, 0.5, 0.77, 0.999]) {
      expect(normalCdf(normalQuantile(p))).toBeCloseTo(p, 6)
    }
  })
})
