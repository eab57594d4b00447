/**
 * Turns a game's predicted return into what the app shows: ai_score, recommendation,
 * confidence_level and plain-English reasoning. Honest by construction: the reasoning always
 * states the expected return per $1 and never speaks of profit unless the whole 80% interval is
 * above $1 per $1.
 */
import type { Recommendation } from '../run/prediction-store.ts'

/** What interpretation needs to know about one scored game. */
export interface InterpretationInput {
  ticketPrice: number
  /** Model: prize dollars per $1 (point, 10th and 90th percentiles). */
  expectedReturn: number
  expectedReturnLow: number
  expectedReturnHigh: number
  /** Printed prize money / printed ticket money: the game's payout at launch. */
  printedPayout: number
  /** Chance one ticket bought now wins any prize. */
  winProbability: number
  /** Estimated share of tickets already sold. */
  soldFraction: number
  /** Share of top prizes left over share of tickets left (1 = as expected); null if unknown. */
  topPrizeRatio: number | null
  topPrizesRemaining: number | null
  topPrizesPrinted: number
  /** Share of the printed prize money in tiers whose remaining count is published. */
  publicationCoverage: number
  /** The model's calibrated chance that the ticket returns $1 or more per $1 (0-1). */
  aboveParProbability: number
}

/** What the app shows for one game. */
export interface Interpretation {
  aiScore: number
  recommendation: Recommendation
  confidenceLevel: number
  reasoning: string
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value))
}

/**
 * ai_score, 0-100, linear in the predicted return: 0 at 50 cents per $1 or less, 50 at 75 cents,
 * 100 at $1 per $1 or more (`round(200 x (return - 0.5))`, clamped).
 */
export function aiScore(expectedReturn: number): number {
  return clamp(Math.round(200 * (expectedReturn - 0.5)), 0, 100)
}

/**
 * The recommendation from ai_score: strong_avoid < 30 <= avoid < 50 <= neutral < 100 <= buy.
 * `buy` needs ai_score 100, an expected return of at least $1 per $1: a label that reads as
 * advice to buy is never given to a ticket expected to lose money, however good among its peers.
 * strong_buy also needs the whole 80% interval above $1 per $1 (evidence of a positive return).
 */
export function recommendation(score: number, expectedReturnLow: number): Recommendation {
  if (score >= 100 && expectedReturnLow > 1) return 'strong_buy'
  if (score >= 100) return 'buy'
  if (score >= 50) return 'neutral'
  if (score >= 30) return 'avoid'
  return 'strong_avoid'
}

/**
 * confidence_level, 0-100: narrow intervals and well-published games score high.
 * `100 x max(0, 1 - width / (0.6 x return)) x (0.6 + 0.4 x coverage)`, where width is the 80%
 * interval's width and coverage the share of prize money in published tiers.
 */
export function confidenceLevel(input: {
  expectedReturn: number
  expectedReturnLow: number
  expectedReturnHigh: number
  publicationCoverage: number
}): number {
  const width = Math.max(0, input.expectedReturnHigh - input.expectedReturnLow)
  const relativeWidth = width / Math.max(input.expectedReturn, 0.05)
  const sharpness = clamp(1 - relativeWidth / 0.6, 0, 1)
  const coverage = clamp(input.publicationCoverage, 0, 1)
  return Math.round(100 * sharpness * (0.6 + 0.4 * coverage))
}

/** "71 cents" or "$1.04". */
export function perDollar(value: number): string {
  return value < 1 ? `${Math.round(value * 100)} cents` : `$${value.toFixed(2)}`
}

function dollars(value: number): string {
  return `$${Math.abs(value).toFixed(2)}`
}

function returnSentences(input: InterpretationInput): string[] {
  const { expectedReturn: point, expectedReturnLow: low, expectedReturnHigh: high } = input
  const sentences = [
    `Returns about ${perDollar(point)} per $1 on average (80% range: ${perDollar(low)} to ${
      perDollar(high)
    }).`,
  ]
  const net = (point - 1) * input.ticketPrice
  if (low > 1) {
    sentences.push(
      `Even the low end of the range is above $1 per $1: a $${input.ticketPrice} ticket is expected to gain about ${
        dollars(net)
      }.`,
    )
  } else if (point >= 1) {
    sentences.push(
      'The estimate is at or above $1 per $1, but the range reaches $1 per $1 or less, so a gain is not established.',
    )
  } else {
    sentences.push(`A $${input.ticketPrice} ticket is expected to lose about ${dollars(net)}.`)
  }
  return sentences
}

interface Factor {
  weight: number
  sentence: string
}

function factors(input: InterpretationInput): Factor[] {
  const found: Factor[] = []
  const versusPrinted = input.expectedReturn - input.printedPayout
  if (Math.abs(versusPrinted) >= 0.01) {
    found.push({
      weight: Math.abs(versusPrinted) * 10,
      sentence: `That is ${perDollar(Math.abs(versusPrinted))} ${
        versusPrinted > 0 ? 'above' : 'below'
      } the ${perDollar(input.printedPayout)} per $1 this game paid out when it launched.`,
    })
  }
  if (input.topPrizeRatio !== null && input.topPrizesRemaining !== null) {
    const ratio = input.topPrizeRatio
    const share = ratio >= 1.2 ? 'more than' : ratio <= 0.8 ? 'fewer than' : 'about'
    found.push({
      weight: Math.abs(Math.log(Math.max(ratio, 0.01))),
      sentence:
        `${input.topPrizesRemaining} of ${input.topPrizesPrinted} top prizes remain with about ${
          Math.round((1 - input.soldFraction) * 100)
        }% of tickets left: ${share} their share.`,
    })
  } else {
    found.push({
      weight: 0.1,
      sentence: `About ${Math.round(input.soldFraction * 100)}% of tickets appear sold.`,
    })
  }
  if (input.publicationCoverage < 0.5) {
    found.push({
      weight: 0.5 - input.publicationCoverage,
      sentence: `Remaining counts are published for only ${
        Math.round(input.publicationCoverage * 100)
      }% of the prize money, so the estimate is less certain.`,
    })
  }
  return found.sort((a, b) => b.weight - a.weight)
}

/**
 * The chance of $1 or more per $1 is tiny for almost every game; from this chance on it is worth
 * a sentence.
 */
export const ABOVE_PAR_MENTION_PROBABILITY = 0.05

/** The sentence about the chance of returning $1 or more, or none when that chance is tiny. */
function aboveParSentence(input: InterpretationInput): string[] {
  const probability = input.aboveParProbability
  if (!(probability >= ABOVE_PAR_MENTION_PROBABILITY)) return []
  const percent = Math.round(probability * 100)
  return [
    `The chance that a ticket bought today returns $1 or more per $1 is about ${percent}%.`,
  ]
}

/**
 * Plain-English reasoning: the return per $1, the net, the chance of $1 or more per $1 when it is
 * not tiny, the main factors, the win odds.
 */
export function reasoning(input: InterpretationInput): string {
  const odds = input.winProbability > 0
    ? `About 1 in ${(1 / input.winProbability).toFixed(1)} tickets wins a prize.`
    : 'No prizes appear to remain.'
  const topFactors = factors(input).slice(0, 2).map((factor) => factor.sentence)
  return [...returnSentences(input), ...aboveParSentence(input), ...topFactors, odds].join(' ')
}

/** Everything the app shows for one game. */
export function interpret(input: InterpretationInput): Interpretation {
  const score = aiScore(input.expectedReturn)
  return {
    aiScore: score,
    recommendation: recommendation(score, input.expectedReturnLow),
    confidenceLevel: confidenceLevel(input),
    reasoning: reasoning(input),
  }
}
