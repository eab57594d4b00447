/**
 * Daily ticket sales of a simulated game: a launch peak that decays into a slow decline, a
 * weekly rhythm, a persistent popularity drift and day-to-day noise. Games differ widely in how
 * fast they sell, which the published depletion partly reveals.
 */
import type { Random } from '../lib/random.ts'
import { BASE_WORLD, type WorldParameters } from './world.ts'

/** How one game sells over its life. */
export interface SalesProfile {
  /** Days the lottery plans to keep the game on sale. */
  plannedLifeDays: number
  /** Share of the print run that would sell over the planned life at the expected rate. */
  targetFractionSold: number
  /** Extra sales at launch, as a multiple of the base rate. */
  launchBoost: number
  /** Days for the launch boost to fall by a factor e. */
  launchDecayDays: number
  /** Days for the base rate to fall by a factor e. */
  declineDays: number
  /** Expected tickets sold on launch day without the boost, before weekly and noise factors. */
  baseDailySales: number
}

/** Relative sales by day of week, Sunday first; mean 1. */
export const DAY_OF_WEEK_FACTORS = [0.95, 0.85, 0.9, 0.95, 1.05, 1.2, 1.1]

/** Shape of the expected daily sales at `ageDays` (launch day = 0), without the base rate. */
export function salesShape(profile: Omit<SalesProfile, 'baseDailySales'>, ageDays: number) {
  return (1 + profile.launchBoost * Math.exp(-ageDays / profile.launchDecayDays)) *
    Math.exp(-ageDays / profile.declineDays)
}

/** Draws a planned life on sale: log-normal around `medianDays` (330), within 120–720 days. */
export function drawPlannedLifeDays(random: Random, medianDays = 330): number {
  return Math.round(
    Math.min(720, Math.max(120, Math.exp(random.normal(Math.log(medianDays), 0.35)))),
  )
}

/**
 * Draws how a game of `ticketsPrinted` tickets planned for `plannedLifeDays` days will sell, in
 * a state whose games sell as `sales` says (default: the base world's).
 */
export function drawSalesProfile(
  random: Random,
  game: { ticketsPrinted: number; plannedLifeDays: number },
  sales: WorldParameters['sales'] = BASE_WORLD.sales,
): SalesProfile {
  const shape = {
    plannedLifeDays: game.plannedLifeDays,
    // Most games sell 50–95% of their run; a few flop, a few sell out early.
    targetFractionSold: Math.min(1.15, random.beta(5, 2) * 1.15 * sales.soldShareScale),
    launchBoost: random.uniform(...sales.launchBoost),
    launchDecayDays: random.uniform(...sales.launchDecayDays),
    declineDays: random.uniform(...sales.declineDays),
  }
  let total = 0
  for (let age = 0; age < game.plannedLifeDays; age++) total += salesShape(shape, age)
  return { ...shape, baseDailySales: (shape.targetFractionSold * game.ticketsPrinted) / total }
}

/** Draws each day's sales of one game, day after day. */
export interface DailySales {
  /** Tickets sold on the game's `ageDays`-th day, on a day of week `weekday` (0 = Sunday). */
  next(ageDays: number, weekday: number): number
}

/** Day-by-day sales for `profile`: a log AR(1) popularity drift times Gamma noise. */
export function createDailySales(random: Random, profile: SalesProfile): DailySales {
  let drift = random.normal(0, 0.15)
  return {
    next(ageDays, weekday) {
      drift = 0.95 * drift + random.normal(0, 0.05)
      const expected = profile.baseDailySales * salesShape(profile, ageDays) *
        (DAY_OF_WEEK_FACTORS[weekday] ?? 1) * Math.exp(drift) * random.gamma(30, 1 / 30)
      return random.poisson(expected)
    },
  }
}
