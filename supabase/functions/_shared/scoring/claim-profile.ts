/**
 * A state's claim profile: how long its winners take to claim, by prize class, and how many
 * prizes are never claimed, estimated from what the state publishes. One definition for training
 * (evidence gathered from simulated states) and serving (evidence gathered by SQL,
 * `private.claim_evidence`): both hand the same sums to {@link estimateClaimProfile}.
 *
 * Two signals, both from published remaining counts:
 * - Tiers of different classes deplete at different delays. Within a game every tier sells at the
 *   same pace (prizes sit at random among the tickets), so the claimed share of a slower class
 *   follows the reference (fastest published) class's, scaled by their claiming shares and
 *   shifted by the difference of their lags: y(t) ≈ k·(x(t) − Δ·r(t)), x the reference class's
 *   claimed share, r its daily rise. Weighted least squares over games and dates gives k (hence
 *   the reference class's never-claimed share) and Δ (the lag difference).
 * - After a game stops selling its counts keep falling as late winners claim. For any lag
 *   distribution with mean m, the prizes sold but not yet claimed at the end are about m days of
 *   the claims rate just before it: late claims over the pre-end daily claims give m (the part of
 *   the tail not yet observed is added assuming an exponential tail). This measures lags
 *   absolutely, publication delay included, as the features need them.
 *
 * Each estimate is combined with a prior by precision, so a state with little history gets the
 * prior and a wide uncertainty, which the features pass on to the model.
 */
import { PRIZE_CLASSES, type PrizeClass } from './prize-class.ts'

/** Days between sample dates of the shift evidence, counted back from the as-of date. */
export const EVIDENCE_SAMPLE_STEP_DAYS = 14
/** Days of history the evidence reads before the as-of date. */
export const EVIDENCE_LOOKBACK_DAYS = 364
/** The reference class's rise is measured over this many days before a sample date. */
export const EVIDENCE_RISE_DAYS = 28
/** A count is read from the latest snapshot at most this many days before the date asked. */
export const EVIDENCE_STALE_DAYS = 6
/** Post-end evidence needs a game ended at least this many days before the as-of date. */
export const POST_END_MIN_DAYS = 14
/** Lower edges of the post-end buckets, by days observed after the end. */
export const POST_END_BUCKETS: readonly number[] = [14, 28, 56, 112, 224]
/** A profile is re-estimated once it is older than this many days. */
export const PROFILE_REFRESH_DAYS = 7

/** Class pairs of the shift evidence: a reference class and a slower one. */
export const SHIFT_PAIRS = [
  ['retailer', 'office'],
  ['retailer', 'top'],
  ['office', 'top'],
] as const satisfies readonly (readonly [PrizeClass, PrizeClass])[]

/** A shift pair's key, `reference:slower`. */
export type ShiftPairKey = `${(typeof SHIFT_PAIRS)[number][0]}:${(typeof SHIFT_PAIRS)[number][1]}`

/**
 * Weighted sums of the shift regression y ≈ k·x − k·Δ·r over (game, date) points: x the
 * reference class's claimed share, r its daily rise over the previous 28 days, y the slower
 * class's claimed share, w the slower class's printed prizes.
 */
export interface ShiftSums {
  points: number
  games: number
  sw: number
  swx: number
  swr: number
  swy: number
  swxx: number
  swxr: number
  swrr: number
  swxy: number
  swry: number
  swyy: number
}

/** Post-end sums of one class over the ended games whose days after the end fall in a bucket. */
export interface PostEndSums {
  /** Index into {@link POST_END_BUCKETS}. */
  bucket: number
  games: number
  /** Σ claims per day over the 28 days before the end. */
  claimsPerDay: number
  /** Σ claims per day × days observed after the end. */
  claimsPerDayTimesDays: number
  /** Σ prizes claimed after the end. */
  lateClaims: number
}

/** What a state publishes about its claims, as the estimator needs it. */
export interface ClaimEvidence {
  state: string
  /** The evidence reads snapshots up to this date (YYYY-MM-DD). */
  asOfDate: string
  shift: Partial<Record<ShiftPairKey, ShiftSums>>
  postEnd: Partial<Record<PrizeClass, PostEndSums[]>>
}

/** The estimate for one prize class. */
export interface ClassClaimEstimate {
  /** Mean days from a winning ticket's sale to its published claim (publication delay included). */
  meanLagDays: number
  /** Uncertainty of that mean: standard deviation of its log. */
  lagLogSd: number
  neverClaimedShare: number
  neverClaimedSd: number
  /** Games whose counts informed the lag (0: the prior alone). */
  games: number
}

/** A state's claim profile as of a date. */
export interface ClaimProfile {
  state: string
  /** The profile uses what was published up to this date (YYYY-MM-DD). */
  estimatedOn: string
  classes: Record<PrizeClass, ClassClaimEstimate>
}

/** A prior: what a state's claims look like before its own data says anything. */
interface Prior {
  meanLagDays: number
  lagLogSd: number
  neverClaimedShare: number
  neverClaimedSd: number
}

/**
 * Priors by class, wide enough for the family of worlds lotteries live in: retail prizes within
 * days, office prizes within weeks, top prizes within one to three months; a few percent of
 * retail prizes never claimed, almost no large ones.
 */
export const CLAIM_PRIORS: Readonly<Record<PrizeClass, Prior>> = {
  retailer: { meanLagDays: 4.5, lagLogSd: 0.6, neverClaimedShare: 0.03, neverClaimedSd: 0.02 },
  office: { meanLagDays: 14, lagLogSd: 0.6, neverClaimedShare: 0.003, neverClaimedSd: 0.003 },
  top: { meanLagDays: 35, lagLogSd: 0.65, neverClaimedShare: 0.001, neverClaimedSd: 0.002 },
}

/**
 * The estimates' model is approximate (lags are not exponential, sales not steady): their
 * sampling errors are widened by this factor, and every lag measurement carries at least this
 * much error in its log (about what is left on simulated worlds of the family, whose lags these
 * sums recover within 0.15-0.25 in log over a 60-day horizon).
 */
const MODEL_ERROR_FACTOR = 1.5
const MODEL_LOG_SD = 0.2
const MIN_LAG_DAYS = 0.3
const MAX_LAG_DAYS = 250

/** The profile of a state with no evidence at all: the priors. */
export function priorClaimProfile(state: string, estimatedOn: string): ClaimProfile {
  const classes = {} as Record<PrizeClass, ClassClaimEstimate>
  for (const prizeClass of PRIZE_CLASSES) {
    const prior = CLAIM_PRIORS[prizeClass]
    classes[prizeClass] = { ...prior, games: 0 }
  }
  return { state, estimatedOn, classes }
}

/** Evidence with nothing in it. */
export function emptyClaimEvidence(state: string, asOfDate: string): ClaimEvidence {
  return { state, asOfDate, shift: {}, postEnd: {} }
}

/** A value with the variance of its estimate. */
interface Measurement {
  value: number
  variance: number
}

/** Precision-weighted mean of measurements. */
function combine(measurements: readonly Measurement[]): Measurement {
  let precision = 0
  let weighted = 0
  for (const { value, variance } of measurements) {
    if (!(variance > 0) || !Number.isFinite(value)) continue
    precision += 1 / variance
    weighted += value / variance
  }
  return { value: weighted / precision, variance: 1 / precision }
}

/**
 * The mean lag m from the post-end sums: late claims = Σ rate × m × (1 − e^(−days/m)), the
 * prizes pending at the end that were claimed within the days observed. Null without enough
 * late claims to say.
 */
function postEndLag(sums: readonly PostEndSums[] | undefined): Measurement | null {
  if (!sums || sums.length === 0) return null
  let lateClaims = 0
  let claimsPerDay = 0
  let games = 0
  for (const bucket of sums) {
    lateClaims += bucket.lateClaims
    claimsPerDay += bucket.claimsPerDay
    games += bucket.games
  }
  if (games < 2 || claimsPerDay * EVIDENCE_RISE_DAYS < 4 || lateClaims < 2) return null
  const expected = (m: number) => {
    let total = 0
    for (const bucket of sums) {
      if (bucket.claimsPerDay <= 0) continue
      const days = bucket.claimsPerDayTimesDays / bucket.claimsPerDay
      total += bucket.claimsPerDay * m * (1 - Math.exp(-days / m))
    }
    return total
  }
  // The expected late claims grow with m: bisect in log space.
  let low = Math.log(MIN_LAG_DAYS)
  let high = Math.log(MAX_LAG_DAYS)
  if (expected(Math.exp(high)) <= lateClaims) return null
  for (let step = 0; step < 60; step++) {
    const middle = (low + high) / 2
    if (expected(Math.exp(middle)) < lateClaims) low = middle
    else high = middle
  }
  const logVariance = (1 / lateClaims + 1 / (claimsPerDay * EVIDENCE_RISE_DAYS)) *
      MODEL_ERROR_FACTOR ** 2 + MODEL_LOG_SD ** 2
  return { value: (low + high) / 2, variance: logVariance }
}

/** The shift regression's answer for one pair: k and Δ with their variances. */
interface ShiftFit {
  /** Ratio of the slower class's claiming share to the reference's: (1 − nc_b) / (1 − nc_a). */
  ratio: Measurement
  /** Lag of the slower class minus the reference's, in days. */
  lagDifference: Measurement
  games: number
}

function shiftFit(sums: ShiftSums | undefined): ShiftFit | null {
  if (!sums || sums.games < 3 || sums.points < 8 || sums.sw <= 0) return null
  // Normal equations of y = c0·x + c1·r, weights w.
  const a = sums.swxx
  const b = sums.swxr
  const d = sums.swrr
  const determinant = a * d - b * b
  if (!(determinant > 1e-12 * a * d) || a <= 0) return null
  const c0 = (d * sums.swxy - b * sums.swry) / determinant
  const c1 = (a * sums.swry - b * sums.swxy) / determinant
  if (!(c0 > 0.5 && c0 < 1.5)) return null
  const residual = Math.max(0, sums.swyy - c0 * sums.swxy - c1 * sums.swry)
  // Residual variance per unit weight; points of one game are correlated, so the effective
  // number of points is about the number of games.
  const unitVariance = residual / Math.max(1, sums.points - 2)
  const correlation = sums.points / sums.games
  const scale = unitVariance * correlation * MODEL_ERROR_FACTOR ** 2
  const var0 = (scale * d) / determinant
  const var1 = (scale * a) / determinant
  const cov01 = (-scale * b) / determinant
  const lagDifference = -c1 / c0
  // Delta method for −c1/c0.
  const g0 = c1 / (c0 * c0)
  const g1 = -1 / c0
  const lagVariance = g0 * g0 * var0 + g1 * g1 * var1 + 2 * g0 * g1 * cov01
  if (!Number.isFinite(lagDifference) || !(lagVariance > 0)) return null
  return {
    ratio: { value: c0, variance: Math.max(var0, 1e-8) },
    lagDifference: { value: lagDifference, variance: lagVariance },
    games: sums.games,
  }
}

/** A lag in days with its variance, as a log-lag measurement (with the model's own error). */
function logLag(days: Measurement): Measurement | null {
  if (!(days.value > MIN_LAG_DAYS)) return null
  return {
    value: Math.log(days.value),
    variance: days.variance / (days.value * days.value) + MODEL_LOG_SD ** 2,
  }
}

function clampLag(days: number): number {
  return Math.min(MAX_LAG_DAYS, Math.max(MIN_LAG_DAYS, days))
}

/**
 * Estimates a state's claim profile from its evidence: per class, the prior, the post-end lag
 * and the lags implied by the shift from a faster class, combined by precision (log lags); the
 * reference class's never-claimed share from the claiming-share ratios.
 */
export function estimateClaimProfile(evidence: ClaimEvidence): ClaimProfile {
  const classes = {} as Record<PrizeClass, ClassClaimEstimate>
  const fits = new Map<ShiftPairKey, ShiftFit>()
  for (const [reference, slower] of SHIFT_PAIRS) {
    const key: ShiftPairKey = `${reference}:${slower}`
    const fit = shiftFit(evidence.shift[key])
    if (fit) fits.set(key, fit)
  }
  // Classes in order: a slower class builds on the faster classes' estimates.
  for (const prizeClass of PRIZE_CLASSES) {
    const prior = CLAIM_PRIORS[prizeClass]
    const measurements: Measurement[] = [{
      value: Math.log(prior.meanLagDays),
      variance: prior.lagLogSd ** 2,
    }]
    let games = 0
    const postEnd = postEndLag(evidence.postEnd[prizeClass])
    if (postEnd) {
      measurements.push(postEnd)
      games += (evidence.postEnd[prizeClass] ?? []).reduce((sum, bucket) => sum + bucket.games, 0)
    }
    for (const [reference, slower] of SHIFT_PAIRS) {
      if (slower !== prizeClass) continue
      const fit = fits.get(`${reference}:${slower}`)
      const base = classes[reference]
      if (!fit || !base) continue
      const baseDays = base.meanLagDays
      const implied = logLag({
        value: baseDays + fit.lagDifference.value,
        variance: (baseDays * base.lagLogSd) ** 2 + fit.lagDifference.variance,
      })
      if (implied) {
        measurements.push(implied)
        games += fit.games
      }
    }
    const lag = combine(measurements)
    classes[prizeClass] = {
      meanLagDays: clampLag(Math.exp(lag.value)),
      lagLogSd: Math.sqrt(lag.variance),
      ...neverClaimed(prizeClass, fits),
      games,
    }
  }
  return { state: evidence.state, estimatedOn: evidence.asOfDate, classes }
}

/**
 * The never-claimed share of retail prizes is measured only roughly by the claiming-share ratio
 * (games weigh in by their office prizes, not their retail ones; the slower class's own share is
 * a prior): every such measurement carries at least this much error.
 */
const NEVER_CLAIMED_MODEL_SD = 0.012

/**
 * The never-claimed share of a class: for the retailer class, the prior combined with what the
 * claiming-share ratio to the office class implies (office prizes rarely go unclaimed, so their
 * prior share anchors it; top prizes are too few to say); the slower classes keep their priors.
 */
function neverClaimed(prizeClass: PrizeClass, fits: Map<ShiftPairKey, ShiftFit>) {
  const prior = CLAIM_PRIORS[prizeClass]
  const measurements: Measurement[] = [{
    value: prior.neverClaimedShare,
    variance: prior.neverClaimedSd ** 2,
  }]
  const fit = prizeClass === 'retailer' ? fits.get('retailer:office') : undefined
  if (fit) {
    const officePrior = CLAIM_PRIORS.office
    // k = (1 − nc_office) / (1 − nc): nc = 1 − (1 − nc_office) / k.
    const k = fit.ratio.value
    const value = 1 - (1 - officePrior.neverClaimedShare) / k
    const variance = (fit.ratio.variance * (1 - officePrior.neverClaimedShare) ** 2) / k ** 4 +
      officePrior.neverClaimedSd ** 2 / (k * k) + NEVER_CLAIMED_MODEL_SD ** 2
    measurements.push({ value, variance })
  }
  const share = combine(measurements)
  return {
    neverClaimedShare: Math.min(0.3, Math.max(0, share.value)),
    neverClaimedSd: Math.sqrt(share.variance),
  }
}
