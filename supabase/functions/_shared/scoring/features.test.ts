import { describe, expect, it } from 'vitest'
import { addDays } from './calendar.ts'
import {
  assumedClaimLag,
  computeFeatures,
  FEATURE_HISTORY_DAYS,
  FEATURE_NAMES,
  featureColumns,
  KNOWN_FEATURE_NAMES,
  type KnownFeatureName,
  UNKNOWN,
} from './features.ts'
import { type ClaimProfile, priorClaimProfile } from './claim-profile.ts'
import { observedGameDays } from '../../../../scripts/market-sim/observations.ts'
import { simulatedGames } from '../../../../scripts/market-sim/simulator.ts'
import type { GameObservation, PrizeTier, Snapshot } from './types.ts'

const everyColumn = featureColumns(KNOWN_FEATURE_NAMES)

/**
 * Every feature the code knows (the current set and the legacy `features-v2` ones) of an
 * observation as a record; fails the test when the game is refused.
 */
function featuresOf(
  observation: GameObservation,
  profile?: ClaimProfile,
): Record<KnownFeatureName, number> {
  const result = computeFeatures(observation, { profile, columns: everyColumn })
  if (!result.ok) throw new Error(`refused: ${result.refusal.code} ${result.refusal.message}`)
  return Object.fromEntries(
    KNOWN_FEATURE_NAMES.map((name, i) => [name, result.features.values[i] as number]),
  ) as Record<KnownFeatureName, number>
}

const tier = (prizeAmount: number, totalPrizes: number, remainingPrizes: number | null) => ({
  prizeAmount,
  totalPrizes,
  remainingPrizes,
  odds: null,
})

// $2, 10,000 tickets: $2×2000 + $5×600 + $20×150 + $500×6 = $13,000 → 65% payout.
const printed = [[2, 2000], [5, 600], [20, 150], [500, 6]] as const
const launchDate = '2025-01-01'
const game = {
  id: 1,
  state: 'AT',
  gameNumber: '1001',
  gameName: 'Test',
  ticketPrice: 2,
  overallOdds: 3.63,
  ticketsPrinted: 10_000,
  launchDate,
}

/** Claims 2% of each tier below $500 per day since launch; the $500 prizes stay unclaimed. */
function claimedAt(age: number, prizeAmount: number, totalPrizes: number): number {
  return prizeAmount === 500 ? 0 : Math.round(totalPrizes * 0.02 * age)
}

/** Every tier published (all-tiers rule), or only tiers >= $500 (Minnesota). */
function observationAt(
  age: number,
  options: { firstSnapshotAge?: number; minnesota?: boolean; launchDate?: string | null } = {},
): GameObservation {
  const published = (amount: number) => !options.minnesota || amount >= 500
  const snapshots: Snapshot[] = []
  for (let day = options.firstSnapshotAge ?? age; day <= age; day++) {
    const remainingByTier: Record<string, number> = {}
    for (const [amount, total] of printed) {
      if (published(amount)) remainingByTier[String(amount)] = total - claimedAt(day, amount, total)
    }
    snapshots.push({
      snapshotDate: addDays(launchDate, day),
      remainingByTier,
      topPrizesRemaining: 6,
    })
  }
  const tiers: PrizeTier[] = printed.map(([amount, total]) =>
    tier(amount, total, published(amount) ? total - claimedAt(age, amount, total) : null)
  )
  return {
    game: {
      ...game,
      ticketsPrinted: options.minnesota ? null : game.ticketsPrinted,
      launchDate: options.launchDate === undefined ? launchDate : options.launchDate,
    },
    tiers,
    snapshots,
    asOfDate: addDays(launchDate, age),
  }
}

describe('computeFeatures, cases computed by hand (the legacy features-v2 claim lags)', () => {
  it('a fresh game: nothing claimed, no history, the printed payout', () => {
    const features = featuresOf(observationAt(0))
    expect(features).toMatchObject({
      ticket_price: 2,
      log_tickets_printed: 4,
      days_since_launch: 0,
      history_days: 1,
      depletion_7d: UNKNOWN,
      depletion_30d: UNKNOWN,
      depletion_trend: UNKNOWN,
      sales_rate_14d: UNKNOWN,
      lag_corrected_fraction_sold: 0,
      pending_return_mean: 0,
      pending_return_sd: 0,
      retailer_tier_claimed_share: 0,
      lottery_tier_claimed_share: UNKNOWN,
      top_prizes_left_share: 1,
      publication_coverage: 1,
      published_tier_share: 1,
    })
    expect(features.printed_payout).toBeCloseTo(0.65, 12)
    // Nothing sold, nothing pending: $13,000 over 10,000 tickets of $2.
    expect(features.lag_corrected_expected_return).toBeCloseTo(0.65, 12)
    // Only the $500 tier has at most 100 prizes: $3,000 of $13,000.
    expect(features.few_prize_value_share).toBeCloseTo(3000 / 13000, 12)
  })

  it('a game 20 days old with 15 days of history: depletion, sales rate and lag correction', () => {
    const features = featuresOf(observationAt(20, { firstSnapshotAge: 6 }))
    // Claimed on day 20: 800 + 240 + 60 + 0 = 1100 of 2756; on day 13: 715; on day 6: 330.
    expect(features.days_since_launch).toBe(20)
    expect(features.history_days).toBe(15)
    expect(features.depletion_7d).toBeCloseTo((1100 - 715) / 2756, 12)
    // Only 14 days of history: the rise is scaled up to 30 days.
    expect(features.depletion_30d).toBeCloseTo(((1100 - 330) / 2756) * (30 / 14), 12)
    expect(features.depletion_trend).toBeCloseTo(
      features.depletion_7d / (features.depletion_30d * 7 / 30),
      12,
    )
    // Prizes that will be claimed: never-claimed shares 4% ($2, $5), 2% ($20), 0.8% ($500).
    const claimers = 2000 * 0.96 + 600 * 0.96 + 150 * 0.98 + 6 * 0.992
    const rate = (1100 - 330) / claimers / 14
    expect(features.sales_rate_14d).toBeCloseTo(rate, 12)
    // Every tier is cashed at retailers (mean lag 4 days): sold = claimed + 4 days of sales.
    const sold = 1100 / claimers + 4 * rate
    expect(features.lag_corrected_fraction_sold).toBeCloseTo(sold, 12)
    expect(features.retailer_tier_claimed_share).toBeCloseTo(1100 / 2756, 12)

    // A prize not claimed yet is unsold with probability (1 − sold) / (1 − claimed share), the
    // claimed share mixing the tier's own (weight = prizes) and the expected one (weight 200).
    let value = 0
    let prizesLeft = 0
    let pendingValue = 0
    for (const [amount, total] of printed) {
      const left = total - claimedAt(20, amount, total)
      const expectedClaimed = (1 - assumedClaimLag(amount, amount === 500).neverClaimedShare) *
        (sold - 4 * rate)
      const claimedShare = (total * (1 - left / total) + 200 * expectedClaimed) / (total + 200)
      const stillUnsold = (1 - sold) / (1 - claimedShare)
      value += amount * left * stillUnsold
      prizesLeft += left * stillUnsold
      pendingValue += amount * left * (1 - stillUnsold)
    }
    const dollarsLeft = Math.max(10_000 * (1 - sold), prizesLeft) * 2
    expect(features.lag_corrected_expected_return).toBeCloseTo(value / dollarsLeft, 12)
    expect(features.pending_return_mean).toBeCloseTo(pendingValue / dollarsLeft, 12)
    expect(features.pending_return_sd).toBeGreaterThan(0)
    // The standard estimator takes the lagging claims at face value: it sees fewer tickets sold.
    expect(features.est_fraction_sold).toBeLessThan(features.lag_corrected_fraction_sold)
  })

  it.each(
    [
      ['no launch date', { launchDate: null }, { days_since_launch: UNKNOWN }],
      ['Minnesota: only the $500 tier published', { minnesota: true }, {
        published_tier_share: 0.25,
        publication_coverage: 3000 / 13000,
        retailer_tier_claimed_share: 0,
        lottery_tier_claimed_share: UNKNOWN,
        top_prizes_left_share: 1,
      }],
    ] as const,
  )('%s', (_case, options, expected) => {
    expect(featuresOf(observationAt(20, { firstSnapshotAge: 6, ...options }))).toMatchObject(
      expected,
    )
  })

  it('reads only the last FEATURE_HISTORY_DAYS days of snapshots', () => {
    const long = observationAt(45, { firstSnapshotAge: 0 })
    const earliest = addDays(long.asOfDate, 1 - FEATURE_HISTORY_DAYS)
    const recent = {
      ...long,
      snapshots: long.snapshots.filter((snapshot) => snapshot.snapshotDate >= earliest),
    }
    expect(recent.snapshots).toHaveLength(FEATURE_HISTORY_DAYS)
    expect(featuresOf(long)).toEqual(featuresOf(recent))
    expect(featuresOf(long).history_days).toBe(FEATURE_HISTORY_DAYS)
  })

  it('passes the estimator refusal through', () => {
    const result = computeFeatures({ ...observationAt(0), tiers: [] })
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.refusal.code).toBe('no_tiers')
  })
})

describe('computeFeatures on simulated observations', () => {
  it.each(['minnesota', 'all_tiers'] as const)(
    'gives finite values for every game-day of a %s portfolio',
    (publication) => {
      let checked = 0
      for (
        const simulated of simulatedGames({
          seed: 77,
          publication,
          startDate: '2025-01-01',
          days: 45,
          activeGames: 12,
        })
      ) {
        for (const { observation } of observedGameDays(simulated)) {
          for (const variant of [observation, { ...observation, snapshots: [] }]) {
            const result = computeFeatures(variant)
            expect(result.ok).toBe(true)
            if (!result.ok) continue
            expect(result.features.values).toHaveLength(FEATURE_NAMES.length)
            expect(Array.from(result.features.values).every(Number.isFinite)).toBe(true)
            checked++
          }
        }
      }
      expect(checked).toBeGreaterThan(500)
    },
  )
})

/** A profile with every class's lag scaled, the retail never-claimed share set. */
function scaledProfile(scale: number, neverClaimed = 0.03, lagLogSd = 0.2): ClaimProfile {
  const prior = priorClaimProfile('AT', '2025-01-21')
  const classes = Object.fromEntries(
    Object.entries(prior.classes).map(([name, estimate]) => [name, {
      ...estimate,
      meanLagDays: estimate.meanLagDays * scale,
      lagLogSd,
      neverClaimedShare: name === 'retailer' ? neverClaimed : estimate.neverClaimedShare,
      games: 40,
    }]),
  ) as ClaimProfile['classes']
  return { ...prior, classes }
}

describe('computeFeatures with a state claim profile', () => {
  const observation = observationAt(40, { firstSnapshotAge: 11 })

  it('reads slower claims as more tickets sold and more prizes pending', () => {
    const fast = featuresOf(observation, scaledProfile(0.5))
    const slow = featuresOf(observation, scaledProfile(3))
    expect(slow.claim_corrected_fraction_sold).toBeGreaterThan(fast.claim_corrected_fraction_sold)
    expect(slow.claim_pending_return_mean).toBeGreaterThan(fast.claim_pending_return_mean)
    expect(slow.claim_corrected_expected_return).toBeLessThan(
      fast.claim_corrected_expected_return,
    )
    expect(slow.claim_lag_days).toBeGreaterThan(fast.claim_lag_days)
    // The features of the standard estimator do not depend on the profile.
    expect(slow.est_expected_return).toBe(fast.est_expected_return)
    expect(slow.lag_corrected_expected_return).toBe(fast.lag_corrected_expected_return)
  })

  it('reads more never-claimed prizes as more tickets sold', () => {
    const few = featuresOf(observation, scaledProfile(1, 0.01))
    const many = featuresOf(observation, scaledProfile(1, 0.08))
    expect(many.claim_corrected_fraction_sold).toBeGreaterThan(few.claim_corrected_fraction_sold)
    expect(many.claim_never_claimed_share).toBeCloseTo(0.08, 12)
  })

  it('measures how much the return moves with the lags, more when they are less certain', () => {
    // A simulated Minnesota game two months old: the unpublished tiers are as depleted as the
    // tickets are sold, which the lags decide.
    const game = [
      ...simulatedGames({ seed: 77, publication: 'minnesota', startDate: '2025-01-01', days: 90 }),
    ].find((candidate) => candidate.launchDay >= 0 && candidate.lastDay - candidate.launchDay > 60)
    if (!game) throw new Error('no game two months old')
    const minnesota = observedGameDays(game)[60]?.observation as GameObservation
    const sure = featuresOf(minnesota, scaledProfile(1, 0.03, 0.05))
    const unsure = featuresOf(minnesota, scaledProfile(1, 0.03, 0.6))
    expect(sure.claim_return_lag_sd).toBeGreaterThan(0)
    expect(unsure.claim_return_lag_sd).toBeGreaterThan(sure.claim_return_lag_sd * 5)
    expect(unsure.claim_lag_log_sd).toBeCloseTo(0.6, 12)
  })

  it('adds the days since the latest snapshot to the lag (counts not yet updated)', () => {
    const current = featuresOf(observation, scaledProfile(1))
    const stale = featuresOf({ ...observation, asOfDate: addDays(observation.asOfDate, 3) })
    expect(current.days_since_snapshot).toBe(0)
    expect(stale.days_since_snapshot).toBe(3)
    expect(
      featuresOf({ ...observation, asOfDate: addDays(observation.asOfDate, 3) }, scaledProfile(1))
        .claim_corrected_fraction_sold,
    ).toBeGreaterThan(current.claim_corrected_fraction_sold)
  })

  it('uses the priors for a state without a profile of its own', () => {
    const withPrior = featuresOf(observation, priorClaimProfile('AT', observation.asOfDate))
    expect(featuresOf(observation)).toEqual(withPrior)
    expect(withPrior.claim_profile_games).toBe(0)
  })

  it('computes only the columns asked for, in their order', () => {
    const columns = featureColumns([
      'claim_lag_days',
      'ticket_price',
      'lag_corrected_fraction_sold',
    ])
    const result = computeFeatures(observation, { columns, profile: scaledProfile(2) })
    expect(result.ok).toBe(true)
    if (!result.ok) return
    const all = featuresOf(observation, scaledProfile(2))
    expect(Array.from(result.features.values)).toEqual([
      all.claim_lag_days,
      2,
      all.lag_corrected_fraction_sold,
    ])
    expect(() => featureColumns(['ticket_price', 'no_such_feature'])).toThrow(
      'asks for unknown features no_such_feature',
    )
    expect(() => featureColumns(['ticket_price', 'ticket_price'])).toThrow(
      'names ticket_price twice',
    )
    expect(FEATURE_NAMES).not.toContain('lag_corrected_fraction_sold')
  })
})
