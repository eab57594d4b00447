/**
 * Every observed game-day of a simulated state under a publication rule, with the claim profile
 * the state's database would give that day: estimated (`claim-profile.ts`) from the claim
 * evidence up to the latest weekly estimation day on or before it, as the scorer re-estimates a
 * profile once it is {@link PROFILE_REFRESH_DAYS} days old. Training and evaluation both read
 * game-days this way, each with only the snapshots the features read (as the scorer reads them).
 */
import {
  type ClaimProfile,
  estimateClaimProfile,
  PROFILE_REFRESH_DAYS,
} from '../../supabase/functions/_shared/scoring/claim-profile.ts'
import { claimEvidenceOf } from './claim-evidence.ts'
import { gameTruth, type ObservedGameDay, observeGameForFeatures } from './observations.ts'
import {
  type PortfolioOptions,
  type PublicationRule,
  type SimulatedPortfolio,
  simulatePortfolio,
  underPublicationRule,
} from './simulator.ts'

/** A game-day with the profile of its state that day. */
export interface ProfiledGameDay extends ObservedGameDay {
  profile: ClaimProfile
  /** Day index (0 = the portfolio's start date). */
  day: number
  /** Index of the game in the portfolio. */
  gameIndex: number
}

/** Simulates a state once; its rules are views of the same games ({@link stateGameDays}). */
export function simulateState(options: PortfolioOptions): SimulatedPortfolio {
  return simulatePortfolio({ ...options, publication: 'all_tiers' })
}

/**
 * The state's profiles under `rule`, by estimation day: the observed span's last day and every
 * {@link PROFILE_REFRESH_DAYS} days before it, down to the first observed day or just before.
 */
export function weeklyProfiles(
  portfolio: SimulatedPortfolio,
  rule: PublicationRule,
): (day: number) => ClaimProfile {
  const games = portfolio.games.map((game) => underPublicationRule(game, rule, portfolio.world))
  const profiles = new Map<number, ClaimProfile>()
  const last = portfolio.days - 1
  for (let day = last; day > -PROFILE_REFRESH_DAYS; day -= PROFILE_REFRESH_DAYS) {
    const evidence = claimEvidenceOf(games, {
      state: portfolio.state,
      startDate: portfolio.startDate,
      asOfDay: day,
    })
    profiles.set(day, estimateClaimProfile(evidence))
  }
  return (day) => {
    const estimationDay = last - Math.floor((last - day) / PROFILE_REFRESH_DAYS) *
        PROFILE_REFRESH_DAYS
    const profile = profiles.get(estimationDay)
    if (!profile) throw new Error(`Cannot profile day ${day}: outside the observed days`)
    return profile
  }
}

/**
 * Calls `visit` with the observed game-days (days 0 .. days − 1) of the state under `rule`, one
 * in `sampleEvery` per game (from a per-game offset), with the profile of that day.
 */
export function stateGameDays(
  portfolio: SimulatedPortfolio,
  options: { rule: PublicationRule; sampleEvery?: number; offsetSeed?: number },
  visit: (gameDay: ProfiledGameDay) => void,
): void {
  const profileOn = weeklyProfiles(portfolio, options.rule)
  const every = options.sampleEvery ?? 1
  portfolio.games.forEach((simulated, gameIndex) => {
    if (simulated.lastDay < 0) return
    const game = underPublicationRule(simulated, options.rule, portfolio.world)
    const offset = (game.facts.id * 7 + (options.offsetSeed ?? 0)) % every
    for (let day = Math.max(0, game.firstDay) + offset; day <= game.lastDay; day += every) {
      visit({
        observation: observeGameForFeatures(game, day),
        truth: gameTruth(game, day),
        profile: profileOn(day),
        day,
        gameIndex,
      })
    }
  })
}
