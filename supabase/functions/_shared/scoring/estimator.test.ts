import { describe, expect, it } from 'vitest'
import {
  estimateExpectedValue,
  type EstimateRefusalCode,
  type EstimatorInput,
  type ExpectedValueEstimate,
} from './estimator.ts'
import { createRandom } from '../../../../scripts/lib/random.ts'
import type { PrizeTier } from './types.ts'

const tier = (
  prizeAmount: number,
  totalPrizes: number,
  remainingPrizes: number | null,
  odds: number | null = null,
): PrizeTier => ({ prizeAmount, totalPrizes, remainingPrizes, odds })

/** Asserts the estimator answered and returns its estimate. */
function estimated(input: EstimatorInput): ExpectedValueEstimate {
  const result = estimateExpectedValue(input)
  if (!result.ok) throw new Error(`refused: ${result.refusal.code} ${result.refusal.message}`)
  return result.estimate
}

// Game A: $2, 10,000 tickets; $2×2000 + $5×600 + $20×150 + $500×6 = $13,000 → 65% payout.
const gameA = { ticketPrice: 2, overallOdds: 3.63, ticketsPrinted: 10_000 }
// Game B: $2, 10,000 tickets; $2×2000 + $5×500 + $20×100 + $500×3 + $3000×1 = $13,000.
const gameB = { ticketPrice: 2, overallOdds: 3.84, ticketsPrinted: 10_000 }

describe('estimateExpectedValue, cases computed by hand', () => {
  it('a fresh game with every tier published returns its printed payout', () => {
    const estimate = estimated({
      game: gameA,
      tiers: [tier(2, 2000, 2000), tier(5, 600, 600), tier(20, 150, 150), tier(500, 6, 6)],
    })
    // Nothing claimed of 2756: sold share = ½ / 2757 (Jeffreys); 10,000 × (1 − ½/2757) = 9998.19.
    expect(estimate.fractionSold.estimate).toBeCloseTo(0.5 / 2757, 9)
    expect(estimate.remainingTickets).toBe(9998)
    expect(estimate.printedReturnPerDollar).toBeCloseTo(0.65, 12)
    // $13,000 / (9998.19 × $2).
    expect(estimate.expectedReturnPerDollar.estimate).toBeCloseTo(0.6501179, 6)
    expect(estimate.expectedPrizeValue).toBeCloseTo(1.3002358, 6)
    expect(estimate.winProbability).toBeCloseTo(2756 / 9998.1864, 6)
    expect(estimate.probabilityPrizeAbovePrice).toBeCloseTo(756 / 9998.1864, 6)
    expect(estimate.topPrizeRatio).toBeCloseTo(1 / (1 - 0.5 / 2757), 9)
    // scipy: Beta(½, 2756½) 10%/90% quantiles 2.8645e-6 and 4.9068e-4; no unpublished luck.
    expect(estimate.expectedReturnPerDollar.low).toBeCloseTo(0.6500019, 6)
    expect(estimate.expectedReturnPerDollar.high).toBeCloseTo(0.6503191, 6)
  })

  it('a half-sold game with proportional claims keeps its payout, with an interval', () => {
    const estimate = estimated({
      game: gameA,
      tiers: [tier(2, 2000, 1000), tier(5, 600, 300), tier(20, 150, 75), tier(500, 6, 3)],
    })
    // 1378 claimed of 2756: sold share = 1378½ / 2757 = ½; 5000 tickets left holding $6500.
    expect(estimate.fractionSold.estimate).toBe(0.5)
    expect(estimate.remainingTickets).toBe(5000)
    expect(estimate.expectedPrizeValue).toBeCloseTo(1.3, 12)
    expect(estimate.expectedReturnPerDollar.estimate).toBeCloseTo(0.65, 12)
    expect(estimate.winProbability).toBeCloseTo(0.2756, 12)
    expect(estimate.probabilityPrizeAbovePrice).toBeCloseTo(0.0756, 12)
    expect(estimate.topPrizeRatio).toBeCloseTo(1, 12)
    // scipy: Beta(1378½, 1378½) quantiles 0.487797 / 0.512203 → $6500 / ($20,000 × (1 − f)).
    expect(estimate.fractionSold.low).toBeCloseTo(0.48779712, 7)
    expect(estimate.fractionSold.high).toBeCloseTo(0.51220288, 7)
    expect(estimate.expectedReturnPerDollar.low).toBeCloseTo(0.6345142, 6)
    expect(estimate.expectedReturnPerDollar.high).toBeCloseTo(0.6662606, 6)
  })

  it('a game with all top prizes gone is worth less and has a top-prize ratio of 0', () => {
    // Minnesota-style: only the $500 and $3000 tiers publish remaining counts.
    const estimate = estimated({
      game: gameB,
      tiers: [
        tier(2, 2000, null),
        tier(5, 500, null),
        tier(20, 100, null),
        tier(500, 3, 2),
        tier(3000, 1, 0),
      ],
    })
    // 2 claimed of 4: sold share = 2½ / 5 = ½, 5000 tickets left. Unpublished tiers at half:
    // $2×1000 + $5×250 + $20×50 = $4250, plus $500×2 → $5250 / 5000 tickets = $1.05.
    expect(estimate.fractionSold.estimate).toBe(0.5)
    expect(estimate.fractionSoldBasis).toBe('published_depletion')
    expect(estimate.expectedPrizeValue).toBeCloseTo(1.05, 12)
    expect(estimate.expectedReturnPerDollar.estimate).toBeCloseTo(0.525, 12)
    expect(estimate.winProbability).toBeCloseTo(1302 / 5000, 12)
    expect(estimate.probabilityPrizeAbovePrice).toBeCloseTo(302 / 5000, 12)
    expect(estimate.topPrizeRatio).toBe(0)
  })

  it('unknown low tiers are assumed depleted at the sold share; tickets come from tier odds', () => {
    const estimate = estimated({
      game: { ...gameB, ticketsPrinted: null },
      tiers: [
        tier(2, 2000, null, 5),
        tier(5, 500, null, 20),
        tier(20, 100, null, 100),
        tier(500, 3, 1, 3333.33),
        tier(3000, 1, 1, 10_000),
      ],
    })
    // Median of 10,000, 10,000, 10,000, 9,999.99, 10,000 is 10,000. Sold share ½ as above;
    // $4250 unpublished + $500 + $3000 = $7750 over 5000 tickets = $1.55 → 77.5% per dollar.
    expect(estimate.ticketsPrinted).toBe(10_000)
    expect(estimate.ticketsPrintedSource).toBe('tier_odds')
    expect(estimate.expectedPrizeValue).toBeCloseTo(1.55, 12)
    expect(estimate.expectedReturnPerDollar.estimate).toBeCloseTo(0.775, 12)
    expect(estimate.topPrizeRatio).toBeCloseTo(2, 12)
    // Only 4 published prizes: a wide interval around the estimate.
    const { low, high } = estimate.expectedReturnPerDollar
    expect(low).toBeLessThan(0.7)
    expect(high).toBeGreaterThan(0.85)
  })

  it('derives tickets printed from the overall odds when no tier has odds', () => {
    const estimate = estimated({
      game: { ...gameB, ticketsPrinted: null },
      tiers: [
        tier(2, 2000, null),
        tier(5, 500, null),
        tier(20, 100, null),
        tier(500, 3, 3),
        tier(3000, 1, 1),
      ],
    })
    // round(3.84 × 2604) = round(9999.36).
    expect(estimate.ticketsPrinted).toBe(9999)
    expect(estimate.ticketsPrintedSource).toBe('overall_odds')
  })

  it('without any published remaining count, returns the printed payout and says so', () => {
    const estimate = estimated({
      game: gameA,
      tiers: [tier(2, 2000, null), tier(5, 600, null), tier(20, 150, null), tier(500, 6, null)],
    })
    expect(estimate.fractionSoldBasis).toBe('no_published_tiers')
    expect(estimate.expectedReturnPerDollar.estimate).toBeCloseTo(0.65, 12)
    expect(estimate.topPrizeRatio).toBeNull()
  })
})

describe('estimateExpectedValue refusals', () => {
  const valid = [tier(2, 2000, null), tier(5, 600, null), tier(20, 150, null), tier(500, 6, 3)]
  const cases: Array<[EstimateRefusalCode, EstimatorInput]> = [
    ['no_tiers', { game: gameA, tiers: [] }],
    ['non_positive_price', { game: { ...gameA, ticketPrice: 0 }, tiers: valid }],
    ['non_positive_price', { game: { ...gameA, ticketPrice: -5 }, tiers: valid }],
    ['invalid_tier', { game: gameA, tiers: [...valid, tier(0, 5, null)] }],
    ['invalid_tier', { game: gameA, tiers: [...valid, tier(50, 0, null)] }],
    ['invalid_tier', { game: gameA, tiers: [...valid, tier(50, 10, -1)] }],
    ['remaining_exceeds_printed', { game: gameA, tiers: [...valid, tier(1000, 2, 3)] }],
    ['invalid_tickets_printed', { game: { ...gameA, ticketsPrinted: 0 }, tiers: valid }],
    ['invalid_odds', { game: { ...gameA, overallOdds: 1 }, tiers: valid }],
    ['invalid_odds', { game: gameA, tiers: [...valid, tier(1000, 2, 2, 0.5)] }],
    ['prizes_exceed_tickets', { game: { ...gameA, ticketsPrinted: 2000 }, tiers: valid }],
    ['inconsistent_odds', { game: { ...gameA, overallOdds: 10 }, tiers: valid }],
    ['inconsistent_odds', { game: gameA, tiers: [...valid.slice(1), tier(2, 2000, null, 20)] }],
  ]
  it.each(cases)('refuses with %s', (code, input) => {
    const result = estimateExpectedValue(input)
    expect(result.ok).toBe(false)
    if (!result.ok) {
      expect(result.refusal.code).toBe(code)
      expect(result.refusal.message).toMatch(/^Cannot estimate: /)
    }
  })
})

describe('estimateExpectedValue outputs', () => {
  /** Every number in the estimate, recursively. */
  function numbersIn(value: unknown): number[] {
    if (typeof value === 'number') return [value]
    if (value && typeof value === 'object') return Object.values(value).flatMap(numbersIn)
    return []
  }

  it('are always finite, ordered and in range, even for extreme data', () => {
    const random = createRandom(11)
    for (let trial = 0; trial < 2_000; trial++) {
      const ticketsPrinted = random.integer(1, 5_000_000)
      const tiers: PrizeTier[] = []
      let prizesLeft = Math.floor(ticketsPrinted * random.uniform(0, 0.5))
      const tierCount = random.integer(1, 12)
      for (let i = 0; i < tierCount && prizesLeft > 0; i++) {
        const totalPrizes = random.integer(1, Math.max(1, Math.floor(prizesLeft / 2)))
        prizesLeft -= totalPrizes
        const published = random.float() < 0.6
        const remaining = [0, totalPrizes, random.integer(0, totalPrizes)][random.integer(0, 2)]
        tiers.push(
          tier(10 ** random.uniform(-1, 6), totalPrizes, published ? remaining ?? 0 : null),
        )
      }
      const totalPrizes = tiers.reduce((sum, t) => sum + t.totalPrizes, 0)
      if (totalPrizes === 0) continue
      const result = estimateExpectedValue({
        game: {
          ticketPrice: 10 ** random.uniform(-2, 2),
          overallOdds: Math.max(1.0001, ticketsPrinted / totalPrizes),
          ticketsPrinted,
        },
        tiers,
      })
      expect(result.ok).toBe(true)
      if (!result.ok) continue
      const estimate = result.estimate
      for (const number of numbersIn(estimate)) expect(Number.isFinite(number)).toBe(true)
      const { low, estimate: point, high } = estimate.expectedReturnPerDollar
      expect(low <= point && point <= high && low >= 0).toBe(true)
      expect(estimate.fractionSold.low).toBeLessThanOrEqual(estimate.fractionSold.high)
      expect(estimate.winProbability).toBeLessThanOrEqual(1)
      expect(estimate.remainingTickets).toBeGreaterThanOrEqual(1)
    }
  })
})
