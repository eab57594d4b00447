import { describe, expect, it } from 'vitest'
import { estimateExpectedValue } from '../../supabase/functions/_shared/scoring/estimator.ts'
import { designGame, niceAmount, PAYOUT_BY_PRICE } from './game-design.ts'
import { createRandom } from '../lib/random.ts'

describe('niceAmount', () => {
  it.each([[30, 30], [37.5, 40], [7_500, 7_500], [14_000, 15_000], [300_000, 300_000]])(
    'rounds %f to %f',
    (amount, expected) => expect(niceAmount(amount)).toBe(expected),
  )
})

describe('designGame', () => {
  const random = createRandom(99)
  const designs = Array.from({ length: 400 }, () => designGame(random))

  it('prices games from $1 to $50 with payouts near the schedule', () => {
    const prices = new Set(designs.map((design) => design.ticketPrice))
    expect([...prices].sort((a, b) => a - b)).toEqual([1, 2, 3, 5, 10, 20, 30, 50])
    for (const design of designs) {
      expect(Math.abs(design.printedPayout - (PAYOUT_BY_PRICE[design.ticketPrice] ?? 0)))
        .toBeLessThan(0.03)
    }
  })

  it('keeps tiers sorted, at least one prize each, and fewer prizes than tickets', () => {
    for (const design of designs) {
      const amounts = design.tiers.map((tier) => tier.prizeAmount)
      expect(amounts).toEqual([...amounts].sort((a, b) => a - b))
      expect(new Set(amounts).size).toBe(amounts.length)
      const prizes = design.tiers.reduce((sum, tier) => sum + tier.totalPrizes, 0)
      expect(prizes).toBeLessThan(design.ticketsPrinted)
      expect(Math.min(...design.tiers.map((tier) => tier.totalPrizes))).toBeGreaterThanOrEqual(1)
    }
  })

  it('publishes odds the estimator accepts and that recover the print run', () => {
    for (const design of designs) {
      const result = estimateExpectedValue({
        game: {
          ticketPrice: design.ticketPrice,
          overallOdds: design.overallOdds,
          ticketsPrinted: null,
        },
        tiers: design.tiers.map((tier) => ({ ...tier, remainingPrizes: null })),
      })
      expect(result.ok).toBe(true)
      if (result.ok) {
        expect(result.estimate.ticketsPrinted / design.ticketsPrinted).toBeCloseTo(1, 3)
        expect(result.estimate.printedReturnPerDollar).toBeCloseTo(design.printedPayout, 3)
      }
    }
  })

  it('perturbs the print run of real structures', () => {
    const runs = new Set(designs.map((design) => design.ticketsPrinted))
    expect(runs.size).toBeGreaterThan(designs.length * 0.9)
  })
})
