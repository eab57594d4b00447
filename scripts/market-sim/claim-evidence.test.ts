import { describe, expect, it } from 'vitest'
import {
  CLAIM_PRIORS,
  estimateClaimProfile,
} from '../../supabase/functions/_shared/scoring/claim-profile.ts'
import { PRIZE_CLASSES } from '../../supabase/functions/_shared/scoring/prize-class.ts'
import { claimEvidenceOf, postEndBucket } from './claim-evidence.ts'
import { type PublicationRule, simulatePortfolio, underPublicationRule } from './simulator.ts'
import { BASE_WORLD, classBehaviour, effectiveClaimLagDays, type WorldParameters } from './world.ts'

/** A world whose classes claim after these mean lags (light tails: 20% slow, 4 times slower). */
function worldWithLags(
  lags: { retailer: number; office: number; top: number },
  changes: Partial<WorldParameters> = {},
): WorldParameters {
  const shape = (minimumLagDays: number) => ({ minimumLagDays, slowShare: 0.2, slowToFastRatio: 4 })
  return {
    ...BASE_WORLD,
    claims: {
      retailer: classBehaviour(lags.retailer, shape(0)),
      office: classBehaviour(lags.office, shape(1)),
      top: classBehaviour(lags.top, shape(2)),
    },
    ...changes,
  }
}

/**
 * The lag the estimator measures: the mean days a prize stays unclaimed within the first 60
 * days after its sale (about the span of the evidence), publication delay included.
 */
function measurableLag(world: WorldParameters, prizeClass: 'retailer' | 'office' | 'top') {
  return effectiveClaimLagDays(world, prizeClass, 60) + world.publicationDelayDays
}

function profileOf(world: WorldParameters, rule: PublicationRule, historyDays: number) {
  const portfolio = simulatePortfolio({
    seed: 404,
    publication: 'all_tiers',
    startDate: '2025-06-01',
    days: 1,
    historyDays,
    activeGames: 50,
    world,
  })
  const games = portfolio.games.map((game) => underPublicationRule(game, rule, world))
  return estimateClaimProfile(
    claimEvidenceOf(games, { state: 'XT', startDate: portfolio.startDate, asOfDay: 0 }),
  )
}

/**
 * Recovery of known lags, within the stated tolerance: |log(estimate / lag)| at most `tolerance`
 * for each class the case can measure (others keep their prior); the estimate's own uncertainty
 * below the prior's when measured.
 */
describe('estimateClaimProfile recovers the lags of simulated states', () => {
  const cases: Array<{
    name: string
    world: WorldParameters
    rule: PublicationRule
    historyDays: number
    measured: readonly ('retailer' | 'office' | 'top')[]
    tolerance: number
  }> = [
    {
      name: 'fast claims, every tier published, ended games listed',
      world: worldWithLags({ retailer: 2, office: 5, top: 12 }, { postEndPublishedDays: 150 }),
      rule: 'all_tiers',
      historyDays: 364,
      measured: ['retailer', 'office', 'top'],
      tolerance: 0.3,
    },
    {
      name: 'slow claims published 3 days late, every tier published, ended games listed',
      world: worldWithLags({ retailer: 8, office: 30, top: 60 }, {
        postEndPublishedDays: 180,
        publicationDelayDays: 3,
      }),
      rule: 'all_tiers',
      historyDays: 364,
      measured: ['retailer', 'office', 'top'],
      tolerance: 0.3,
    },
    {
      name: 'Minnesota rule (tiers of $500 and up), weekdays only',
      world: worldWithLags({ retailer: 5, office: 20, top: 45 }, {
        postEndPublishedDays: 120,
        weekdaysOnly: true,
      }),
      rule: 'minnesota',
      historyDays: 364,
      measured: ['retailer', 'office', 'top'],
      tolerance: 0.35,
    },
    {
      name: 'Minnesota rule, ended games dropped: lags relative to the $500-$600 tiers only',
      world: worldWithLags({ retailer: 4.5, office: 25, top: 50 }),
      rule: 'minnesota',
      historyDays: 364,
      measured: ['office', 'top'],
      tolerance: 0.35,
    },
  ]

  it.each(cases)('$name', ({ world, rule, historyDays, measured, tolerance }) => {
    const profile = profileOf(world, rule, historyDays)
    for (const prizeClass of PRIZE_CLASSES) {
      const estimate = profile.classes[prizeClass]
      if (!measured.includes(prizeClass)) continue
      const truth = measurableLag(world, prizeClass)
      expect(
        Math.abs(Math.log(estimate.meanLagDays / truth)),
        `${prizeClass}: estimated ${estimate.meanLagDays.toFixed(1)} days, true ${
          truth.toFixed(1)
        }`,
      ).toBeLessThanOrEqual(tolerance)
      expect(estimate.lagLogSd).toBeLessThan(CLAIM_PRIORS[prizeClass].lagLogSd)
      expect(estimate.games).toBeGreaterThan(0)
    }
  })

  it('keeps the priors, with their wide uncertainty, for a state with little history', () => {
    const world = worldWithLags({ retailer: 9, office: 40, top: 90 }, { postEndPublishedDays: 150 })
    const profile = profileOf(world, 'all_tiers', 20)
    for (const prizeClass of PRIZE_CLASSES) {
      const estimate = profile.classes[prizeClass]
      const prior = CLAIM_PRIORS[prizeClass]
      expect(estimate.meanLagDays).toBeCloseTo(prior.meanLagDays, 6)
      expect(estimate.lagLogSd).toBeCloseTo(prior.lagLogSd, 6)
      expect(estimate.games).toBe(0)
    }
  })

  it('estimates the retail never-claimed share within 2 points where every tier is published', () => {
    const estimates: number[] = []
    for (const share of [0.01, 0.06]) {
      const world = worldWithLags({ retailer: 3, office: 10, top: 25 }, {
        smallPrizeNeverClaimedShare: share,
      })
      const portfolio = simulatePortfolio({
        seed: 405,
        publication: 'all_tiers',
        startDate: '2025-06-01',
        days: 1,
        historyDays: 364,
        activeGames: 50,
        world,
      })
      // The true share, weighted by printed retail prizes as the estimate is.
      let printed = 0
      let never = 0
      for (const game of portfolio.games) {
        for (const tier of game.tiers) {
          if (tier.prizeAmount > 600) continue
          const nc = tier.prizeAmount < 10 ? share : tier.prizeAmount < 100 ? share / 2 : share / 5
          printed += tier.totalPrizes
          never += tier.totalPrizes * nc
        }
      }
      const profile = estimateClaimProfile(
        claimEvidenceOf(portfolio.games, { state: 'XT', startDate: '2025-06-01', asOfDay: 0 }),
      )
      const estimate = profile.classes.retailer.neverClaimedShare
      expect(Math.abs(estimate - never / printed)).toBeLessThan(0.02)
      // The estimate says it is rough: its uncertainty covers the error.
      expect(profile.classes.retailer.neverClaimedSd).toBeGreaterThan(0.01)
      estimates.push(estimate)
    }
    expect(estimates[1]).toBeGreaterThan((estimates[0] as number) + 0.005)
  })
})

describe('postEndBucket', () => {
  it.each([[14, 0], [27, 0], [28, 1], [60, 2], [112, 3], [300, 4]])('%i days: bucket %i', (
    days,
    bucket,
  ) => expect(postEndBucket(days)).toBe(bucket))
})
