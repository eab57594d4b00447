import { describe, expect, it } from 'vitest'
import { estimateExpectedValue } from './estimator.ts'
import {
  DEFAULT_TRAINING_RANGES,
  disagreesWithEstimator,
  guardedInputs,
  implausibility,
  RANGE_TOLERANCE,
  withinTolerance,
} from './plausibility.ts'
import type { GameObservation, PrizeTier } from './types.ts'

const model = { version: 'gbm-test', trainingRanges: DEFAULT_TRAINING_RANGES }

const printedTickets = 1_000_000

/** A tier of a game of a million tickets: [prize, printed, remaining or null]. */
function tier([prizeAmount, totalPrizes, remainingPrizes]: [number, number, number | null]) {
  return { prizeAmount, odds: printedTickets / totalPrizes, totalPrizes, remainingPrizes }
}

/** A $3 game's prize table (payout 0.67, Minnesota-like). */
const threeDollarTiers: PrizeTier[] = ([
  [3, 200_000, null],
  [6, 60_000, null],
  [15, 30_000, null],
  [50, 4_000, null],
  [500, 200, 150],
  [30_000, 10, 8],
] as Array<[number, number, number | null]>).map(tier)

function observation(ticketPrice: number, tiers: PrizeTier[], ticketsPrinted: number | null) {
  const prizes = tiers.reduce((sum, tier) => sum + tier.totalPrizes, 0)
  return {
    game: {
      id: 1,
      state: 'MN',
      gameNumber: 'X',
      gameName: 'X',
      ticketPrice,
      overallOdds: printedTickets / prizes,
      ticketsPrinted,
      launchDate: null,
    },
    tiers,
    snapshots: [],
    asOfDate: '2026-11-26',
  } satisfies GameObservation
}

/** The guard's verdict on a model answering `modelReturn` (interval: default ±0.02). */
function judge(
  game: GameObservation,
  modelReturn: number,
  interval: { low: number; high: number } = { low: modelReturn - 0.02, high: modelReturn + 0.02 },
) {
  const result = estimateExpectedValue(game)
  if (!result.ok) throw new Error(result.refusal.message)
  return {
    estimate: result.estimate,
    verdict: implausibility({
      observation: game,
      estimate: result.estimate,
      modelReturn,
      modelLow: interval.low,
      modelHigh: interval.high,
    }, model),
  }
}

describe('implausibility', () => {
  it('passes an ordinary $3 game whose prediction is near the estimator', () => {
    const game = observation(3, threeDollarTiers, 1_000_000)
    const { estimate, verdict } = judge(game, 0.68)
    expect(estimate.expectedReturnPerDollar.estimate).toBeCloseTo(0.67, 1)
    expect(verdict).toBeNull()
  })

  it("holds back a $999,999.99 ticket with a $3 game's prizes (out_of_range)", () => {
    const game = observation(999_999.99, threeDollarTiers, 1_000_000)
    const { estimate, verdict } = judge(game, 0.59)
    expect(estimate.expectedReturnPerDollar.estimate).toBeLessThan(0.0001)
    expect(verdict?.reason).toBe('out_of_range')
    expect(verdict?.message).toContain('ticket_price 999999.99 (trained on 1 to 50)')
    expect(verdict?.message).toContain('model gbm-test')
  })

  it('holds back one $9,999,999,999.99 prize on a million $1 tickets (out_of_range)', () => {
    const game = observation(1, [tier([9_999_999_999.99, 1, 1])], 1_000_000)
    const { estimate, verdict } = judge(game, 0.93)
    expect(estimate.expectedReturnPerDollar.estimate).toBeGreaterThan(1_000)
    expect(verdict?.reason).toBe('out_of_range')
    expect(verdict?.message).toContain('top_prize_to_price 9999999999.99 (trained on 25 to 25000)')
    expect(verdict?.message).toContain('printed_payout')
  })

  it.each([
    ['calls an ordinary game a strong buy (3.0 per $1)', 3],
    ['says nothing is won (0 per $1)', 0],
    ['answers NaN', Number.NaN],
    ['answers Infinity', Infinity],
  ])('holds back a model that %s (implausible_prediction)', (_case, modelReturn) => {
    const { verdict } = judge(observation(3, threeDollarTiers, 1_000_000), modelReturn)
    expect(verdict?.reason).toBe('implausible_prediction')
    expect(verdict?.message).toMatch(
      /^Not scored: model gbm-test says \S+ per \$1 where the standard estimator says 0\.\d+, more than 0\.25 per \$1 and 1\.5x apart$/,
    )
  })

  it("reads a model's own ranges: a narrower one holds back what the defaults admit", () => {
    const game = observation(3, threeDollarTiers, 1_000_000)
    const result = estimateExpectedValue(game)
    if (!result.ok) throw new Error(result.refusal.message)
    const narrow = {
      version: 'narrow',
      trainingRanges: { ...DEFAULT_TRAINING_RANGES, ticket_price: { min: 5, max: 50 } },
    }
    expect(
      implausibility({
        observation: game,
        estimate: result.estimate,
        modelReturn: 0.68,
        modelLow: 0.66,
        modelHigh: 0.7,
      }, narrow)
        ?.message,
    )
      .toBe(
        'Not scored: outside what model narrow was trained on: ticket_price 3 (trained on 5 to 50)',
      )
  })
})

describe('implausibility of a claimed gain and of the interval', () => {
  const ordinary = observation(3, threeDollarTiers, 1_000_000)
  /** The $3 game later in its sale: 80 of its 200 $500 prizes left (estimator about 0.76). */
  const selling = observation(
    3,
    threeDollarTiers.map((row) => row.prizeAmount === 500 ? { ...row, remainingPrizes: 80 } : row),
    1_000_000,
  )
  /** A $3 game whose published counts show most small prizes gone and the big ones left. */
  const depleted = observation(
    3,
    ([
      [3, 200_000, 20_000],
      [6, 60_000, 6_000],
      [15, 30_000, 3_000],
      [50, 4_000, 400],
      [500, 200, 150],
      [30_000, 10, 8],
    ] as Array<[number, number, number | null]>).map(tier),
    1_000_000,
  )

  it.each([
    ['1.05 (1.02 to 1.08): within the gap bounds, yet a buy', 1.05, 1.02, 1.08],
    ['0.98 with its whole interval above $1', 0.98, 1.01, 1.1],
    ['exactly 1', 1, 0.97, 1.03],
  ])(
    'holds back a claim of par the estimator does not support: %s',
    (_case, point, low, high) => {
      const { estimate, verdict } = judge(selling, point, { low, high })
      // Within the gap bounds of the estimator: only the claim of par gives it away.
      expect(disagreesWithEstimator(point, estimate.expectedReturnPerDollar.estimate)).toBe(false)
      expect(estimate.expectedReturnPerDollar.high).toBeLessThan(1)
      expect(verdict?.reason).toBe('implausible_prediction')
      expect(verdict?.message).toMatch(
        /^Not scored: model gbm-test says \S+ per \$1 \(80% interval \S+ to \S+\) where the standard estimator's whole 80% interval is below \$1 \(0\.\d+ to 0\.\d+\)$/,
      )
    },
  )

  it('admits a claim of par where the estimator reaches $1 too', () => {
    const { estimate, verdict } = judge(depleted, 1.3, { low: 1.2, high: 1.4 })
    expect(estimate.expectedReturnPerDollar.high).toBeGreaterThan(1)
    expect(verdict).toBeNull()
  })

  it.each([
    ['a range of 0.1 to 40', 0.7, 0.1, 40, 'outside 0 to 2 per $1'],
    ['a negative low', 0.7, -0.2, 0.8, 'outside 0 to 2 per $1'],
    ['a NaN high', 0.7, 0.6, Number.NaN, 'outside 0 to 2 per $1'],
    [
      'a low above the point',
      0.7,
      0.8,
      0.9,
      'the interval misses the expected return by more than 0.05',
    ],
    [
      'a high below the point',
      0.7,
      0.5,
      0.6,
      'the interval misses the expected return by more than 0.05',
    ],
  ])('holds back %s', (_case, point, low, high, why) => {
    const { verdict } = judge(ordinary, point, { low, high })
    expect(verdict?.reason).toBe('implausible_prediction')
    expect(verdict?.message).toContain(`Not scored: model gbm-test says 0.7 per $1 (80% interval`)
    expect(verdict?.message).toContain(why)
  })

  it('admits the small crossings of separately trained quantiles', () => {
    expect(judge(ordinary, 0.68, { low: 0.69, high: 0.7 }).verdict).toBeNull()
    expect(judge(ordinary, 0.68, { low: 0.6, high: 0.67 }).verdict).toBeNull()
  })
})

describe('disagreesWithEstimator', () => {
  it.each([
    [0.7, 0.72, false],
    [0.68, 0.93, false], // 0.25 apart, but within 1.5x
    [0.6, 0.000002, true],
    [0.93, 13_333, true],
    [3, 0.7, true],
    [1.05, 0.75, false], // 0.30 apart but only 1.4x: a claim-lag correction can be that large
    [0.2, 0.05, false], // 4x, but only 0.15 per $1 apart
  ])('model %s vs estimator %s: %s', (modelReturn, estimatorReturn, expected) => {
    expect(disagreesWithEstimator(modelReturn, estimatorReturn)).toBe(expected)
  })
})

describe('withinTolerance', () => {
  it(`admits values up to ${RANGE_TOLERANCE * 100}% beyond either edge`, () => {
    const range = { min: 10, max: 100 }
    expect(withinTolerance(9, range)).toBe(true)
    expect(withinTolerance(110, range)).toBe(true)
    expect(withinTolerance(8.9, range)).toBe(false)
    expect(withinTolerance(110.1, range)).toBe(false)
  })
})

describe('guardedInputs', () => {
  it('reads price, printed tickets, prize ratios and payout as the estimator does', () => {
    const game = observation(3, threeDollarTiers, null)
    const result = estimateExpectedValue(game)
    if (!result.ok) throw new Error(result.refusal.message)
    const values = guardedInputs(game, result.estimate)
    expect(values.ticket_price).toBe(3)
    expect(values.top_prize_to_price).toBe(10_000)
    expect(values.lowest_prize_to_price).toBe(1)
    expect(values.tickets_printed).toBe(result.estimate.ticketsPrinted)
    expect(values.printed_payout).toBe(result.estimate.printedReturnPerDollar)
  })
})
