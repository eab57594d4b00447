import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  DEFAULT_TRAINING_RANGES,
  GUARDED_INPUTS,
  guardedInputs,
  rangeViolations,
} from '../../supabase/functions/_shared/scoring/plausibility.ts'
import { estimateExpectedValue } from '../../supabase/functions/_shared/scoring/estimator.ts'
import { repoRoot } from '../local-stack/config.ts'
import { seedGames } from '../seed/seed-sql.ts'
import { observedGameDays } from '../market-sim/observations.ts'
import { simulatedGames } from '../market-sim/simulator.ts'
import { EVALUATION_START_DATE as startDate } from '../evaluation/evaluation-set.ts'
import { rangeRecorder, unionOfRanges } from './training-ranges.ts'

const game = (ticketPrice: number, prizes: Array<[number, number]>) => ({
  game: {
    ticketPrice,
    overallOdds: 1_000_000 / prizes.reduce((sum, [, count]) => sum + count, 0),
    ticketsPrinted: 1_000_000,
  },
  tiers: prizes.map(([prizeAmount, totalPrizes]) => ({
    prizeAmount,
    odds: 1_000_000 / totalPrizes,
    totalPrizes,
    remainingPrizes: null,
  })),
})

function estimateOf(observation: ReturnType<typeof game>) {
  const result = estimateExpectedValue(observation)
  if (!result.ok) throw new Error(result.refusal.message)
  return result.estimate
}

describe('rangeRecorder', () => {
  it('records each guarded input, rounded outward to 4 significant digits', () => {
    const recorder = rangeRecorder()
    for (const observation of [game(2, [[2, 100_000], [1_000, 10]]), game(5, [[7, 50_000]])]) {
      recorder.add(observation, estimateOf(observation))
    }
    const ranges = recorder.ranges()
    expect(Object.keys(ranges)).toEqual([...GUARDED_INPUTS])
    expect(ranges.ticket_price).toEqual({ min: 2, max: 5 })
    expect(ranges.top_prize_to_price).toEqual({ min: 1.4, max: 500 })
    expect(ranges.lowest_prize_to_price).toEqual({ min: 1, max: 1.4 })
    expect(ranges.tickets_printed).toEqual({ min: 1_000_000, max: 1_000_000 })
    expect(ranges.printed_payout.min).toBeLessThanOrEqual(0.07)
    expect(ranges.printed_payout.max).toBeGreaterThanOrEqual(0.105)
  })

  it('refuses to give ranges of nothing', () => {
    expect(() => rangeRecorder().ranges()).toThrow('no game-day')
  })

  it('unites two sets of ranges', () => {
    const narrow = { ...DEFAULT_TRAINING_RANGES, ticket_price: { min: 2, max: 10 } }
    const other = { ...DEFAULT_TRAINING_RANGES, ticket_price: { min: 1, max: 5 } }
    expect(unionOfRanges(narrow, other).ticket_price).toEqual({ min: 1, max: 10 })
  })
})

describe('the default training ranges (models that record none, gbm-v1)', () => {
  it("are gbm-v1's, as its model card records them", () => {
    const card = JSON.parse(readFileSync(join(repoRoot, 'model', 'gbm-v1.json'), 'utf8'))
    expect(card.trainingRanges).toEqual(DEFAULT_TRAINING_RANGES)
  })

  it('hold the ranges the recorder gives on the simulator (two seeds of the base world)', () => {
    // gbm-v1's training data: portfolios of the base world under both rules.
    const recorder = rangeRecorder()
    for (const seed of [1, 2]) {
      for (const publication of ['minnesota', 'all_tiers'] as const) {
        for (const simulated of simulatedGames({ seed, publication, startDate, days: 90 })) {
          observedGameDays(simulated).forEach(({ observation }, day) => {
            if (day % 10 !== 0) return
            const result = estimateExpectedValue(observation)
            if (result.ok) recorder.add(observation, result.estimate)
          })
        }
      }
    }
    const inputRanges = recorder.ranges()
    for (const name of GUARDED_INPUTS) {
      expect(inputRanges[name].min, name).toBeGreaterThanOrEqual(DEFAULT_TRAINING_RANGES[name].min)
      expect(inputRanges[name].max, name).toBeLessThanOrEqual(DEFAULT_TRAINING_RANGES[name].max)
    }
  })

  it('admit every game of the seed (real Minnesota prize tables), within the tolerance', () => {
    for (const { rows } of seedGames()) {
      const result = estimateExpectedValue({ game: rows.facts, tiers: rows.tiers })
      if (!result.ok) throw new Error(result.refusal.message)
      const values = guardedInputs({ game: rows.facts, tiers: rows.tiers }, result.estimate)
      expect(rangeViolations(values, DEFAULT_TRAINING_RANGES), rows.facts.gameName).toEqual([])
    }
  })
})
