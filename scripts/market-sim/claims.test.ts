import { describe, expect, it } from 'vitest'
import { claimProfileFor, createClaimProcess } from './claims.ts'
import { createRandom } from '../lib/random.ts'

describe('claimProfileFor', () => {
  it('makes bigger prizes slower to claim, top prizes the slowest', () => {
    const meanLag = (amount: number, isTopTier: boolean) => {
      const profile = claimProfileFor(amount, { isTopTier, lagFactor: 1 })
      return profile.minimumLagDays + profile.fastShare * profile.fastMeanDays +
        (1 - profile.fastShare) * profile.slowMeanDays
    }
    expect(meanLag(5, false)).toBeLessThan(7)
    expect(meanLag(1_000, false)).toBeGreaterThan(meanLag(5, false))
    expect(meanLag(100_000, true)).toBeGreaterThan(meanLag(1_000, false))
  })
})

describe('createClaimProcess', () => {
  it('claims each tier after its lag, never more than sold, leaving some small prizes', () => {
    const profiles = [
      claimProfileFor(2, { isTopTier: false, lagFactor: 1 }),
      claimProfileFor(1_000, { isTopTier: false, lagFactor: 1 }),
      claimProfileFor(100_000, { isTopTier: true, lagFactor: 1 }),
    ]
    const process = createClaimProcess(createRandom(8), profiles)
    const cohort = 100_000
    // Day 0: one cohort of sold prizes per tier; then nothing more is sold.
    const claimedBy: number[][] = []
    for (let day = 0; day < 365; day++) {
      process.advance(day === 0 ? new Int32Array([cohort, cohort, cohort]) : new Int32Array(3))
      for (const claimed of process.claimed) expect(claimed).toBeLessThanOrEqual(cohort)
      claimedBy.push([...process.claimed])
    }
    const share = (day: number, tier: number) => (claimedBy[day]?.[tier] ?? 0) / cohort
    // The top tier waits 3 days before any claim; retail prizes can be claimed the same day.
    expect(share(0, 0)).toBeGreaterThan(0.3)
    expect(share(2, 2)).toBe(0)
    // After a week: most small prizes, fewer large ones, fewer top prizes.
    expect(share(7, 0)).toBeGreaterThan(share(7, 1))
    expect(share(7, 1)).toBeGreaterThan(share(7, 2))
    // After a year: all top prizes claimed, about 4% of the $2 prizes never.
    expect(share(364, 2)).toBe(1)
    expect(share(364, 0)).toBeCloseTo(0.96, 2)
  })
})
