/**
 * Simulated states drawn from the family of worlds (`market-sim/world.ts`), by role: training
 * states draw from the ranges' core; calibration states (the interval and probability_above_par
 * are calibrated on them, nothing else) half from the core and half from the full ranges, as the
 * states the model will meet are mostly typical and sometimes not; the stress set
 * (`npm run evaluate`'s `worlds_*` keys) from the full ranges. The roles use disjoint seeds, so
 * the stress set's worlds are held out by their parameters, not only by their seeds; every stress
 * world has a parameter outside the core.
 */
import { createRandom, deriveSeed } from '../lib/random.ts'
import type { PortfolioOptions } from '../market-sim/simulator.ts'
import { type DrawnWorld, drawWorld, type WorldSpread } from '../market-sim/world.ts'
import { EVALUATION_DAYS, EVALUATION_START_DATE, isHeldOutSeed } from './evaluation-set.ts'

/** One simulated state: its world, how much history its database holds, how many games. */
export interface WorldCase {
  /** Seeds the world's draw and the state's portfolio. */
  seed: number
  spread: WorldSpread
  drawn: DrawnWorld
  /** Days of history before the first observed day (what the state's database holds). */
  historyDays: number
  /** Games on sale on a typical day. */
  activeGames: number
  /** First observed day (YYYY-MM-DD) and observed days. */
  startDate: string
  days: number
}

const WORLD_STREAM = 7
const SIZE_STREAM = 8
/** Training world seeds count up from here; calibration and stress from their own bases. */
const TRAINING_SEED_BASE = 100_001
const CALIBRATION_SEED_BASE = 600_001
const STRESS_SEED_BASE = 920_001

/** Stress worlds judged by `npm run evaluate`. */
export const STRESS_WORLD_COUNT = 24

/** Days of history a state's database may hold when scored: from three weeks to a year. */
export const HISTORY_DAYS_RANGE = [21, 364] as const

/** The state simulated from `seed` with worlds drawn from `spread`. */
export function worldCase(seed: number, spread: WorldSpread): WorldCase {
  if (isHeldOutSeed(seed)) throw new Error(`Cannot draw a world from held-out seed ${seed}`)
  const drawn = drawWorld(createRandom(deriveSeed(seed, WORLD_STREAM)), spread)
  const size = createRandom(deriveSeed(seed, SIZE_STREAM))
  const [shortest, longest] = HISTORY_DAYS_RANGE
  return {
    seed,
    spread,
    drawn,
    historyDays: Math.round(Math.exp(size.uniform(Math.log(shortest), Math.log(longest)))),
    activeGames: size.integer(20, 60),
    startDate: EVALUATION_START_DATE,
    days: EVALUATION_DAYS,
  }
}

/** `count` training states (core ranges). */
export function trainingWorlds(count: number, first = 0): WorldCase[] {
  return Array.from({ length: count }, (_, i) => worldCase(TRAINING_SEED_BASE + first + i, 'core'))
}

/**
 * `count` calibration states, every other one from the core and the full ranges, never used for
 * training or judging.
 */
export function calibrationWorlds(count: number): WorldCase[] {
  return Array.from(
    { length: count },
    (_, i) => worldCase(CALIBRATION_SEED_BASE + i, i % 2 === 0 ? 'core' : 'full'),
  )
}

/**
 * The stress set: {@link STRESS_WORLD_COUNT} states drawn from the full ranges, each with at
 * least one parameter outside the training core (seeds whose draw stays inside are passed over).
 */
export function stressWorlds(count = STRESS_WORLD_COUNT): WorldCase[] {
  const worlds: WorldCase[] = []
  for (let seed = STRESS_SEED_BASE; worlds.length < count; seed++) {
    const candidate = worldCase(seed, 'full')
    if (candidate.drawn.outsideCore.length > 0) worlds.push(candidate)
  }
  return worlds
}

/** The portfolio of a world case (its rules are views of it: `state-days.ts`). */
export function worldPortfolio(world: WorldCase, state: string): PortfolioOptions {
  return {
    seed: world.seed,
    publication: 'all_tiers',
    startDate: world.startDate,
    days: world.days,
    historyDays: world.historyDays,
    activeGames: world.activeGames,
    world: world.drawn.parameters,
    state,
  }
}
