/**
 * When a simulated state launches its games: batches about every four weeks (as Minnesota does),
 * sized so that about `activeGames` games are on sale on a typical day.
 */
import { drawPlannedLifeDays } from './sales.ts'
import type { Random } from '../lib/random.ts'

/** One game the lottery will launch. */
export interface PlannedLaunch {
  /** Position in launch order; seeds the game's own random stream. */
  index: number
  /** Launch day relative to the first observed day (negative: launched before it). */
  launchDay: number
  plannedLifeDays: number
}

/** Days between launch batches. */
export const LAUNCH_INTERVAL_DAYS = 28

/** The longest a game stays on sale; launches earlier than this before day 0 cannot matter. */
export const LONGEST_LIFE_DAYS = 720

/**
 * Mean days a game actually stays on sale: below the planned ~350 days, as games whose sales
 * slow, that sell out or lose their last top prize end early. Measured on simulated portfolios.
 */
export const MEAN_DAYS_ON_SALE = 260

/** Plans the launches that can be on sale between day 0 and day `days − 1`. */
export function planLaunches(
  random: Random,
  portfolio: { days: number; activeGames: number },
): PlannedLaunch[] {
  const batchMean = (portfolio.activeGames * LAUNCH_INTERVAL_DAYS) / MEAN_DAYS_ON_SALE
  const launches: PlannedLaunch[] = []
  let day = -LONGEST_LIFE_DAYS + random.integer(0, LAUNCH_INTERVAL_DAYS - 1)
  for (; day < portfolio.days; day += LAUNCH_INTERVAL_DAYS) {
    // Lotteries launch a steady number per batch: floor or ceiling of the mean.
    const batchSize = Math.floor(batchMean + random.float())
    for (let i = 0; i < batchSize; i++) {
      launches.push({
        index: launches.length,
        launchDay: day,
        plannedLifeDays: drawPlannedLifeDays(random),
      })
    }
  }
  return launches
}
