/**
 * The held-out portfolios every expected-return predictor is judged on: the standard estimator
 * (`npm run evaluate:baseline`) and the model (`npm run evaluate`) read this one list, so both
 * are measured on exactly the same simulated markets. Training must use other seeds.
 */
import type { PortfolioOptions, PublicationRule } from '../market-sim/simulator.ts'

/** Seeds of the held-out portfolios. Never train on these. */
export const HELD_OUT_SEEDS: readonly number[] = [
  910_001,
  910_002,
  910_003,
  910_004,
  910_005,
  910_006,
]

/** First observed day of every held-out portfolio. */
export const EVALUATION_START_DATE = '2025-01-01'

/** Observed days of every held-out portfolio. */
export const EVALUATION_DAYS = 90

/**
 * Days of history before the first observed day: what the state's database holds when scoring
 * starts, from which its claim profile is estimated. The observed games are the same as without.
 */
export const HELD_OUT_HISTORY_DAYS = 182

/** State code of the simulated markets under each publication rule. */
const STATE_BY_RULE: Record<PublicationRule, string> = {
  minnesota: 'MN',
  all_tiers: 'AT',
  top_tiers: 'TT',
  top_prize: 'TP',
}

/**
 * The held-out portfolios: each seed under both publication rules (the same markets, published
 * differently), about 40 games on sale, 90 days, in the base world (the simulator's original
 * setting), with {@link HELD_OUT_HISTORY_DAYS} days of history.
 */
export const HELD_OUT_PORTFOLIOS: readonly PortfolioOptions[] =
  (['minnesota', 'all_tiers'] as const)
    .flatMap((publication) =>
      HELD_OUT_SEEDS.map((seed) => ({
        seed,
        publication,
        state: STATE_BY_RULE[publication],
        startDate: EVALUATION_START_DATE,
        days: EVALUATION_DAYS,
        historyDays: HELD_OUT_HISTORY_DAYS,
        activeGames: 40,
      }))
    )

/** Whether `seed` belongs to the held-out set. */
export function isHeldOutSeed(seed: number): boolean {
  return HELD_OUT_SEEDS.includes(seed)
}

/**
 * `count` training seeds, disjoint from the held-out ones: 1, 2, 3, …, skipping held-out seeds.
 */
export function trainingSeeds(count: number): number[] {
  const seeds: number[] = []
  for (let seed = 1; seeds.length < count; seed++) {
    if (!isHeldOutSeed(seed)) seeds.push(seed)
  }
  return seeds
}
