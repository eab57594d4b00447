/**
 * Special functions for the estimator and the random samplers: log-gamma, log-factorial, the
 * normal quantile, the regularized incomplete beta function and its inverse (Beta quantiles).
 *
 * Pure numerics with no dependencies, so the estimator runs unchanged in Deno and Node.
 */

const HALF_LOG_TWO_PI = 0.9189385332046728

const LANCZOS_COEFFICIENTS = [
  0.99999999999980993,
  676.5203681218851,
  -1259.1392167224028,
  771.32342877765313,
  -176.61502916214059,
  12.507343278686905,
  -0.13857109526572012,
  9.9843695780195716e-6,
  1.5056327351493116e-7,
]

/** `ln Γ(x)` for `x > 0` (Lanczos, g = 7; relative error about 1e-15). */
export function logGamma(x: number): number {
  if (x < 0.5) {
    // Reflection keeps the Lanczos sum in its accurate range.
    return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x)
  }
  const z = x - 1
  let sum = LANCZOS_COEFFICIENTS[0] ?? 0
  for (let i = 1; i < LANCZOS_COEFFICIENTS.length; i++) {
    sum += (LANCZOS_COEFFICIENTS[i] ?? 0) / (z + i)
  }
  const t = z + 7.5
  return HALF_LOG_TWO_PI + (z + 0.5) * Math.log(t) - t + Math.log(sum)
}

const LOG_FACTORIAL_TABLE_SIZE = 256
const logFactorialTable = (() => {
  const table = new Float64Array(LOG_FACTORIAL_TABLE_SIZE)
  for (let k = 1; k < LOG_FACTORIAL_TABLE_SIZE; k++) {
    table[k] = (table[k - 1] ?? 0) + Math.log(k)
  }
  return table
})()

/** `ln k!` for a non-negative integer `k`: a table below 256, Stirling's series above. */
export function logFactorial(k: number): number {
  if (k < LOG_FACTORIAL_TABLE_SIZE) return logFactorialTable[k] ?? 0
  return (k + 0.5) * Math.log(k) - k + HALF_LOG_TWO_PI + (1 / 12 - 1 / (360 * k * k)) / k
}

/**
 * The standard normal quantile `Φ⁻¹(p)` for `0 < p < 1` (Wichura's AS 241, about 1e-16).
 * Returns `-Infinity`/`Infinity` at 0/1, as the quantile of a normal is unbounded.
 */
export function normalQuantile(p: number): number {
  if (p <= 0) return -Infinity
  if (p >= 1) return Infinity
  const q = p - 0.5
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q
    return (q *
      (((((((r * 2509.0809287301226727 + 33430.575583588128105) * r + 67265.770927008700853) * r +
                        45921.953931549871457) * r + 13731.693765509461125) * r +
                1971.5909503065514427) * r + 133.14166789178437745) * r + 3.387132872796366608)) /
      (((((((r * 5226.495278852545925 + 28729.085735721942674) * r + 39307.89580009271061) * r +
                        21213.794301586595867) * r + 5394.1960214247511077) * r +
                687.1870074920579083) * r + 42.313330701600911252) * r + 1)
  }
  let r = q < 0 ? p : 1 - p
  r = Math.sqrt(-Math.log(r))
  let value: number
  if (r <= 5) {
    r -= 1.6
    value = (((((((r * 7.7454501427834140764e-4 + 0.0227238449892691845833) * r +
                          0.24178072517745061177) * r + 1.27045825245236838258) * r +
                  3.64784832476320460504) * r + 5.7694972214606914055) * r +
          4.6303378461565452959) * r + 1.42343711074968357734) /
      (((((((r * 1.05075007164441684324e-9 + 5.475938084995344946e-4) * r +
                            0.0151986665636164571966) * r + 0.14810397642748007459) * r +
                    0.68976733498510000455) * r + 1.6763848301838038494) * r +
            2.05319162663775882187) * r + 1)
  } else {
    r -= 5
    value = (((((((r * 2.01033439929228813265e-7 + 2.71155556874348757815e-5) * r +
                          0.0012426609473880784386) * r + 0.026532189526576123093) * r +
                  0.29656057182850489123) * r + 1.7848265399172913358) * r +
          5.4637849111641143699) * r + 6.6579046435011037772) /
      (((((((r * 2.04426310338993978564e-15 + 1.4215117583164458887e-7) * r +
                            1.8463183175100546818e-5) * r + 7.868691311456132591e-4) * r +
                    0.0148753612908506148525) * r + 0.13692988092273580531) * r +
            0.59983220655588793769) * r + 1)
  }
  return q < 0 ? -value : value
}

/** Continued fraction of the incomplete beta function (modified Lentz). */
function incompleteBetaFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300
  const qab = a + b
  const qap = a + 1
  const qam = a - 1
  let c = 1
  let d = 1 - (qab * x) / qap
  if (Math.abs(d) < tiny) d = tiny
  d = 1 / d
  let h = d
  for (let m = 1; m <= 10_000; m++) {
    const m2 = 2 * m
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2))
    d = 1 + aa * d
    if (Math.abs(d) < tiny) d = tiny
    c = 1 + aa / c
    if (Math.abs(c) < tiny) c = tiny
    d = 1 / d
    h *= d * c
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2))
    d = 1 + aa * d
    if (Math.abs(d) < tiny) d = tiny
    c = 1 + aa / c
    if (Math.abs(c) < tiny) c = tiny
    d = 1 / d
    const delta = d * c
    h *= delta
    if (Math.abs(delta - 1) < 1e-15) break
  }
  return h
}

/** The regularized incomplete beta function `I_x(a, b)`: the Beta(a, b) CDF at `x`. */
export function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0
  if (x >= 1) return 1
  const logFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) +
    b * Math.log1p(-x)
  const front = Math.exp(logFront)
  // The fraction converges fast only left of the mean; use the symmetry on the right.
  if (x < (a + 1) / (a + b + 2)) return (front * incompleteBetaFraction(x, a, b)) / a
  return 1 - (front * incompleteBetaFraction(1 - x, b, a)) / b
}

/** Both shape parameters above this: the closed-form approximation alone is accurate enough. */
const LARGE_SHAPE = 3000

/**
 * The `p` quantile of Beta(a, b), `a, b > 0`: the `x` with `I_x(a, b) = p`.
 *
 * A closed-form start (Abramowitz and Stegun 26.5.22 when both shapes are at least 1, a tail
 * expansion otherwise) refined by Halley steps on {@link regularizedIncompleteBeta}, as in
 * Numerical Recipes' `invbetai`. For shapes above 3000 the start is used as is: its error is far
 * below the posterior's spread and the continued fraction would be slow there.
 */
export function betaQuantile(p: number, a: number, b: number): number {
  if (p <= 0) return 0
  if (p >= 1) return 1
  let x: number
  if (a >= 1 && b >= 1) {
    // A&S use the upper-tail normal quantile.
    const z = -normalQuantile(p)
    const lambda = (z * z - 3) / 6
    const harmonic = 2 / (1 / (2 * a - 1) + 1 / (2 * b - 1))
    const w = (z * Math.sqrt(harmonic + lambda)) / harmonic -
      (1 / (2 * b - 1) - 1 / (2 * a - 1)) * (lambda + 5 / 6 - 2 / (3 * harmonic))
    x = a / (a + b * Math.exp(2 * w))
    if (a > LARGE_SHAPE && b > LARGE_SHAPE) return x
  } else {
    const lna = Math.log(a / (a + b))
    const lnb = Math.log(b / (a + b))
    const t = Math.exp(a * lna) / a
    const u = Math.exp(b * lnb) / b
    const w = t + u
    x = p < t / w ? Math.pow(a * w * p, 1 / a) : 1 - Math.pow(b * w * (1 - p), 1 / b)
  }
  const logNormalizer = logGamma(a + b) - logGamma(a) - logGamma(b)
  for (let step = 0; step < 20; step++) {
    if (x <= 0 || x >= 1) return Math.min(1, Math.max(0, x))
    const error = regularizedIncompleteBeta(x, a, b) - p
    const density = Math.exp((a - 1) * Math.log(x) + (b - 1) * Math.log1p(-x) + logNormalizer)
    const newton = error / density
    const halley = newton / (1 - 0.5 * Math.min(1, newton * ((a - 1) / x - (b - 1) / (1 - x))))
    let next = x - halley
    // Stay inside (0, 1): halve the way to the bound instead of stepping past it.
    if (next <= 0) next = x / 2
    if (next >= 1) next = (x + 1) / 2
    const converged = Math.abs(next - x) < 1e-12 * Math.max(x, 1e-300)
    x = next
    if (converged) break
  }
  return x
}

/**
 * Standard normal cumulative distribution Φ(x), from the complementary error function by a
 * Chebyshev fit (Numerical Recipes' erfcc): relative error below 1.2e-7 everywhere, tails included.
 */
export function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2
  const t = 1 / (1 + 0.5 * z)
  const erfc = t * Math.exp(
    -z * z - 1.26551223 +
      t * (1.00002368 +
          t * (0.37409196 +
              t * (0.09678418 +
                  t * (-0.18628806 +
                      t * (0.27886807 +
                          t *
                            (-1.13520398 +
                              t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
  )
  return x >= 0 ? 1 - erfc / 2 : erfc / 2
}
