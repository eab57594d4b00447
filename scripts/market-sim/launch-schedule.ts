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

/**
 * Plans the launches that can be on sale between day 0 and day `days − 1`: batches from about
 * {@link LONGEST_LIFE_DAYS} days before day 0. With `fromDay` and `untilDay`, the batches from
 * about `fromDay` to before `untilDay` instead (a history before the first planned batch), their
 * indices counted from `firstIndex`.
 */
export function planLaunches(
  random: Random,
  portfolio: {
    days: number
    activeGames: number
    plannedLifeMedianDays?: number
    fromDay?: number
    untilDay?: number
    firstIndex?: number
  },
): PlannedLaunch[] {
  // Games planned to last longer stay on sale longer: fewer launches keep the same count.
  const meanDaysOnSale = (MEAN_DAYS_ON_SALE * (portfolio.plannedLifeMedianDays ?? 330)) / 330
  const batchMean = (portfolio.activeGames * LAUNCH_INTERVAL_DAYS) / meanDaysOnSale
  const launches: PlannedLaunch[] = []
  const firstIndex = portfolio.firstIndex ?? 0
  let day = (portfolio.fromDay ?? -LONGEST_LIFE_DAYS) + random.integer(0, LAUNCH_INTERVAL_DAYS - 1)
  for (; day < (portfolio.untilDay ?? portfolio.days); day += LAUNCH_INTERVAL_DAYS) {
    // Lotteries launch a steady number per batch: floor or ceiling of the mean.
    const batchSize = Math.floor(batchMean + random.float())
    for (let i = 0; i < batchSize; i++) {
      launches.push({
        index: firstIndex + launches.length,
        launchDay: day,
        plannedLifeDays: drawPlannedLifeDays(random, portfolio.plannedLifeMedianDays),
      })
    }
  }
  return launches
}
