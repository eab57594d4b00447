/**
 * The one feature definition, used by training (on simulated observations) and by the
 * score-games function (on rows read from Postgres). A model is trained on
 * {@link FEATURE_NAMES} in this order; {@link FEATURE_SET_VERSION} names this list. A model of
 * an earlier set still scores: it names its columns, and any of {@link KNOWN_FEATURE_NAMES} can be
 * computed by name ({@link featureColumns}), the earlier set's own (`features-v2`,
 * {@link LEGACY_FEATURE_NAMES}) with the fixed claim lags they were defined with.
 *
 * Every feature is finite. Where a value is unknown (no launch date, no published top tier, no
 * history) the feature is -1, a value none of them takes otherwise.
 *
 * Features read at most {@link FEATURE_HISTORY_DAYS} days of snapshots, fewer than the scorer loads,
 * so a game has the same features in training (whole simulated history) and serving.
 *
 * The claim features correct what the standard estimator takes at face value: winners claim
 * late, so published remaining counts still hold prizes already sold. From the recent rise of
 * the claims (the sales rate) and the state's claim profile (`claim-profile.ts`: mean lag and
 * never-claimed share by prize class, estimated from what the state publishes, with their
 * uncertainty), they estimate the share of tickets really sold, the prizes sold but not yet
 * claimed, the expected return without them, and how much that return moves when the lags are
 * off by their uncertainty.
 */
import { addDays } from './calendar.ts'
import {
  estimateExpectedValue,
  type EstimateRefusal,
  type ExpectedValueEstimate,
} from './estimator.ts'
import { type ClaimProfile, priorClaimProfile } from './claim-profile.ts'
import { type PrizeClass, prizeClassOf } from './prize-class.ts'
import { type GameObservation, type PrizeTier, type Snapshot, tierKey } from './types.ts'

/** Version of the feature list below; bump it whenever a name, order or meaning changes. */
export const FEATURE_SET_VERSION = 'features-v3'

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
  'retailer_tier_claimed_share',
  'lottery_tier_claimed_share',
  'days_since_snapshot',
  'claim_sales_rate_14d',
  'claim_corrected_fraction_sold',
  'claim_corrected_expected_return',
  'claim_pending_return_mean',
  'claim_pending_return_sd',
  'claim_few_prize_value_share',
  'claim_top_pending_share',
  'claim_return_lag_sd',
  'claim_lag_days',
  'claim_lag_top_days',
  'claim_lag_log_sd',
  'claim_never_claimed_share',
  'claim_profile_games',
] as const

/** One feature's name. */
export type FeatureName = (typeof FEATURE_NAMES)[number]

/**
 * Features of `features-v2` that `features-v3` replaced: the claim-lag correction with fixed mean
 * lags (retail 4 days, office 10, top 25: {@link assumedClaimLag}). Still computed, exactly as
 * then, for models that ask for them (`gbm-v1`).
 */
export const LEGACY_FEATURE_NAMES = [
  'sales_rate_14d',
  'lag_corrected_fraction_sold',
  'lag_corrected_expected_return',
  'pending_return_mean',
  'pending_return_sd',
  'few_prize_value_share',
] as const

/** Every feature the code can compute by name. */
export const KNOWN_FEATURE_NAMES = [...FEATURE_NAMES, ...LEGACY_FEATURE_NAMES] as const

/** A feature the code can compute. */
export type KnownFeatureName = (typeof KNOWN_FEATURE_NAMES)[number]

const KNOWN = new Set<string>(KNOWN_FEATURE_NAMES)
const LEGACY = new Set<string>(LEGACY_FEATURE_NAMES)
const PROFILE_FEATURES = new Set<string>(FEATURE_NAMES.filter((name) => name.startsWith('claim_')))

/** The columns a model asks for, in its order, and which parts of the features they need. */
export interface FeatureColumns {
  names: readonly KnownFeatureName[]
  /** Each name's position in `names`. */
  positions: ReadonlyMap<string, number>
  usesLegacyCorrection: boolean
  usesClaimProfile: boolean
  /**
   * A record with every name, in order (0s): {@link featureRecord} copies it, so each record
   * shares one layout instead of growing a property at a time into a hash table.
   */
  recordTemplate: Readonly<Record<string, number>>
}

/** The names in `names` the code cannot compute, and those named twice. */
export function featureNameProblems(names: readonly string[]): string | null {
  const unknown = names.filter((name) => !KNOWN.has(name))
  const repeated = names.filter((name, index) => names.indexOf(name) !== index)
  const problems: string[] = []
  if (names.length === 0) problems.push('names no features')
  if (unknown.length > 0) problems.push(`asks for unknown features ${unknown.join(', ')}`)
  if (repeated.length > 0) problems.push(`names ${[...new Set(repeated)].join(', ')} twice`)
  return problems.length === 0 ? null : problems.join('; ')
}

/**
 * The columns for a model's feature names (any of {@link KNOWN_FEATURE_NAMES}, in any order).
 * Throws naming the problem when a name is unknown or repeated.
 */
export function featureColumns(names: readonly string[]): FeatureColumns {
  const problem = featureNameProblems(names)
  if (problem !== null) throw new Error(`Cannot compute the features: the model ${problem}`)
  return {
    names: names as readonly KnownFeatureName[],
    positions: new Map(names.map((name, index) => [name, index])),
    usesLegacyCorrection: names.some((name) => LEGACY.has(name)),
    usesClaimProfile: names.some((name) => PROFILE_FEATURES.has(name)),
    // JSON.parse builds an object with a fixed layout (and the names are plain identifiers).
    recordTemplate: JSON.parse(`{${names.map((name) => `"${name}":0`).join(',')}}`),
  }
}

/** The columns of {@link FEATURE_NAMES}: what a model of the current set asks for. */
export const CURRENT_FEATURE_COLUMNS: FeatureColumns = featureColumns(FEATURE_NAMES)

/** Sentinel for "unknown". */
export const UNKNOWN = -1

/** Features of one game, with the estimate they were derived from. */
export interface GameFeatures {
  /** Values in the order of the columns asked for ({@link FEATURE_NAMES} by default). */
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
 * The fixed claim behaviour by kind of tier of `features-v2` (the legacy features only): prizes
 * up to $600 are cashed at retailers within days (a few small ones never), larger prizes at the
 * lottery within one to two weeks, top prizes after about a month.
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

/** Share of the printed prize money in tiers whose remaining counts are published. */
export function publicationCoverage(tiers: readonly PrizeTier[]): number {
  let printed = 0
  let published = 0
  for (const tier of tiers) {
    const money = tier.prizeAmount * tier.totalPrizes
    printed += money
    if (tier.remainingPrizes !== null) published += money
  }
  return printed > 0 ? published / printed : 0
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

/**
 * A published tier with what the claim-lag features need. Each correction sets how its winners
 * are taken to claim (`lagDays`, `neverClaimedShare`) in place: no objects per correction.
 */
interface PublishedTier {
  key: string
  prizeAmount: number
  totalPrizes: number
  remainingPrizes: number
  isTopTier: boolean
  prizeClass: PrizeClass
  /** Days of sales whose prizes are pending (the mean lag, cut by the game's age). */
  lagDays: number
  neverClaimedShare: number
}

/** One game's inputs to its claim-lag corrections, gathered once. */
interface CorrectionInputs {
  tiers: readonly PrizeTier[]
  published: readonly PublishedTier[]
  /** The published tier of each of `tiers` (by prize amount), or undefined. */
  publishedOfTier: ReadonlyArray<PublishedTier | undefined>
  history: readonly Snapshot[]
  ticketsPrinted: number
  ticketPrice: number
  ageDays: number | null
  fallbackFractionSold: number
}

/** What the claim-lag correction derives for one game. */
interface ClaimLagCorrection {
  /** Share of printed tickets sold per day recently, or -1 when the history is too short. */
  salesRate: number
  fractionSold: number
  expectedReturn: number
  pendingReturnMean: number
  pendingReturnSd: number
  fewPrizeValueShare: number
  /** Share of the top tier's remaining prizes sold but not yet claimed, or -1 if unpublished. */
  topPendingShare: number
}

/** Pooled claimed share of the tiers of one prize class, or -1 when there are none. */
function pooledClaimedShare(tiers: readonly PublishedTier[], prizeClass: PrizeClass): number {
  let printed = 0
  let claimed = 0
  for (const tier of tiers) {
    if (tier.prizeClass !== prizeClass) continue
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
    claimers += tier.totalPrizes * (1 - tier.neverClaimedShare)
  }
  return claimers > 0 ? rise / claimers / days : null
}

/**
 * Corrects the published counts for claim lag. Tickets sold = claimed share (net of prizes never
 * claimed) plus the sales of the last mean-lag days; a prize not yet claimed is still unsold with
 * probability (1 − sold) / (1 − expected claimed share of its tier).
 */
function claimLagCorrection(
  context: CorrectionInputs,
  /**
   * The recent sales rate when already measured for these tiers (it depends on their
   * never-claimed shares, not on their lags), or undefined to measure it here.
   */
  knownRate?: number | null,
): ClaimLagCorrection {
  const { tiers, published, publishedOfTier, ticketsPrinted, ticketPrice, ageDays } = context
  let claimers = 0
  let claimed = 0
  let lagWeighted = 0
  for (const tier of published) {
    const weight = tier.totalPrizes * (1 - tier.neverClaimedShare)
    claimers += weight
    claimed += tier.totalPrizes - tier.remainingPrizes
    lagWeighted += weight * tier.lagDays
  }
  const measuredRate = knownRate === undefined
    ? recentSalesRate(context.history, published)
    : knownRate
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
  let topPendingShare = UNKNOWN
  for (let index = 0; index < tiers.length; index++) {
    const tier = tiers[index] as PrizeTier
    const known = publishedOfTier[index]
    let unsold: number
    if (known) {
      const expectedClaimed = (1 - known.neverClaimedShare) *
        Math.max(0, fractionSold - rate * known.lagDays)
      const observedClaimed = (known.totalPrizes - known.remainingPrizes) / known.totalPrizes
      const claimedShare = (known.totalPrizes * observedClaimed +
        OBSERVED_CLAIMS_WEIGHT_PRIZES * expectedClaimed) /
        (known.totalPrizes + OBSERVED_CLAIMS_WEIGHT_PRIZES)
      const stillUnsold = claimedShare >= 1 ? 0 : Math.min(1, unsoldShare / (1 - claimedShare))
      unsold = known.remainingPrizes * stillUnsold
      const pending = 1 - stillUnsold
      if (known.isTopTier) topPendingShare = pending
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
    fewPrizeValueShare: value > 0 ? fewPrizeValue / value : 0,
    topPendingShare,
  }
}

/**
 * The claim-lag correction's outputs as features: under their `features-v2` names with the fixed
 * lags, under their `features-v3` names with the state's profile.
 */
const CORRECTION_COLUMNS: ReadonlyArray<
  readonly [keyof ClaimLagCorrection, KnownFeatureName, KnownFeatureName]
> = [
  ['salesRate', 'sales_rate_14d', 'claim_sales_rate_14d'],
  ['fractionSold', 'lag_corrected_fraction_sold', 'claim_corrected_fraction_sold'],
  ['expectedReturn', 'lag_corrected_expected_return', 'claim_corrected_expected_return'],
  ['pendingReturnMean', 'pending_return_mean', 'claim_pending_return_mean'],
  ['pendingReturnSd', 'pending_return_sd', 'claim_pending_return_sd'],
  ['fewPrizeValueShare', 'few_prize_value_share', 'claim_few_prize_value_share'],
]

/** Options of {@link computeFeatures}. */
export interface FeatureOptions {
  /**
   * The claim profile of the game's state as of the observation day; without one, the priors
   * (what a state with no history of its own gets).
   */
  profile?: ClaimProfile
  /** Which columns to compute, in which order; default {@link CURRENT_FEATURE_COLUMNS}. */
  columns?: FeatureColumns
}

/**
 * Sets each published tier's claim lag from the state's profile: its class's mean (times
 * e^(sdSteps × its log-sd): 0 for the estimate, ±1 for a lag one standard deviation longer or
 * shorter), cut by the game's age, plus the days since the latest snapshot.
 */
function setProfileLags(
  published: readonly PublishedTier[],
  profile: ClaimProfile,
  context: { ageDays: number | null; staleDays: number; sdSteps: -1 | 0 | 1 },
): void {
  const { ageDays, staleDays, sdSteps } = context
  for (const tier of published) {
    const estimate = profile.classes[tier.prizeClass]
    const mean = sdSteps === 0
      ? estimate.meanLagDays
      : estimate.meanLagDays * Math.exp(sdSteps * estimate.lagLogSd)
    // Pending prizes come from at most the game's age of sales: ∫₀^age e^(−u/mean) du.
    const lagDays = ageDays === null ? mean : mean * (1 - Math.exp(-ageDays / Math.max(mean, 1e-6)))
    // Counts as of an older snapshot miss the claims of the days since: they add to the lag.
    tier.lagDays = lagDays + staleDays
    tier.neverClaimedShare = estimate.neverClaimedShare
  }
}

/** Sets each published tier's fixed lag of `features-v2`: its assumed mean, at most the age. */
function setLegacyLags(published: readonly PublishedTier[], ageDays: number | null): void {
  for (const tier of published) {
    const lag = assumedClaimLag(tier.prizeAmount, tier.isTopTier)
    tier.lagDays = ageDays === null ? lag.meanLagDays : Math.min(lag.meanLagDays, ageDays)
    tier.neverClaimedShare = lag.neverClaimedShare
  }
}

/**
 * Computes the features of one game as of its observation day (the columns asked for, in their
 * order), or the reason it cannot.
 */
export function computeFeatures(
  observation: GameObservation,
  options: FeatureOptions = {},
): FeatureResult {
  const result = estimateExpectedValue({ game: observation.game, tiers: observation.tiers })
  if (!result.ok) return result
  const estimate = result.estimate
  const { game, tiers, asOfDate } = observation
  const columns = options.columns ?? CURRENT_FEATURE_COLUMNS

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
  const latestDay = history.at(-1)?.snapshotDate
  const ageDays = game.launchDate === null
    ? null
    : Math.max(0, daysBetween(game.launchDate, asOfDate))
  const staleDays = latestDay === undefined ? 0 : Math.max(0, daysBetween(latestDay, asOfDate))
  // The published tiers once; each correction sets their lags.
  const published: PublishedTier[] = []
  for (const tier of tiers) {
    if (tier.remainingPrizes === null) continue
    const isTopTier = tier === topTier
    published.push({
      key: tierKey(tier.prizeAmount),
      prizeAmount: tier.prizeAmount,
      totalPrizes: tier.totalPrizes,
      remainingPrizes: tier.remainingPrizes,
      isTopTier,
      prizeClass: prizeClassOf(tier.prizeAmount, isTopTier),
      lagDays: 0,
      neverClaimedShare: 0,
    })
  }
  const publishedByAmount = new Map(published.map((tier) => [tier.prizeAmount, tier]))
  const inputs: CorrectionInputs = {
    tiers,
    published,
    publishedOfTier: tiers.map((tier) => publishedByAmount.get(tier.prizeAmount)),
    history,
    ticketsPrinted: estimate.ticketsPrinted,
    ticketPrice: game.ticketPrice,
    ageDays,
    fallbackFractionSold: estimate.fractionSold.estimate,
  }

  // Each value goes straight to its column (a name the model does not ask for is dropped), and a
  // column left unset or not finite reads UNKNOWN.
  const values = new Float64Array(columns.names.length).fill(Number.NaN)
  const set = (name: KnownFeatureName, value: number) => {
    const position = columns.positions.get(name)
    if (position !== undefined) values[position] = value
  }
  set('ticket_price', game.ticketPrice)
  set('log_tickets_printed', Math.log10(estimate.ticketsPrinted))
  set('printed_payout', estimate.printedReturnPerDollar)
  set('days_since_launch', ageDays ?? UNKNOWN)
  set('est_fraction_sold', estimate.fractionSold.estimate)
  set('est_fraction_sold_width', estimate.fractionSold.high - estimate.fractionSold.low)
  set('est_expected_return', estimate.expectedReturnPerDollar.estimate)
  set('est_expected_return_low', estimate.expectedReturnPerDollar.low)
  set('est_expected_return_high', estimate.expectedReturnPerDollar.high)
  set('est_win_probability', estimate.winProbability)
  set('est_prize_above_price_probability', estimate.probabilityPrizeAbovePrice)
  set('est_top_prize_ratio', estimate.topPrizeRatio ?? UNKNOWN)
  set(
    'top_prizes_left_share',
    topTier.remainingPrizes === null ? UNKNOWN : topTier.remainingPrizes / topTier.totalPrizes,
  )
  set('top_tier_money_share', (topTier.prizeAmount * topTier.totalPrizes) / printedMoney)
  set('publication_coverage', publishedPrintedMoney / printedMoney)
  set('published_tier_share', publishedTiers / tiers.length)
  set(
    'published_money_left_ratio',
    publishedPrintedMoney > 0
      ? publishedRemainingMoney / publishedPrintedMoney / ticketShareLeft
      : UNKNOWN,
  )
  set('depletion_7d', depletion7)
  set('depletion_30d', depletion30)
  set(
    'depletion_trend',
    depletion7 >= 0 && depletion30 > 0 ? depletion7 / (depletion30 * 7 / 30) : UNKNOWN,
  )
  set('history_days', firstDay === undefined ? 0 : daysBetween(firstDay, asOfDate) + 1)
  set('days_since_snapshot', latestDay === undefined ? UNKNOWN : staleDays)
  set('retailer_tier_claimed_share', pooledClaimedShare(published, 'retailer'))
  set('lottery_tier_claimed_share', pooledClaimedShare(published, 'office'))

  if (columns.usesLegacyCorrection) {
    setLegacyLags(published, ageDays)
    const legacy = claimLagCorrection(inputs)
    for (const [field, legacyName] of CORRECTION_COLUMNS) set(legacyName, legacy[field])
  }
  if (columns.usesClaimProfile) {
    const profile = options.profile ?? priorClaimProfile(game.state, asOfDate)
    setProfileLags(published, profile, { ageDays, staleDays, sdSteps: 0 })
    const corrected = claimLagCorrection(inputs)
    for (const [field, , profileName] of CORRECTION_COLUMNS) set(profileName, corrected[field])
    set('claim_top_pending_share', corrected.topPendingShare)
    setProfileSummary(set, profile, published, topTier)
    // The return with every lag one standard deviation longer, and shorter (the same sales).
    const rate = corrected.salesRate === UNKNOWN ? null : corrected.salesRate
    setProfileLags(published, profile, { ageDays, staleDays, sdSteps: 1 })
    const longer = claimLagCorrection(inputs, rate).expectedReturn
    setProfileLags(published, profile, { ageDays, staleDays, sdSteps: -1 })
    const shorter = claimLagCorrection(inputs, rate).expectedReturn
    set('claim_return_lag_sd', Math.abs(shorter - longer) / 2)
  }

  for (let index = 0; index < values.length; index++) {
    values[index] = finiteOr(values[index]!, UNKNOWN)
  }
  return { ok: true, features: { values, estimate } }
}

/**
 * What the profile says about this game's published tiers (their lags set from it): the lag and
 * its uncertainty weighted by the published prize money left (the money a lag decides about), the
 * top class's lag, the never-claimed share weighted by printed prizes, and the games behind the
 * profile.
 */
function setProfileSummary(
  set: (name: KnownFeatureName, value: number) => void,
  profile: ClaimProfile,
  published: readonly PublishedTier[],
  topTier: PrizeTier,
): void {
  let money = 0
  let lag = 0
  let logSd = 0
  let prizes = 0
  let neverClaimed = 0
  for (const tier of published) {
    const estimate = profile.classes[tier.prizeClass]
    const weight = tier.prizeAmount * Math.max(tier.remainingPrizes, 0.5)
    money += weight
    lag += weight * tier.lagDays
    logSd += weight * estimate.lagLogSd
    prizes += tier.totalPrizes
    neverClaimed += tier.totalPrizes * estimate.neverClaimedShare
  }
  const games = profile.classes.retailer.games + profile.classes.office.games +
    profile.classes.top.games
  set('claim_lag_days', money > 0 ? lag / money : UNKNOWN)
  set('claim_lag_top_days', profile.classes[prizeClassOf(topTier.prizeAmount, true)].meanLagDays)
  set('claim_lag_log_sd', money > 0 ? logSd / money : UNKNOWN)
  set('claim_never_claimed_share', prizes > 0 ? neverClaimed / prizes : UNKNOWN)
  set('claim_profile_games', Math.log1p(games))
}

/** Feature values as a name-to-value record (stored in `predictions.features`). */
export function featureRecord(
  values: ArrayLike<number>,
  columns: FeatureColumns = CURRENT_FEATURE_COLUMNS,
): Record<string, number> {
  const record = { ...columns.recordTemplate }
  const names = columns.names
  for (let index = 0; index < names.length; index++) {
    record[names[index]!] = Math.round((values[index] ?? UNKNOWN) * 1e6) / 1e6
  }
  return record
}
