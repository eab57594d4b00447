/**
 * When sold prizes are claimed. Winners claim late, and the lottery only knows claims, so the
 * published remaining counts (printed − claimed) lag sales.
 *
 * Small prizes are cashed at retailers within days and a few never are; prizes over $600 go to
 * the lottery after days to weeks; top prizes are the slowest. How fast depends on the state's
 * world (`world.ts`). Each tier's winners wait a fixed minimum, then claim at a daily rate from a
 * fast or a slow group (a mix of two geometric lags), which gives the long tail seen in real
 * claims. Once claims close (the deadline after a game ends), the rest is never claimed.
 */
import type { Random } from '../lib/random.ts'
import { prizeClassOf } from '../../supabase/functions/_shared/scoring/prize-class.ts'
import { BASE_WORLD, type WorldParameters } from './world.ts'

/** How the winners of one tier claim. */
export interface ClaimProfile {
  /** Share of sold prizes never claimed (lost or thrown away). */
  neverClaimedShare: number
  /** Days before any claim can be made (e.g. to reach a lottery office). */
  minimumLagDays: number
  /** Share of claimants in the fast group. */
  fastShare: number
  /** Mean extra days before a fast claimant claims. */
  fastMeanDays: number
  /** Mean extra days before a slow claimant claims. */
  slowMeanDays: number
}

const LONGEST_MINIMUM_LAG = 7

/**
 * The claim profile of a tier in `world` ({@link BASE_WORLD} by default), its mean lags scaled
 * by the game's `lagFactor`. Retailer prizes under $10 are the most often abandoned, $10-$99
 * half as often, $100-$600 a fifth as often.
 */
export function claimProfileFor(
  prizeAmount: number,
  tier: { isTopTier: boolean; lagFactor: number; world?: WorldParameters },
): ClaimProfile {
  const world = tier.world ?? BASE_WORLD
  const prizeClass = prizeClassOf(prizeAmount, tier.isTopTier)
  const behaviour = world.claims[prizeClass]
  const small = world.smallPrizeNeverClaimedShare
  const neverClaimedShare = prizeClass === 'retailer'
    ? (prizeAmount < 10 ? small : prizeAmount < 100 ? small / 2 : small / 5)
    : prizeClass === 'office'
    ? world.officeNeverClaimedShare
    : world.topNeverClaimedShare
  return {
    neverClaimedShare,
    minimumLagDays: Math.min(LONGEST_MINIMUM_LAG, behaviour.minimumLagDays),
    fastShare: behaviour.fastShare,
    fastMeanDays: behaviour.fastMeanDays * tier.lagFactor,
    slowMeanDays: behaviour.slowMeanDays * tier.lagFactor,
  }
}

/** The claims of one game's tiers, advanced one day at a time. */
export interface ClaimProcess {
  /** Prizes claimed so far per tier (same order as the profiles). */
  readonly claimed: Int32Array
  /** Adds the prizes sold today per tier, then draws today's claims into {@link claimed}. */
  advance(soldToday: Int32Array): void
}

/** A claim process for tiers with the given profiles, starting with nothing sold. */
export function createClaimProcess(
  random: Random,
  profiles: readonly ClaimProfile[],
): ClaimProcess {
  const tierCount = profiles.length
  const slots = LONGEST_MINIMUM_LAG + 1
  // Winners still inside their minimum lag, by the day slot they become able to claim.
  const waitingFast = new Int32Array(tierCount * slots)
  const waitingSlow = new Int32Array(tierCount * slots)
  const readyFast = new Int32Array(tierCount)
  const readySlow = new Int32Array(tierCount)
  const claimed = new Int32Array(tierCount)
  const fastRate = profiles.map((profile) => 1 / (1 + profile.fastMeanDays))
  const slowRate = profiles.map((profile) => 1 / (1 + profile.slowMeanDays))
  let day = 0

  const advance = (soldToday: Int32Array) => {
    const todaySlot = day % slots
    for (let tier = 0; tier < tierCount; tier++) {
      const profile = profiles[tier]
      if (!profile) continue
      const sold = soldToday[tier] ?? 0
      if (sold > 0) {
        const claimants = sold - random.binomial(sold, profile.neverClaimedShare)
        const fast = random.binomial(claimants, profile.fastShare)
        const lag = Math.min(LONGEST_MINIMUM_LAG, profile.minimumLagDays)
        const slot = tier * slots + ((day + lag) % slots)
        waitingFast[slot] = (waitingFast[slot] ?? 0) + fast
        waitingSlow[slot] = (waitingSlow[slot] ?? 0) + claimants - fast
      }
      const released = tier * slots + todaySlot
      let fastReady = (readyFast[tier] ?? 0) + (waitingFast[released] ?? 0)
      let slowReady = (readySlow[tier] ?? 0) + (waitingSlow[released] ?? 0)
      waitingFast[released] = 0
      waitingSlow[released] = 0
      let claimedToday = 0
      if (fastReady > 0) {
        const count = random.binomial(fastReady, fastRate[tier] ?? 1)
        fastReady -= count
        claimedToday += count
      }
      if (slowReady > 0) {
        const count = random.binomial(slowReady, slowRate[tier] ?? 1)
        slowReady -= count
        claimedToday += count
      }
      readyFast[tier] = fastReady
      readySlow[tier] = slowReady
      claimed[tier] = (claimed[tier] ?? 0) + claimedToday
    }
    day++
  }
  return { claimed, advance }
}
