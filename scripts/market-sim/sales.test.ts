import { describe, expect, it } from 'vitest'
import { createRandom } from '../lib/random.ts'
import { createDailySales, drawSalesProfile, salesShape } from './sales.ts'

describe('sales', () => {
  it('peaks at launch and decays', () => {
    const profile = drawSalesProfile(createRandom(1), {
      ticketsPrinted: 2_000_000,
      plannedLifeDays: 300,
    })
    expect(salesShape(profile, 0)).toBeGreaterThan(salesShape(profile, 30))
    expect(salesShape(profile, 30)).toBeGreaterThan(salesShape(profile, 299))
  })

  it('sells about the target share of the run over the planned life, on average', () => {
    const random = createRandom(2)
    let ratioTotal = 0
    const games = 200
    for (let game = 0; game < games; game++) {
      const profile = drawSalesProfile(random, { ticketsPrinted: 1_000_000, plannedLifeDays: 200 })
      const sales = createDailySales(random, profile)
      let sold = 0
      for (let age = 0; age < 200; age++) sold += sales.next(age, age % 7)
      ratioTotal += sold / (profile.targetFractionSold * 1_000_000)
    }
    expect(ratioTotal / games).toBeCloseTo(1, 1)
  })

  it('differs widely in speed between games', () => {
    const random = createRandom(3)
    const targets = Array.from(
      { length: 500 },
      () =>
        drawSalesProfile(random, { ticketsPrinted: 1_000_000, plannedLifeDays: 300 })
          .targetFractionSold,
    )
    expect(Math.min(...targets)).toBeLessThan(0.4)
    expect(Math.max(...targets)).toBeGreaterThan(1)
  })
})
