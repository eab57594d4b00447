/**
 * A small seeded pseudo-random generator (sfc32, seeded through splitmix32) and the samplers
 * the simulator needs. Deterministic for a seed, in Deno and Node alike.
 *
 * The count samplers stay O(1) for large counts: binomial by Hörmann's BTRD, Poisson by PTRS,
 * hypergeometric by Stadlober's ratio-of-uniforms (HRUA, as in NumPy). Small cases use exact
 * inversion or sequential draws.
 */
import {
  logFactorial as importedLogFactorial,
  logGamma,
} from '../../supabase/functions/_shared/scoring/special-functions.ts'

// A local binding: calls through a module namespace binding cost a lookup in hot loops.
const logFactorial = importedLogFactorial

/** A stream of pseudo-random numbers and draws from common distributions. */
export interface Random {
  /** Uniform in [0, 1). */
  float(): number
  /** Uniform in [low, high). */
  uniform(low: number, high: number): number
  /** Uniform integer in [low, high], both inclusive. */
  integer(low: number, high: number): number
  /** Normal with the given mean and standard deviation (defaults 0 and 1). */
  normal(mean?: number, sd?: number): number
  /** Gamma with the given shape (> 0) and scale (default 1). */
  gamma(shape: number, scale?: number): number
  /** Beta(a, b), a and b > 0. */
  beta(a: number, b: number): number
  /** Poisson with the given mean (>= 0). */
  poisson(mean: number): number
  /** Binomial: successes in `trials` independent trials of probability `probability`. */
  binomial(trials: number, probability: number): number
  /** Successes among `draws` taken without replacement from a population. */
  hypergeometric(population: { successes: number; failures: number }, draws: number): number
  /**
   * Counts per class among `draws` taken without replacement from a population with the given
   * class sizes (non-negative integers, `draws` at most their sum).
   */
  multivariateHypergeometric(classSizes: ArrayLike<number>, draws: number): Int32Array
  /** Index drawn with probability proportional to its weight (weights >= 0, sum > 0). */
  weightedIndex(weights: readonly number[]): number
  /** An independent stream derived from this one's seed and a label. */
  fork(label: number): Random
}

/** A 32-bit seed derived from a seed and labels; distinct labels give unrelated seeds. */
export function deriveSeed(seed: number, ...labels: number[]): number {
  let hash = mix32(seed >>> 0)
  for (const label of labels) hash = mix32((hash ^ mix32(label >>> 0)) + 0x9e3779b9)
  return hash >>> 0
}

function mix32(value: number): number {
  let z = value >>> 0
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
  return (z ^ (z >>> 16)) >>> 0
}

/** A {@link Random} seeded with a 32-bit integer seed. */
export function createRandom(seed: number): Random {
  const normalizedSeed = seed >>> 0
  // splitmix32 expands the seed into sfc32's 128-bit state.
  let splitState = normalizedSeed
  const splitmix = () => {
    splitState = (splitState + 0x9e3779b9) >>> 0
    return mix32(splitState)
  }
  // State in a typed array: uint32 values in closure variables would be boxed on every step.
  const state = new Int32Array([splitmix(), splitmix(), splitmix(), splitmix() | 1])
  const nextUint32 = () => {
    const a = state[0] ?? 0
    const b = state[1] ?? 0
    const c = state[2] ?? 0
    const d = state[3] ?? 0
    const t = (a + b + d) | 0
    state[3] = (d + 1) | 0
    state[0] = b ^ (b >>> 9)
    state[1] = (c + (c << 3)) | 0
    state[2] = (((c << 21) | (c >>> 11)) + t) | 0
    return t >>> 0
  }
  for (let i = 0; i < 12; i++) nextUint32()

  const float = () => nextUint32() / 4294967296
  // (0, 1): for logarithms.
  const positiveFloat = () => (nextUint32() + 0.5) / 4294967296

  const normal = (mean = 0, sd = 1) => {
    const u = positiveFloat()
    const v = float()
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
  }

  const gamma = (shape: number, scale = 1): number => {
    if (shape < 1) {
      // Boost to shape + 1 and correct (Marsaglia and Tsang).
      return gamma(shape + 1, scale) * Math.pow(positiveFloat(), 1 / shape)
    }
    const dShape = shape - 1 / 3
    const cShape = 1 / Math.sqrt(9 * dShape)
    for (;;) {
      let x: number
      let v: number
      do {
        x = normal()
        v = 1 + cShape * x
      } while (v <= 0)
      v = v * v * v
      const u = positiveFloat()
      if (u < 1 - 0.0331 * x * x * x * x) return dShape * v * scale
      if (Math.log(u) < 0.5 * x * x + dShape * (1 - v + Math.log(v))) return dShape * v * scale
    }
  }

  const poisson = (mean: number): number => {
    if (!(mean > 0)) return 0
    if (mean < 30) {
      // Inversion by sequential search: O(mean) and exact.
      let k = 0
      let probability = Math.exp(-mean)
      let cumulative = probability
      const u = float()
      while (u > cumulative && k < 1000) {
        k++
        probability *= mean / k
        cumulative += probability
      }
      return k
    }
    return poissonPtrs(mean)
  }

  const poissonPtrs = (mean: number): number => {
    const logMean = Math.log(mean)
    const sqrtMean = Math.sqrt(mean)
    const bParam = 0.931 + 2.53 * sqrtMean
    const aParam = -0.059 + 0.02483 * bParam
    const invAlpha = 1.1239 + 1.1328 / (bParam - 3.4)
    const vr = 0.9277 - 3.6224 / (bParam - 2)
    for (;;) {
      const u = float() - 0.5
      const v = positiveFloat()
      const us = 0.5 - Math.abs(u)
      const k = Math.floor(((2 * aParam) / us + bParam) * u + mean + 0.43)
      if (us >= 0.07 && v <= vr) return k
      if (k < 0 || (us < 0.013 && v > us)) continue
      if (
        Math.log(v) + Math.log(invAlpha) - Math.log(aParam / (us * us) + bParam) <=
          -mean + k * logMean - logGamma(k + 1)
      ) return k
    }
  }

  const binomial = (trials: number, probability: number): number => {
    if (trials <= 0 || probability <= 0) return 0
    if (probability >= 1) return trials
    if (probability > 0.5) return trials - binomial(trials, 1 - probability)
    if (trials * probability < 10) return binomialInversion(trials, probability)
    return binomialBtrd(trials, probability)
  }

  const binomialInversion = (trials: number, probability: number): number => {
    const q = 1 - probability
    const ratio = probability / q
    let pmf = Math.pow(q, trials)
    let cumulative = pmf
    const u = float()
    let k = 0
    while (u > cumulative && k < trials) {
      pmf *= (ratio * (trials - k)) / (k + 1)
      k++
      cumulative += pmf
      if (pmf < 1e-300 && cumulative > 1 - 1e-15) break
    }
    return k
  }

  const binomialBtrd = (trials: number, p: number): number => {
    const q = 1 - p
    const spq = Math.sqrt(trials * p * q)
    const bParam = 1.15 + 2.53 * spq
    const aParam = -0.0873 + 0.0248 * bParam + 0.01 * p
    const cParam = trials * p + 0.5
    const vr = 0.92 - 4.2 / bParam
    const alpha = (2.83 + 5.1 / bParam) * spq
    const lpq = Math.log(p / q)
    const mode = Math.floor((trials + 1) * p)
    const h = logFactorial(mode) + logFactorial(trials - mode)
    for (;;) {
      const u = float() - 0.5
      let v = positiveFloat()
      const us = 0.5 - Math.abs(u)
      const k = Math.floor(((2 * aParam) / us + bParam) * u + cParam)
      if (k < 0 || k > trials) continue
      if (us >= 0.07 && v <= vr) return k
      v = Math.log((v * alpha) / (aParam / (us * us) + bParam))
      if (v <= h - logFactorial(k) - logFactorial(trials - k) + (k - mode) * lpq) return k
    }
  }

  const hypergeometricDraw = (successes: number, failures: number, draws: number): number => {
    const total = successes + failures
    if (draws <= 0 || successes <= 0) return 0
    if (failures <= 0) return draws
    if (draws >= total) return successes
    // Work with the smaller of the sample and its complement, and of the two classes.
    const sample = Math.min(draws, total - draws)
    const minority = Math.min(successes, failures)
    let count: number
    if (Math.min(sample, minority) < 64) {
      count = sequentialHypergeometric(minority, total, sample)
    } else {
      count = hypergeometricHrua(minority, total - minority, sample)
    }
    if (successes > failures) count = sample - count
    if (sample < draws) count = successes - count
    return count
  }

  // Exact: walk through whichever of the sample or the minority class is smaller.
  const sequentialHypergeometric = (minority: number, total: number, sample: number): number => {
    let count = 0
    if (sample <= minority) {
      let minorityLeft = minority
      for (let i = 0; i < sample; i++) {
        if (float() * (total - i) < minorityLeft) {
          count++
          minorityLeft--
        }
      }
      return count
    }
    // Each minority item is in the sample with the chance of the slots still free.
    let slotsLeft = sample
    for (let i = 0; i < minority && slotsLeft > 0; i++) {
      if (float() * (total - i) < slotsLeft) {
        count++
        slotsLeft--
      }
    }
    return count
  }

  const hypergeometricHrua = (minority: number, majority: number, sample: number): number => {
    const d1 = 1.7155277699214135
    const d2 = 0.8989161620588988
    const total = minority + majority
    const p = minority / total
    const q = majority / total
    const mean = sample * p
    const aParam = mean + 0.5
    const variance = ((total - sample) * sample * p * q) / (total - 1)
    const cParam = Math.sqrt(variance + 0.5)
    const hParam = d1 * cParam + d2
    const mode = Math.floor(((sample + 1) * (minority + 1)) / (total + 2))
    const gParam = logFactorial(mode) + logFactorial(minority - mode) +
      logFactorial(sample - mode) + logFactorial(majority - sample + mode)
    const bound = Math.min(Math.min(sample, minority) + 1, Math.floor(aParam + 16 * cParam))
    for (;;) {
      const u = positiveFloat()
      const v = float()
      const x = aParam + (hParam * (v - 0.5)) / u
      if (x < 0 || x >= bound) continue
      const k = Math.floor(x)
      const t = gParam - (logFactorial(k) + logFactorial(minority - k) +
        logFactorial(sample - k) + logFactorial(majority - sample + k))
      if (u * (4 - u) - 3 <= t) return k
      if (u * (u - t) >= 1) continue
      if (2 * Math.log(u) <= t) return k
    }
  }

  const multivariateHypergeometric = (classSizes: ArrayLike<number>, draws: number) => {
    const counts = new Int32Array(classSizes.length)
    let populationLeft = 0
    for (let i = 0; i < classSizes.length; i++) populationLeft += classSizes[i] ?? 0
    let drawsLeft = Math.min(draws, populationLeft)
    // Conditional draws, class by class: exact for the joint distribution.
    for (let i = 0; i < classSizes.length && drawsLeft > 0; i++) {
      const size = classSizes[i] ?? 0
      populationLeft -= size
      const drawn = hypergeometricDraw(size, populationLeft, drawsLeft)
      counts[i] = drawn
      drawsLeft -= drawn
    }
    return counts
  }

  return {
    float,
    uniform: (low, high) => low + (high - low) * float(),
    integer: (low, high) => low + Math.floor(float() * (high - low + 1)),
    normal,
    gamma,
    beta: (shapeA, shapeB) => {
      const x = gamma(shapeA)
      return x / (x + gamma(shapeB))
    },
    poisson,
    binomial,
    hypergeometric: (population, draws) =>
      hypergeometricDraw(population.successes, population.failures, draws),
    multivariateHypergeometric,
    weightedIndex: (weights) => {
      let total = 0
      for (const weight of weights) total += weight
      let target = float() * total
      for (let i = 0; i < weights.length; i++) {
        target -= weights[i] ?? 0
        if (target < 0) return i
      }
      return weights.length - 1
    },
    fork: (label) => createRandom(deriveSeed(normalizedSeed, label)),
  }
}
