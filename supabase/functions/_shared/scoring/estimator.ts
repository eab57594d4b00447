/**
 * The field's standard expected-value estimator for a scratch game: the baseline the model must
 * beat. Pure, no I/O.
 *
 * It reads the share of tickets sold from the depletion of the published tiers (claimed over
 * printed, pooled, with a Jeffreys Beta posterior), takes published remaining counts at face
 * value, and assumes unpublished tiers are depleted at that same share. Winners claim late, so
 * claims lag sales: this estimator under-estimates tickets sold and counts sold-but-unclaimed
 * prizes as still available. That bias is known and kept on purpose: this is the standard.
 */
import { betaQuantile, normalQuantile } from './special-functions.ts'
import type { GameFacts, PrizeTier } from './types.ts'

/** What the estimator reads: the game's published facts and its tiers as of one day. */
export interface EstimatorInput {
  game: Pick<GameFacts, 'ticketPrice' | 'overallOdds' | 'ticketsPrinted'>
  tiers: readonly PrizeTier[]
}

/** A point estimate with its central 80% interval. */
export interface Interval80 {
  estimate: number
  low: number
  high: number
}

/** Where the tickets-printed figure came from. */
export type TicketsPrintedSource = 'published' | 'tier_odds' | 'overall_odds'

/** What the share of tickets sold rests on. */
export type FractionSoldBasis = 'published_depletion' | 'no_published_tiers'

/** The estimator's answer for one game on one day. Every number is finite. */
export interface ExpectedValueEstimate {
  ticketsPrinted: number
  ticketsPrintedSource: TicketsPrintedSource
  /** Share of the printed tickets sold, in [0, 1]. */
  fractionSold: Interval80
  fractionSoldBasis: FractionSoldBasis
  /** Tickets estimated unsold (at least 1, and at least the prizes estimated left). */
  remainingTickets: number
  /** Expected prize in dollars of one ticket bought now. */
  expectedPrizeValue: number
  /** Expected prize per dollar spent on a ticket bought now. */
  expectedReturnPerDollar: Interval80
  /** Prize value per dollar of the whole printed game: its payout at launch. */
  printedReturnPerDollar: number
  /** Probability that a ticket bought now wins any prize. */
  winProbability: number
  /** Probability that a ticket bought now wins more than its price. */
  probabilityPrizeAbovePrice: number
  /**
   * Share of top prizes left over share of tickets left (1 = on par, 0 = all gone), or `null`
   * when the top tier's remaining count is not published.
   */
  topPrizeRatio: number | null
}

/** Why the estimator cannot use a game's data. */
export type EstimateRefusalCode =
  | 'no_tiers'
  | 'non_positive_price'
  | 'invalid_tier'
  | 'remaining_exceeds_printed'
  | 'invalid_tickets_printed'
  | 'invalid_odds'
  | 'prizes_exceed_tickets'
  | 'inconsistent_odds'

/** A typed refusal with a message naming what is wrong. */
export interface EstimateRefusal {
  code: EstimateRefusalCode
  message: string
}

/** Either an estimate or the reason there is none. */
export type EstimateResult =
  | { ok: true; estimate: ExpectedValueEstimate }
  | { ok: false; refusal: EstimateRefusal }

/** Published odds are rounded; implied ticket counts further apart than this are inconsistent. */
export const ODDS_TOLERANCE = 0.1

/** Probability inside the reported intervals. */
export const INTERVAL_PROBABILITY = 0.8

const LOWER_QUANTILE = (1 - INTERVAL_PROBABILITY) / 2
const UPPER_QUANTILE = 1 - LOWER_QUANTILE
const Z_UPPER = normalQuantile(UPPER_QUANTILE)
/** Jeffreys prior Beta(½, ½) on the share sold. */
const PRIOR_SHAPE = 0.5

function refuse(code: EstimateRefusalCode, message: string): EstimateResult {
  return { ok: false, refusal: { code, message } }
}

function isCount(value: number): boolean {
  return Number.isInteger(value) && value >= 0
}

function validate(input: EstimatorInput): EstimateResult | null {
  const { game, tiers } = input
  if (tiers.length === 0) return refuse('no_tiers', 'Cannot estimate: the game has no prize tiers')
  if (!(game.ticketPrice > 0) || !Number.isFinite(game.ticketPrice)) {
    return refuse('non_positive_price', `Cannot estimate: ticket price ${game.ticketPrice} <= 0`)
  }
  for (const tier of tiers) {
    const name = `tier $${tier.prizeAmount}`
    if (!(tier.prizeAmount > 0) || !Number.isFinite(tier.prizeAmount)) {
      return refuse('invalid_tier', `Cannot estimate: ${name} has a non-positive prize amount`)
    }
    if (!isCount(tier.totalPrizes) || tier.totalPrizes === 0) {
      return refuse('invalid_tier', `Cannot estimate: ${name} has ${tier.totalPrizes} prizes`)
    }
    if (tier.remainingPrizes !== null && !isCount(tier.remainingPrizes)) {
      return refuse('invalid_tier', `Cannot estimate: ${name} has ${tier.remainingPrizes} left`)
    }
    if (tier.remainingPrizes !== null && tier.remainingPrizes > tier.totalPrizes) {
      return refuse(
        'remaining_exceeds_printed',
        `Cannot estimate: ${name} has ${tier.remainingPrizes} left of ${tier.totalPrizes} printed`,
      )
    }
    if (tier.odds !== null && !(tier.odds > 1 && Number.isFinite(tier.odds))) {
      return refuse('invalid_odds', `Cannot estimate: ${name} has odds 1 in ${tier.odds}`)
    }
  }
  if (!(game.overallOdds > 1) || !Number.isFinite(game.overallOdds)) {
    return refuse('invalid_odds', `Cannot estimate: overall odds 1 in ${game.overallOdds}`)
  }
  if (game.ticketsPrinted !== null && (!isCount(game.ticketsPrinted) || game.ticketsPrinted < 1)) {
    return refuse(
      'invalid_tickets_printed',
      `Cannot estimate: ${game.ticketsPrinted} tickets printed`,
    )
  }
  return null
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1
    ? sorted[middle] ?? 0
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2
}

/** Tickets printed: published, else the median of tier odds × count, else overall odds × prizes. */
function ticketsPrintedOf(input: EstimatorInput): { count: number; source: TicketsPrintedSource } {
  if (input.game.ticketsPrinted !== null) {
    return { count: input.game.ticketsPrinted, source: 'published' }
  }
  const impliedByTiers = input.tiers.flatMap((tier) =>
    tier.odds === null ? [] : [tier.odds * tier.totalPrizes]
  )
  if (impliedByTiers.length > 0) {
    return { count: Math.round(median(impliedByTiers)), source: 'tier_odds' }
  }
  const totalPrizes = input.tiers.reduce((sum, tier) => sum + tier.totalPrizes, 0)
  return { count: Math.round(input.game.overallOdds * totalPrizes), source: 'overall_odds' }
}

function checkOdds(input: EstimatorInput, ticketsPrinted: number): EstimateResult | null {
  const totalPrizes = input.tiers.reduce((sum, tier) => sum + tier.totalPrizes, 0)
  if (totalPrizes > ticketsPrinted) {
    return refuse(
      'prizes_exceed_tickets',
      `Cannot estimate: ${totalPrizes} prizes printed on ${ticketsPrinted} tickets`,
    )
  }
  const departs = (implied: number) => Math.abs(implied / ticketsPrinted - 1) > ODDS_TOLERANCE
  if (departs(input.game.overallOdds * totalPrizes)) {
    return refuse(
      'inconsistent_odds',
      `Cannot estimate: overall odds 1 in ${input.game.overallOdds} imply ${
        Math.round(input.game.overallOdds * totalPrizes)
      } tickets, not ${ticketsPrinted}`,
    )
  }
  for (const tier of input.tiers) {
    if (tier.odds !== null && departs(tier.odds * tier.totalPrizes)) {
      return refuse(
        'inconsistent_odds',
        `Cannot estimate: tier $${tier.prizeAmount} odds 1 in ${tier.odds} imply ${
          Math.round(tier.odds * tier.totalPrizes)
        } tickets, not ${ticketsPrinted}`,
      )
    }
  }
  return null
}

/** The game's state if a share `fractionSold` of its tickets were sold. */
interface StateAtFraction {
  remainingTickets: number
  remainingPrizes: number
  remainingValue: number
  remainingPrizesAbovePrice: number
}

function stateAt(input: EstimatorInput, ticketsPrinted: number, fractionSold: number) {
  let remainingPrizes = 0
  let remainingValue = 0
  let remainingPrizesAbovePrice = 0
  for (const tier of input.tiers) {
    const left = tier.remainingPrizes ?? tier.totalPrizes * (1 - fractionSold)
    remainingPrizes += left
    remainingValue += left * tier.prizeAmount
    if (tier.prizeAmount > input.game.ticketPrice) remainingPrizesAbovePrice += left
  }
  // Each prize sits on its own ticket, and a game on sale has at least one ticket left.
  const remainingTickets = Math.max(ticketsPrinted * (1 - fractionSold), remainingPrizes, 1)
  return { remainingTickets, remainingPrizes, remainingValue, remainingPrizesAbovePrice }
}

function returnPerDollar(state: StateAtFraction, ticketPrice: number): number {
  return state.remainingValue / (state.remainingTickets * ticketPrice)
}

/**
 * Standard deviation of the return per dollar from prize luck in the unpublished tiers: the
 * unsold tickets are a random subset of the printed ones, so their prize total varies.
 */
function unpublishedLuckSd(input: EstimatorInput, ticketsPrinted: number, unsold: number) {
  let meanValue = 0
  let meanSquare = 0
  for (const tier of input.tiers) {
    if (tier.remainingPrizes !== null) continue
    const share = tier.totalPrizes / ticketsPrinted
    meanValue += tier.prizeAmount * share
    meanSquare += tier.prizeAmount * tier.prizeAmount * share
  }
  const variancePerTicket = Math.max(0, meanSquare - meanValue * meanValue)
  const sold = Math.max(0, ticketsPrinted - unsold)
  const totalVariance = (unsold * variancePerTicket * sold) / Math.max(1, ticketsPrinted - 1)
  return Math.sqrt(totalVariance) / (unsold * input.game.ticketPrice)
}

/**
 * Estimates the expected value of a ticket bought now from what the lottery publishes, or
 * refuses with a typed reason when the data cannot be used.
 */
export function estimateExpectedValue(input: EstimatorInput): EstimateResult {
  const invalid = validate(input)
  if (invalid) return invalid
  const printed = ticketsPrintedOf(input)
  const ticketsPrinted = printed.count
  const inconsistent = checkOdds(input, ticketsPrinted)
  if (inconsistent) return inconsistent

  let publishedPrinted = 0
  let publishedClaimed = 0
  for (const tier of input.tiers) {
    if (tier.remainingPrizes === null) continue
    publishedPrinted += tier.totalPrizes
    publishedClaimed += tier.totalPrizes - tier.remainingPrizes
  }
  // Pooling counts weights each tier by its number of prizes, i.e. by how much it tells.
  const shapeSold = PRIOR_SHAPE + publishedClaimed
  const shapeUnsold = PRIOR_SHAPE + publishedPrinted - publishedClaimed
  // At least one ticket stays unsold while the game is on sale.
  const maxFraction = 1 - 1 / ticketsPrinted
  const clampFraction = (fraction: number) => Math.min(maxFraction, Math.max(0, fraction))
  const fractionSold: Interval80 = {
    estimate: clampFraction(shapeSold / (shapeSold + shapeUnsold)),
    low: clampFraction(betaQuantile(LOWER_QUANTILE, shapeSold, shapeUnsold)),
    high: clampFraction(betaQuantile(UPPER_QUANTILE, shapeSold, shapeUnsold)),
  }

  const price = input.game.ticketPrice
  const now = stateAt(input, ticketsPrinted, fractionSold.estimate)
  const estimate = returnPerDollar(now, price)
  // More tickets sold leaves the published prizes among fewer tickets: monotone, but sort anyway.
  const atLow = returnPerDollar(stateAt(input, ticketsPrinted, fractionSold.low), price)
  const atHigh = returnPerDollar(stateAt(input, ticketsPrinted, fractionSold.high), price)
  const luck = Z_UPPER * unpublishedLuckSd(input, ticketsPrinted, now.remainingTickets)
  const below = Math.max(0, estimate - Math.min(atLow, atHigh))
  const above = Math.max(0, Math.max(atLow, atHigh) - estimate)

  const printedValue = input.tiers.reduce(
    (sum, tier) => sum + tier.prizeAmount * tier.totalPrizes,
    0,
  )
  const topTier = input.tiers.reduce((
    top,
    tier,
  ) => (tier.prizeAmount > top.prizeAmount ? tier : top))
  const ticketShareLeft = now.remainingTickets / ticketsPrinted
  return {
    ok: true,
    estimate: {
      ticketsPrinted,
      ticketsPrintedSource: printed.source,
      fractionSold,
      fractionSoldBasis: publishedPrinted > 0 ? 'published_depletion' : 'no_published_tiers',
      remainingTickets: Math.round(now.remainingTickets),
      expectedPrizeValue: now.remainingValue / now.remainingTickets,
      expectedReturnPerDollar: {
        estimate,
        low: Math.max(0, estimate - Math.hypot(below, luck)),
        high: estimate + Math.hypot(above, luck),
      },
      printedReturnPerDollar: printedValue / (ticketsPrinted * price),
      winProbability: Math.min(1, now.remainingPrizes / now.remainingTickets),
      probabilityPrizeAbovePrice: Math.min(1, now.remainingPrizesAbovePrice / now.remainingTickets),
      topPrizeRatio: topTier.remainingPrizes === null
        ? null
        : topTier.remainingPrizes / topTier.totalPrizes / ticketShareLeft,
    },
  }
}
