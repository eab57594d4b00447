/**
 * The claim evidence of a simulated state as of a day: the same sums `private.claim_evidence`
 * computes in SQL from the database (an integration test holds the two equal on a loaded
 * portfolio), read here straight from the simulator's arrays so training can estimate a profile
 * for every week of every simulated state cheaply.
 *
 * Definition (shared with the SQL): a class's claimed count on a date is Σ (printed − remaining)
 * over the game's published tiers of that class, read from the latest snapshot at most
 * EVIDENCE_STALE_DAYS days before the date; shift points at the as-of date and every
 * EVIDENCE_SAMPLE_STEP_DAYS days before it within EVIDENCE_LOOKBACK_DAYS, for games on sale then
 * and launched at least EVIDENCE_RISE_DAYS days before; post-end sums for games that ended at
 * least POST_END_MIN_DAYS days before the as-of date, within the lookback, with prizes left at the
 * end, listed at least POST_END_MIN_DAYS days after it.
 */
import { addDays } from '../../supabase/functions/_shared/scoring/calendar.ts'
import {
  type ClaimEvidence,
  EVIDENCE_LOOKBACK_DAYS,
  EVIDENCE_RISE_DAYS,
  EVIDENCE_SAMPLE_STEP_DAYS,
  EVIDENCE_STALE_DAYS,
  POST_END_BUCKETS,
  POST_END_MIN_DAYS,
  type PostEndSums,
  type ShiftPairKey,
  type ShiftSums,
} from '../../supabase/functions/_shared/scoring/claim-profile.ts'
import {
  PRIZE_CLASSES,
  type PrizeClass,
  prizeClassOf,
} from '../../supabase/functions/_shared/scoring/prize-class.ts'
import type { SimulatedGame } from './simulator.ts'

function emptyShiftSums(): ShiftSums {
  return {
    points: 0,
    games: 0,
    sw: 0,
    swx: 0,
    swr: 0,
    swy: 0,
    swxx: 0,
    swxr: 0,
    swrr: 0,
    swxy: 0,
    swry: 0,
    swyy: 0,
  }
}

/** The bucket of a post-end span of `days` days (at least POST_END_MIN_DAYS). */
export function postEndBucket(days: number): number {
  let bucket = 0
  POST_END_BUCKETS.forEach((edge, index) => {
    if (days >= edge) bucket = index
  })
  return bucket
}

/** A game's published tiers grouped by class: the tier indices and their printed prizes. */
function publishedClasses(game: SimulatedGame) {
  const top = game.tiers.length - 1
  const classes = new Map<PrizeClass, { tiers: number[]; printed: number }>()
  game.tiers.forEach((tier, index) => {
    if (!tier.published) return
    const prizeClass = prizeClassOf(tier.prizeAmount, index === top)
    const entry = classes.get(prizeClass) ?? { tiers: [], printed: 0 }
    entry.tiers.push(index)
    entry.printed += tier.totalPrizes
    classes.set(prizeClass, entry)
  })
  return classes
}

/**
 * The claim evidence of the games of one state as of `asOfDay` (a day index from the games'
 * start date), using only what was published up to that day.
 */
export function claimEvidenceOf(
  games: Iterable<SimulatedGame>,
  options: { state: string; startDate: string; asOfDay: number },
): ClaimEvidence {
  const { asOfDay } = options
  const shift: Partial<Record<ShiftPairKey, ShiftSums>> = {}
  const postEnd: Partial<Record<PrizeClass, PostEndSums[]>> = {}
  const earliestSample = asOfDay - EVIDENCE_LOOKBACK_DAYS
  for (const game of games) {
    if (game.firstDay > asOfDay) continue
    const classes = publishedClasses(game)
    if (classes.size === 0) continue
    const tierCount = game.tiers.length
    const lastReadableDay = Math.min(game.recordedLastDay, asOfDay)
    /** Claimed count of a class on `day`, from the latest snapshot within the stale days. */
    const claimedOn = (day: number, tiers: readonly number[]): number | null => {
      for (let d = Math.min(day, lastReadableDay); d >= day - EVIDENCE_STALE_DAYS; d--) {
        const row = d - game.firstDay
        if (row < 0) return null
        if (game.published[row] !== 1) continue
        let claimed = 0
        for (const tier of tiers) claimed += game.claimedPrizes[row * tierCount + tier] ?? 0
        return claimed
      }
      return null
    }
    const ended = game.lastDay < asOfDay
    const lastOnSale = ended ? game.lastDay : asOfDay

    // Shift points: the reference is the game's fastest published class.
    const referenceClass = classes.has('retailer')
      ? 'retailer'
      : classes.has('office')
      ? 'office'
      : null
    const reference = referenceClass === null ? undefined : classes.get(referenceClass)
    if (referenceClass !== null && reference) {
      const counted = new Set<ShiftPairKey>()
      for (let t = asOfDay; t >= earliestSample; t -= EVIDENCE_SAMPLE_STEP_DAYS) {
        if (t > lastOnSale || t - EVIDENCE_RISE_DAYS < game.launchDay) continue
        const now = claimedOn(t, reference.tiers)
        const before = claimedOn(t - EVIDENCE_RISE_DAYS, reference.tiers)
        if (now === null || before === null) continue
        const x = now / reference.printed
        const r = (now - before) / reference.printed / EVIDENCE_RISE_DAYS
        for (const slowerClass of PRIZE_CLASSES) {
          if (slowerClass === referenceClass || slowerClass === 'retailer') continue
          const slower = classes.get(slowerClass)
          if (!slower) continue
          const claimed = claimedOn(t, slower.tiers)
          if (claimed === null) continue
          const key = `${referenceClass}:${slowerClass}` as ShiftPairKey
          const sums = shift[key] ?? emptyShiftSums()
          shift[key] = sums
          const y = claimed / slower.printed
          const w = slower.printed
          sums.points++
          sums.sw += w
          sums.swx += w * x
          sums.swr += w * r
          sums.swy += w * y
          sums.swxx += w * x * x
          sums.swxr += w * x * r
          sums.swrr += w * r * r
          sums.swxy += w * x * y
          sums.swry += w * r * y
          sums.swyy += w * y * y
          if (!counted.has(key)) {
            counted.add(key)
            sums.games++
          }
        }
      }
    }

    // Post-end sums: the game ended long enough ago, within the lookback, and is still listed.
    const end = game.lastDay
    if (!ended || end > asOfDay - POST_END_MIN_DAYS || end < earliestSample) continue
    let lastListed = lastReadableDay
    while (lastListed > end && game.published[lastListed - game.firstDay] !== 1) lastListed--
    const daysAfter = lastListed - end
    if (daysAfter < POST_END_MIN_DAYS) continue
    for (const [prizeClass, entry] of classes) {
      const atEnd = claimedOn(end, entry.tiers)
      const before = claimedOn(end - EVIDENCE_RISE_DAYS, entry.tiers)
      const after = claimedOn(lastListed, entry.tiers)
      if (atEnd === null || before === null || after === null) continue
      if (entry.printed - atEnd <= 0) continue
      const bucket = postEndBucket(daysAfter)
      const buckets = postEnd[prizeClass] ?? []
      postEnd[prizeClass] = buckets
      let sums = buckets.find((candidate) => candidate.bucket === bucket)
      if (!sums) {
        sums = {
          bucket,
          games: 0,
          claimsPerDay: 0,
          claimsPerDayTimesDays: 0,
          lateClaims: 0,
        }
        buckets.push(sums)
        buckets.sort((a, b) => a.bucket - b.bucket)
      }
      const claimsPerDay = (atEnd - before) / EVIDENCE_RISE_DAYS
      sums.games++
      sums.claimsPerDay += claimsPerDay
      sums.claimsPerDayTimesDays += claimsPerDay * daysAfter
      sums.lateClaims += after - atEnd
    }
  }
  return {
    state: options.state,
    asOfDate: addDays(options.startDate, asOfDay),
    shift,
    postEnd,
  }
}
