import { describe, expect, it } from 'vitest'
import { ScoringError } from '../http/errors.ts'
import { createAdmission } from './admission.ts'

const limits = { maxRuns: 2, maxGames: 100, retryAfterSeconds: 5 }

function refusal(work: () => unknown): ScoringError {
  try {
    work()
  } catch (error) {
    if (error instanceof ScoringError) return error
    throw error
  }
  throw new Error('expected a refusal')
}

describe('createAdmission', () => {
  it('admits maxRuns runs, refuses the next with 429 and Retry-After, admits again after a release', () => {
    const admission = createAdmission(limits)
    const first = admission.enter()
    admission.enter()
    const refused = refusal(() => admission.enter())
    expect(refused).toMatchObject({
      code: 'scorer_busy',
      status: 429,
      details: { retry_after_seconds: 5, runs_in_flight: 2 },
    })
    first.release()
    expect(() => admission.enter()).not.toThrow()
    expect(admission.inFlight().runs).toBe(2)
  })

  it.each([
    { name: 'fits beside the others', held: 60, asked: 40, code: null },
    { name: 'does not fit beside the others', held: 60, asked: 41, code: 'scorer_busy' },
    { name: 'alone exceeds the bound', held: 0, asked: 101, code: 'scope_too_large' },
  ])('a run whose games $name: $code', ({ held, asked, code }) => {
    const admission = createAdmission(limits)
    admission.enter().holdGames(held)
    const slot = admission.enter()
    if (code === null) {
      slot.holdGames(asked)
      expect(admission.inFlight()).toEqual({ runs: 2, games: held + asked })
    } else {
      expect(refusal(() => slot.holdGames(asked)).code).toBe(code)
      expect(admission.inFlight()).toEqual({ runs: 2, games: held })
    }
  })

  it('answers a scope too large with 422 naming both counts', () => {
    const refused = refusal(() => createAdmission(limits).enter().holdGames(250))
    expect(refused.status).toBe(422)
    expect(refused.details).toEqual({ games_in_scope: 250, max_games: 100 })
    expect(refused.message).toContain('250')
  })

  it('gives back the run and its games once, however often released', () => {
    const admission = createAdmission(limits)
    const slot = admission.enter()
    slot.holdGames(70)
    slot.release()
    slot.release()
    expect(admission.inFlight()).toEqual({ runs: 0, games: 0 })
    expect(() => slot.holdGames(1)).toThrow('released')
  })
})
