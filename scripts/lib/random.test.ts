import { describe, expect, it } from 'vitest'
import { createRandom, deriveSeed, type Random } from './random.ts'
import { logFactorial } from '../../supabase/functions/_shared/scoring/special-functions.ts'

const logChoose = (n: number, k: number) => logFactorial(n) - logFactorial(k) - logFactorial(n - k)

/** Pearson's chi-square of draws against a pmf on [low, high] (tails pooled into one bin). */
function chiSquare(draw: () => number, pmf: (k: number) => number, low: number, high: number) {
  const samples = 50_000
  const observed = new Map<number, number>()
  for (let i = 0; i < samples; i++) {
    const k = draw()
    const bin = k < low || k > high ? -1 : k
    observed.set(bin, (observed.get(bin) ?? 0) + 1)
  }
  let statistic = 0
  let inside = 0
  for (let k = low; k <= high; k++) {
    const expected = samples * pmf(k)
    inside += pmf(k)
    statistic += ((observed.get(k) ?? 0) - expected) ** 2 / expected
  }
  const tailExpected = samples * (1 - inside)
  statistic += ((observed.get(-1) ?? 0) - tailExpected) ** 2 / tailExpected
  return { statistic, bins: high - low + 2 }
}

/** Upper 0.1% point of chi-square with `df` degrees of freedom (Wilson–Hilferty). */
function chiSquareCritical(df: number): number {
  const z = 3.090232306167813
  return df * Math.pow(1 - 2 / (9 * df) + z * Math.sqrt(2 / (9 * df)), 3)
}

describe('createRandom', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const draws = (random: Random) => Array.from({ length: 5 }, () => random.float())
    expect(draws(createRandom(7))).toEqual(draws(createRandom(7)))
    expect(draws(createRandom(7))).not.toEqual(draws(createRandom(8)))
  })

  it('forks streams that depend only on the seed and label', () => {
    const first = createRandom(7)
    first.float()
    expect(first.fork(3).float()).toBe(createRandom(7).fork(3).float())
    expect(first.fork(3).float()).not.toBe(first.fork(4).float())
    expect(deriveSeed(7, 3)).not.toBe(deriveSeed(7, 4))
  })

  it('keeps floats in [0, 1) and integers in their inclusive range', () => {
    const random = createRandom(1)
    for (let i = 0; i < 10_000; i++) {
      const value = random.float()
      expect(value >= 0 && value < 1).toBe(true)
      const integer = random.integer(3, 5)
      expect(integer >= 3 && integer <= 5).toBe(true)
    }
  })
})

describe('count samplers follow their exact distributions', () => {
  const random = createRandom(2024)
  const cases: Array<[string, () => number, (k: number) => number, number, number]> = [
    [
      'binomial by inversion (n = 40, p = 0.1)',
      () => random.binomial(40, 0.1),
      (k) => Math.exp(logChoose(40, k) + k * Math.log(0.1) + (40 - k) * Math.log(0.9)),
      0,
      10,
    ],
    [
      'binomial by BTRD (n = 200, p = 0.3)',
      () => random.binomial(200, 0.3),
      (k) => Math.exp(logChoose(200, k) + k * Math.log(0.3) + (200 - k) * Math.log(0.7)),
      42,
      78,
    ],
    [
      'binomial with p > ½ (n = 200, p = 0.8)',
      () => random.binomial(200, 0.8),
      (k) => Math.exp(logChoose(200, k) + k * Math.log(0.8) + (200 - k) * Math.log(0.2)),
      148,
      172,
    ],
    [
      'Poisson by PTRS (mean 50)',
      () => random.poisson(50),
      (k) => Math.exp(-50 + k * Math.log(50) - logFactorial(k)),
      35,
      67,
    ],
    [
      'hypergeometric by HRUA (200 of 500, 100 drawn)',
      () => random.hypergeometric({ successes: 200, failures: 300 }, 100),
      (k) => Math.exp(logChoose(200, k) + logChoose(300, 100 - k) - logChoose(500, 100)),
      29,
      51,
    ],
    [
      'hypergeometric, few successes (7 of 10,007, 4,000 drawn)',
      () => random.hypergeometric({ successes: 7, failures: 10_000 }, 4_000),
      (k) => Math.exp(logChoose(7, k) + logChoose(10_000, 4_000 - k) - logChoose(10_007, 4_000)),
      0,
      6,
    ],
  ]
  it.each(cases)('%s', (_name, draw, pmf, low, high) => {
    const { statistic, bins } = chiSquare(draw, pmf, low, high)
    expect(statistic).toBeLessThan(chiSquareCritical(bins - 1))
  })

  it('handles degenerate counts', () => {
    expect(random.binomial(0, 0.5)).toBe(0)
    expect(random.binomial(10, 0)).toBe(0)
    expect(random.binomial(10, 1)).toBe(10)
    expect(random.poisson(0)).toBe(0)
    expect(random.hypergeometric({ successes: 5, failures: 5 }, 10)).toBe(5)
    expect(random.hypergeometric({ successes: 0, failures: 5 }, 3)).toBe(0)
    expect(random.hypergeometric({ successes: 5, failures: 0 }, 3)).toBe(3)
  })

  it('stays fast and centred for millions of trials', () => {
    let total = 0
    for (let i = 0; i < 1_000; i++) {
      total += random.hypergeometric({ successes: 312_628, failures: 1_640_000 }, 1_000_000)
    }
    const mean = (312_628 * 1_000_000) / 1_952_628
    expect(Math.abs(total / 1_000 - mean)).toBeLessThan(20)
  })
})

describe('multivariateHypergeometric', () => {
  it('draws exactly the requested count without exceeding any class', () => {
    const random = createRandom(3)
    const classes = [4, 27, 75, 89, 17_698, 1_935_000]
    for (const draws of [0, 1, 500, 100_000, 1_952_893]) {
      const counts = random.multivariateHypergeometric(classes, draws)
      expect(counts.reduce((sum, count) => sum + count, 0)).toBe(draws)
      counts.forEach((count, i) => expect(count).toBeLessThanOrEqual(classes[i] ?? 0))
    }
  })

  it('draws each class in proportion to its size on average', () => {
    const random = createRandom(4)
    const totals = [0, 0, 0]
    for (let i = 0; i < 2_000; i++) {
      random.multivariateHypergeometric([100, 300, 600], 100).forEach((count, j) => {
        totals[j] = (totals[j] ?? 0) + count
      })
    }
    expect(totals.map((total) => total / 2_000)).toEqual([
      expect.closeTo(10, 0),
      expect.closeTo(30, 0),
      expect.closeTo(60, 0),
    ])
  })
})

describe('continuous samplers', () => {
  it.each([
    ['normal(2, 3)', (r: Random) => r.normal(2, 3), 2, 9],
    ['gamma(25, 0.04)', (r: Random) => r.gamma(25, 0.04), 1, 0.04],
    ['gamma(0.5)', (r: Random) => r.gamma(0.5), 0.5, 0.5],
    ['beta(2, 6)', (r: Random) => r.beta(2, 6), 0.25, 12 / (64 * 9)],
  ])('%s has the right mean and variance', (_name, draw, mean, variance) => {
    const random = createRandom(5)
    const samples = Array.from({ length: 40_000 }, () => draw(random))
    const sampleMean = samples.reduce((sum, x) => sum + x, 0) / samples.length
    const sampleVariance = samples.reduce((sum, x) => sum + (x - sampleMean) ** 2, 0) /
      samples.length
    expect(Math.abs(sampleMean - mean)).toBeLessThan(4 * Math.sqrt(variance / samples.length))
    expect(sampleVariance / variance).toBeCloseTo(1, 1)
  })
})
