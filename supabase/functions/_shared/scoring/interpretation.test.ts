import { describe, expect, it } from 'vitest'
import {
  aiScore,
  confidenceLevel,
  interpret,
  type InterpretationInput,
  recommendation,
} from './interpretation.ts'

const typical: InterpretationInput = {
  ticketPrice: 5,
  expectedReturn: 0.71,
  expectedReturnLow: 0.66,
  expectedReturnHigh: 0.76,
  printedPayout: 0.68,
  winProbability: 0.25,
  soldFraction: 0.4,
  topPrizeRatio: 1.5,
  topPrizesRemaining: 3,
  topPrizesPrinted: 4,
  publicationCoverage: 0.3,
  aboveParProbability: 0.0001,
}

describe('aiScore', () => {
  it.each([[0.3, 0], [0.5, 0], [0.6, 20], [0.75, 50], [0.9, 80], [1.0, 100], [1.4, 100]])(
    'return %f scores %i',
    (expectedReturn, score) => expect(aiScore(expectedReturn)).toBe(score),
  )

  it('is monotone in the expected return', () => {
    let previous = -1
    for (let r = 0; r <= 1.5; r += 0.001) {
      const score = aiScore(r)
      expect(score).toBeGreaterThanOrEqual(previous)
      previous = score
    }
  })
})

describe('recommendation', () => {
  it.each(
    [
      [10, 0.5, 'strong_avoid'],
      [30, 0.6, 'avoid'],
      [50, 0.7, 'neutral'],
      [80, 0.85, 'neutral'],
      [99, 0.95, 'neutral'],
      [100, 0.95, 'buy'],
      [100, 1.0, 'buy'],
      [100, 1.01, 'strong_buy'],
    ] as const,
  )('score %i with low %f is %s', (score, low, label) => {
    expect(recommendation(score, low)).toBe(label)
  })
})

describe('confidenceLevel', () => {
  it('falls as the interval widens and rises with publication coverage', () => {
    const narrow = confidenceLevel({ ...typical, expectedReturnLow: 0.7, expectedReturnHigh: 0.72 })
    const wide = confidenceLevel({ ...typical, expectedReturnLow: 0.5, expectedReturnHigh: 0.9 })
    const covered = confidenceLevel({
      ...typical,
      expectedReturnLow: 0.7,
      expectedReturnHigh: 0.72,
      publicationCoverage: 1,
    })
    expect(narrow).toBeGreaterThan(wide)
    expect(covered).toBeGreaterThan(narrow)
    expect(covered).toBeLessThanOrEqual(100)
    expect(wide).toBeGreaterThanOrEqual(0)
  })
})

describe('reasoning', () => {
  it('states the return per $1, the expected loss and the strongest factors', () => {
    const text = interpret(typical).reasoning
    expect(text).toContain(
      'Returns about 71 cents per $1 on average (80% range: 66 cents to 76 cents).',
    )
    expect(text).toContain('A $5 ticket is expected to lose about $1.45.')
    expect(text).toContain(
      '3 of 4 top prizes remain with about 60% of tickets left: more than their share.',
    )
    expect(text).toContain('About 1 in 4.0 tickets wins a prize.')
    expect(text).not.toMatch(/profit|gain/i)
  })

  it('never speaks of a gain when only the point estimate is above $1', () => {
    const text = interpret({
      ...typical,
      expectedReturn: 1.02,
      expectedReturnLow: 0.9,
      expectedReturnHigh: 1.1,
    })
      .reasoning
    expect(text).toContain('$1.02 per $1')
    expect(text).toContain('a gain is not established')
    expect(text).not.toContain('expected to gain')
  })

  it('speaks of a gain only when the whole interval is above $1', () => {
    const result = interpret({
      ...typical,
      expectedReturn: 1.1,
      expectedReturnLow: 1.02,
      expectedReturnHigh: 1.2,
    })
    expect(result.reasoning).toContain('a $5 ticket is expected to gain about $0.50')
    expect(result.recommendation).toBe('strong_buy')
    const breakEven = interpret({
      ...typical,
      expectedReturn: 1.1,
      expectedReturnLow: 1,
      expectedReturnHigh: 1.2,
    })
    expect(breakEven.reasoning).not.toContain('expected to gain')
    expect(breakEven.recommendation).toBe('buy')
  })
})

describe('reasoning about the chance of $1 or more per $1', () => {
  it('says nothing of it when it is tiny, as for almost every game', () => {
    expect(interpret(typical).reasoning).not.toContain('chance')
    expect(interpret({ ...typical, aboveParProbability: 0.049 }).reasoning).not.toContain('chance')
  })

  it('states it when it is not tiny', () => {
    const text = interpret({
      ...typical,
      expectedReturn: 0.93,
      expectedReturnLow: 0.8,
      expectedReturnHigh: 1.08,
      aboveParProbability: 0.18,
    }).reasoning
    expect(text).toContain(
      'The chance that a ticket bought today returns $1 or more per $1 is about 18%.',
    )
    // Still honest about the expected loss.
    expect(text).toContain('expected to lose')
  })
})
