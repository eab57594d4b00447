/**
 * The one feature definition, used by training (on simulated observations) and by the
 * score-games function (on rows read from Postgres). A model is trained on, and only accepts,
 * exactly {@link FEATURE_NAMES} in this order; {@link FEATURE_SET_VERSION} names this list.
 *
 * Every feature is finite. Where a value is unknown (no launch date, no published top tier, no
 * history) the feature is -1, a value none of them takes otherwise.
 *
 * Features read at most {@link FEATURE_HISTORY_DAYS} days of snapshots, fewer than the scorer loads,
 * so a game has the same features in training (whole simulated history) and serving.
 *
 * The claim-lag features correct what the standard estimator takes at face value: winners claim
 * late, so published remaining counts still hold prizes already sold. From the recent rise of
 * the claims (the sales rate) and an assumed mean claim lag per kind of tier, they estimate the
 * share of tickets really sold, the prizes sold but not yet claimed, and the expected return
 * without them.
 */
import { addDays } from './calendar.ts'
import {
  estimateExpectedValue,
  type EstimateRefusal,
  type ExpectedValueEstimate,
} from './estimator.ts'
import { type GameObservation, type PrizeTier, type Snapshot, tierKey } from './types.ts'

/** Version of the feature list below; bump it whenever a name, order or meaning changes. */
export const FEATURE_SET_VERSION = 'features-v2'

/** The model's input columns, in order. */
export const FEATURE_NAMES = [
  'ticket_price',
  'log_tickets_printed',
  'printed_payout',
  'days_since_launch',
  'est_fraction_sold',
  'est_fraction_sold_width',
  'est_expected_return',
  'est_expected_return_low',
  'est_expected_return_high',
  'est_win_probability',
  'est_prize_above_price_probability',
  'est_top_prize_ratio',
  'top_prizes_left_share',
  'top_tier_money_share',
  'publication_coverage',
  'published_tier_share',
  'published_money_left_ratio',
  'depletion_7d',
  'depletion_30d',
  'depletion_trend',
  'history_days',
  'sales_rate_14d',
  'lag_corrected_fraction_sold',
  'lag_corrected_expected_return',
  'pending_return_mean',
  'pending_return_sd',
  'retailer_tier_claimed_share',
  'lottery_tier_claimed_share',
  'few_prize_value_share',
] as const

/** One feature's name. */
export type FeatureName = (typeof FEATURE_NAMES)[number]

/** Sentinel for "unknown". */
export const UNKNOWN = -1

/** Features of one game, with the estimate they were derived from. */
export interface GameFeatures {
  /** Values in {@link FEATURE_NAMES} order. */
  values: Float64Array
  estimate: ExpectedValueEstimate
}

/** Either features or the reason the game cannot be scored. */
export type FeatureResult =
  | { ok: true; features: GameFeatures }
  | { ok: false; refusal: EstimateRefusal }

/** Days of snapshots the features read, up to the observation day (the scorer loads 35). */
export const FEATURE_HISTORY_DAYS = 30

/** Span of the claims rise that measures the recent sales rate. */
const SALES_RATE_SPAN_DAYS = 14

/** Spans of the short- and long-term depletion features. */
const DEPLETION_SHORT_SPAN_DAYS = 7
const DEPLETION_LONG_SPAN_DAYS = 30

/**
 * The look-back spans, in days before a game's latest snapshot, at whose start the features read
 * a snapshot: besides the first and the latest snapshot of the history window, the only ones they
 * read (see {@link snapshotsFeaturesRead}).
 */
export const FEATURE_LOOKBACK_DAYS: readonly number[] = [
  DEPLETION_SHORT_SPAN_DAYS,
  SALES_RATE_SPAN_DAYS,
  DEPLETION_LONG_SPAN_DAYS,
]

/**
 * Published tiers with at least this many prizes are weighted half by their own claimed share and
 * half by the share the sales rate and the lag imply; more prizes weigh their own share more.
 */
const OBSERVED_CLAIMS_WEIGHT_PRIZES = 200

/** Tiers of at most this many prizes leave the return to luck: whether their winners claimed yet. */
const FEW_PRIZES = 100

const DAY_MS = 86_400_000

/** How winners of a tier are assumed to claim, on average. */
export interface AssumedClaimLag {
  /** Mean days from the sale of a winning ticket to its claim. */
  meanLagDays: number
  /** Share of prizes never claimed. */
  neverClaimedShare: number
}

/**
 * Assumed claim behaviour by kind of tier: prizes up to $600 are cashed at retailers within days
 * (a few small ones never), larger prizes at the lottery within one to two weeks, top prizes
 * after about a month.
 */
export function assumedClaimLag(prizeAmount: number, isTopTier: boolean): AssumedClaimLag {
  if (prizeAmount <= 600) {
    return {
      meanLagDays: 4,
      neverClaimedShare: prizeAmount < 10 ? 0.04 : prizeAmount < 100 ? 0.02 : 0.008,
    }
  }
  return isTopTier
    ? { meanLagDays: 25, neverClaimedShare: 0 }
    : { meanLagDays: 10, neverClaimedShare: 0.003 }
}

/** `Date.parse` of the few dates a run sees, remembered: the scorer asks ~20 times per game. */
const parsedDates = new Map<string, number>()

function parseDate(date: string): number {
  let time = parsedDates.get(date)
  if (time === undefined) {
    if (parsedDates.size >= 4096) parsedDates.clear()
    time = Date.parse(date)
    parsedDates.set(date, time)
  }
  return time
}

function daysBetween(from: string, to: string): number {
  return Math.round((parseDate(to) - parseDate(from)) / DAY_MS)
}

function finiteOr(value: number, fallback: number): number {
  return Number.isFinite(value) ? value : fallback
}

/**
 * The snapshots of the {@link FEATURE_HISTORY_DAYS} days up to `asOfDate`, oldest first (the input
 * is sorted oldest first, as the scorer and the simulator give it).
 */
function recentHistory(snapshots: readonly Snapshot[], asOfDate: string): Snapshot[] {
  const earliest = addDays(asOfDate, 1 - FEATURE_HISTORY_DAYS)
  return snapshots.filter((snapshot) =>
    snapshot.snapshotDate >= earliest && snapshot.snapshotDate <= asOfDate
  )
}

/**
 * The only snapshots {@link computeFeatures} reads: within the {@link FEATURE_HISTORY_DAYS}-day
 * window, the first, the latest, and for each of {@link FEATURE_LOOKBACK_DAYS} the first one at
 * most that many days before the latest. The features of an observation are the same with just
 * these as with its whole history, so the scorer reads only these (`run-inputs.ts` applies the
 * same rule in SQL).
 */
export function snapshotsFeaturesRead(
  snapshots: readonly Snapshot[],
  asOfDate: string,
): Snapshot[] {
  const history = recentHistory(snapshots, asOfDate)
  const latest = history.at(-1)
  if (!latest) return []
  const read = new Set<Snapshot>([history[0] as Snapshot, latest])
  for (const span of FEATURE_LOOKBACK_DAYS) {
    const start = history.find((snapshot) =>
      daysBetween(snapshot.snapshotDate, latest.snapshotDate) <= span
    )
    if (start) read.add(start)
  }
  return history.filter((snapshot) => read.has(snapshot))
}

/** Share of the published prizes claimed, pooled over the tiers a snapshot lists. */
function claimedShare(snapshot: Snapshot, printedByKey: Map<string, number>): number | null {
  let printed = 0
  let remaining = 0
  const remainingByTier = snapshot.remainingByTier
  for (const key in remainingByTier) {
    const total = printedByKey.get(key)
    if (total === undefined || total === 0) continue
    printed += total
    remaining += Math.min(remainingByTier[key] as number, total)
  }
  return printed > 0 ? 1 - remaining / printed : null
}

/**
 * Published-prize depletion per `span` days before the latest snapshot: the rise of the claimed
 * share over that span, scaled to `span` days when the history is shorter (at least 2 days).
 */
function depletionOver(
  history: readonly Snapshot[],
  printedByKey: Map<string, number>,
  span: number,
): number {
  const latest = history.at(-1)
  if (!latest) return UNKNOWN
  const latestShare = claimedShare(latest, printedByKey)
  if (latestShare === null) return UNKNOWN
  const start = history.find((snapshot) =>
    daysBetween(snapshot.snapshotDate, latest.snapshotDate) <= span
  )
  if (!start) return UNKNOWN
  const days = daysBetween(start.snapshotDate, latest.snapshotDate)
  const startShare = claimedShare(start, printedByKey)
  if (days < 2 || startShare === null) return UNKNOWN
  return Math.max(0, latestShare - startShare) * (span / days)
}

/** A published tier with what the claim-lag features need. */
interface PublishedTier {
  key: string
  prizeAmount: number
  totalPrizes: number
  remainingPrizes: number
  isTopTier: boolean
  lag: AssumedClaimLag
}

/** What the claim-lag correction derives for one game. */
interface ClaimLagCorrection {
  /** Share of printed tickets sold per day recently, or -1 when the history is too short. */
  salesRate: number
  fractionSold: number
  expectedReturn: number
  pendingReturnMean: number
  pendingReturnSd: number
  retailerClaimedShare: number
  lotteryClaimedShare: number
  fewPrizeValueShare: number
}

/** Pooled claimed share of the tiers `include` accepts, or -1 when there are none. */
function pooledClaimedShare(
  tiers: readonly PublishedTier[],
  include: (tier: PublishedTier) => boolean,
): number {
  let printed = 0
  let claimed = 0
  for (const tier of tiers) {
    if (!include(tier)) continue
    printed += tier.totalPrizes
    claimed += tier.totalPrizes - tier.remainingPrizes
  }
  return printed > 0 ? claimed / printed : UNKNOWN
}

/**
 * Share of printed tickets sold per day, from the rise of the published claims over up to
 * {@link SALES_RATE_SPAN_DAYS} days (claims lag sales, but a rise tracks the rate), or `null`
 * when less than 2 days of history hold those tiers.
 */
function recentSalesRate(history: readonly Snapshot[], tiers: readonly PublishedTier[]) {
  const latest = history.at(-1)
  if (!latest) return null
  const start = history.find((snapshot) =>
    daysBetween(snapshot.snapshotDate, latest.snapshotDate) <= SALES_RATE_SPAN_DAYS
  )
  if (!start) return null
  const days = daysBetween(start.snapshotDate, latest.snapshotDate)
  if (days < 2) return null
  let rise = 0
  let claimers = 0
  for (const tier of tiers) {
    const before = start.remainingByTier[tier.key]
    const after = latest.remainingByTier[tier.key]
    if (before === undefined || after === undefined) continue
    rise += Math.max(0, before - after)
    claimers += tier.totalPrizes * (1 - tier.lag.neverClaimedShare)
  }
  return claimers > 0 ? rise / claimers / days : null
}

/**
 * Corrects the published counts for claim lag. Tickets sold = claimed share (net of prizes never
 * claimed) plus the sales of the last mean-lag days; a prize not yet claimed is still unsold with
 * probability (1 − sold) / (1 − expected claimed share of its tier).
 */
function claimLagCorrection(
  context: {
    tiers: readonly PrizeTier[]
    published: readonly PublishedTier[]
    history: readonly Snapshot[]
    ticketsPrinted: number
    ticketPrice: number
    ageDays: number | null
    fallbackFractionSold: number
  },
): ClaimLagCorrection {
  const { tiers, published, ticketsPrinted, ticketPrice, ageDays } = context
  const lagDays = (lag: AssumedClaimLag) =>
    ageDays === null ? lag.meanLagDays : Math.min(lag.meanLagDays, ageDays)
  let claimers = 0
  let claimed = 0
  let lagWeighted = 0
  for (const tier of published) {
    const weight = tier.totalPrizes * (1 - tier.lag.neverClaimedShare)
    claimers += weight
    claimed += tier.totalPrizes - tier.remainingPrizes
    lagWeighted += weight * lagDays(tier.lag)
  }
  const measuredRate = recentSalesRate(context.history, published)
  // Without history, the mean rate since launch stands in for the recent one.
  const rate = measuredRate ??
    (claimers > 0 && ageDays !== null ? claimed / claimers / Math.max(1, ageDays) : 0)
  const maxFraction = 1 - 1 / ticketsPrinted
  const fractionSold = claimers > 0
    ? Math.min(maxFraction, Math.max(0, (claimed + rate * lagWeighted) / claimers))
    : context.fallbackFractionSold
  const unsoldShare = 1 - fractionSold

  let value = 0
  let prizesLeft = 0
  let pendingValue = 0
  let pendingVariance = 0
  let fewPrizeValue = 0
  const publishedByAmount = new Map(published.map((tier) => [tier.prizeAmount, tier]))
  for (const tier of tiers) {
    const known = publishedByAmount.get(tier.prizeAmount)
    let unsold: number
    if (known) {
      const lag = known.lag
      const expectedClaimed = (1 - lag.neverClaimedShare) *
        Math.max(0, fractionSold - rate * lagDays(lag))
      const observedClaimed = (known.totalPrizes - known.remainingPrizes) / known.totalPrizes
      const claimedShare = (known.totalPrizes * observedClaimed +
        OBSERVED_CLAIMS_WEIGHT_PRIZES * expectedClaimed) /
        (known.totalPrizes + OBSERVED_CLAIMS_WEIGHT_PRIZES)
      const stillUnsold = claimedShare >= 1 ? 0 : Math.min(1, unsoldShare / (1 - claimedShare))
      unsold = known.remainingPrizes * stillUnsold
      const pending = 1 - stillUnsold
      pendingValue += tier.prizeAmount * known.remainingPrizes * pending
      pendingVariance += tier.prizeAmount * tier.prizeAmount * known.remainingPrizes * pending *
        stillUnsold
      if (known.totalPrizes <= FEW_PRIZES) fewPrizeValue += tier.prizeAmount * unsold
    } else {
      unsold = tier.totalPrizes * unsoldShare
    }
    value += tier.prizeAmount * unsold
    prizesLeft += unsold
  }
  const ticketsLeft = Math.max(ticketsPrinted * unsoldShare, prizesLeft, 1)
  const dollarsLeft = ticketsLeft * ticketPrice
  return {
    salesRate: measuredRate ?? UNKNOWN,
    fractionSold,
    expectedReturn: value / dollarsLeft,
    pendingReturnMean: pendingValue / dollarsLeft,
    pendingReturnSd: Math.sqrt(pendingVariance) / dollarsLeft,
    retailerClaimedShare: pooledClaimedShare(published, (tier) => tier.prizeAmount <= 600),
    lotteryClaimedShare: pooledClaimedShare(
      published,
      (tier) => tier.prizeAmount > 600 && !tier.isTopTier,
    ),
    fewPrizeValueShare: value > 0 ? fewPrizeValue / value : 0,
  }
}

/** Computes the features of one game as of its observation day, or the reason it cannot. */
export function computeFeatures(observation: GameObservation): FeatureResult {
  const result = estimateExpectedValue({ game: observation.game, tiers: observation.tiers })
  if (!result.ok) return result
  const estimate = result.estimate
  const { game, tiers, asOfDate } = observation

  let printedMoney = 0
  let publishedPrintedMoney = 0
  let publishedRemainingMoney = 0
  let publishedTiers = 0
  const printedByKey = new Map<string, number>()
  for (const tier of tiers) {
    const money = tier.prizeAmount * tier.totalPrizes
    printedMoney += money
    printedByKey.set(tierKey(tier.prizeAmount), tier.totalPrizes)
    if (tier.remainingPrizes !== null) {
      publishedTiers++
      publishedPrintedMoney += money
      publishedRemainingMoney += tier.prizeAmount * tier.remainingPrizes
    }
  }
  const topTier = tiers.reduce((top, tier) => (tier.prizeAmount > top.prizeAmount ? tier : top))
  const ticketShareLeft = estimate.remainingTickets / estimate.ticketsPrinted
  const history = recentHistory(observation.snapshots, asOfDate)
  const depletion7 = depletionOver(history, printedByKey, DEPLETION_SHORT_SPAN_DAYS)
  const depletion30 = depletionOver(history, printedByKey, DEPLETION_LONG_SPAN_DAYS)
  const firstDay = history[0]?.snapshotDate
  const ageDays = game.launchDate === null
    ? null
    : Math.max(0, daysBetween(game.launchDate, asOfDate))
  const published: PublishedTier[] = []
  for (const tier of tiers) {
    if (tier.remainingPrizes === null) continue
    published.push({
      key: tierKey(tier.prizeAmount),
      prizeAmount: tier.prizeAmount,
      totalPrizes: tier.totalPrizes,
      remainingPrizes: tier.remainingPrizes,
      isTopTier: tier === topTier,
      lag: assumedClaimLag(tier.prizeAmount, tier === topTier),
    })
  }
  const corrected = claimLagCorrection({
    tiers,
    published,
    history,
    ticketsPrinted: estimate.ticketsPrinted,
    ticketPrice: game.ticketPrice,
    ageDays,
    fallbackFractionSold: estimate.fractionSold.estimate,
  })

  const named: Record<FeatureName, number> = {
    ticket_price: game.ticketPrice,
    log_tickets_printed: Math.log10(estimate.ticketsPrinted),
    printed_payout: estimate.printedReturnPerDollar,
    days_since_launch: ageDays ?? UNKNOWN,
    est_fraction_sold: estimate.fractionSold.estimate,
    est_fraction_sold_width: estimate.fractionSold.high - estimate.fractionSold.low,
    est_expected_return: estimate.expectedReturnPerDollar.estimate,
    est_expected_return_low: estimate.expectedReturnPerDollar.low,
    est_expected_return_high: estimate.expectedReturnPerDollar.high,
    est_win_probability: estimate.winProbability,
    est_prize_above_price_probability: estimate.probabilityPrizeAbovePrice,
    est_top_prize_ratio: estimate.topPrizeRatio ?? UNKNOWN,
    top_prizes_left_share: topTier.remainingPrizes === null
      ? UNKNOWN
      : topTier.remainingPrizes / topTier.totalPrizes,
    top_tier_money_share: (topTier.prizeAmount * topTier.totalPrizes) / printedMoney,
    publication_coverage: publishedPrintedMoney / printedMoney,
    published_tier_share: publishedTiers / tiers.length,
    published_money_left_ratio: publishedPrintedMoney > 0
      ? publishedRemainingMoney / publishedPrintedMoney / ticketShareLeft
      : UNKNOWN,
    depletion_7d: depletion7,
    depletion_30d: depletion30,
    depletion_trend: depletion7 >= 0 && depletion30 > 0
      ? depletion7 / (depletion30 * 7 / 30)
      : UNKNOWN,
    history_days: firstDay === undefined ? 0 : daysBetween(firstDay, asOfDate) + 1,
    sales_rate_14d: corrected.salesRate,
    lag_corrected_fraction_sold: corrected.fractionSold,
    lag_corrected_expected_return: corrected.expectedReturn,
    pending_return_mean: corrected.pendingReturnMean,
    pending_return_sd: corrected.pendingReturnSd,
    retailer_tier_claimed_share: corrected.retailerClaimedShare,
    lottery_tier_claimed_share: corrected.lotteryClaimedShare,
    few_prize_value_share: corrected.fewPrizeValueShare,
  }
  const values = new Float64Array(FEATURE_NAMES.length)
  FEATURE_NAMES.forEach((name, index) => {
    values[index] = finiteOr(named[name], UNKNOWN)
  })
  return { ok: true, features: { values, estimate } }
}

/** Feature values as a name-to-value record (stored in `predictions.features`). */
export function featureRecord(values: ArrayLike<number>): Record<FeatureName, number> {
  const record = {} as Record<FeatureName, number>
  FEATURE_NAMES.forEach((name, index) => {
    record[name] = Math.round((values[index] ?? UNKNOWN) * 1e6) / 1e6
  })
  return record
}
