/**
 * The one feature definition, used by training (on simulated observations) and by the
 * score-games function (on rows read from Postgres). A model is trained on, and only accepts,
 * exactly {@link FEATURE_NAMES} in this order; {@link FEATURE_SET_VERSION} names this list.
 *
 * Every feature is finite. Where a value is unknown (no launch date, no published top tier, no
 * history) the feature is -1, a value none of them takes otherwise.
 */
import {
  estimateExpectedValue,
  type EstimateRefusal,
  type ExpectedValueEstimate,
} from './estimator.ts'
import { type GameObservation, type Snapshot, tierKey } from './types.ts'

/** Version of the feature list below; bump it whenever a name, order or meaning changes. */
export const FEATURE_SET_VERSION = 'features-v1'

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

const DAY_MS = 86_400_000

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(to) - Date.parse(from)) / DAY_MS)
}

function finiteOr(value: number, fallback: number): number {
  return Number.isFinite(value) ? value : fallback
}

/** Share of the published prizes claimed, pooled over the tiers a snapshot lists. */
function claimedShare(snapshot: Snapshot, printedByKey: Map<string, number>): number | null {
  let printed = 0
  let remaining = 0
  for (const [key, left] of Object.entries(snapshot.remainingByTier)) {
    const total = printedByKey.get(key)
    if (total === undefined || total === 0) continue
    printed += total
    remaining += Math.min(left, total)
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
  const history = observation.snapshots.filter((snapshot) => snapshot.snapshotDate <= asOfDate)
  const depletion7 = depletionOver(history, printedByKey, 7)
  const depletion30 = depletionOver(history, printedByKey, 30)
  const firstDay = history[0]?.snapshotDate

  const named: Record<FeatureName, number> = {
    ticket_price: game.ticketPrice,
    log_tickets_printed: Math.log10(estimate.ticketsPrinted),
    printed_payout: estimate.printedReturnPerDollar,
    days_since_launch: game.launchDate === null
      ? UNKNOWN
      : Math.max(0, daysBetween(game.launchDate, asOfDate)),
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
