import { describe, expect, it } from 'vitest'
import { dayOfWeek } from '../../supabase/functions/_shared/scoring/calendar.ts'
import { createRandom } from '../lib/random.ts'
import { observeGame } from './observations.ts'
import {
  type PortfolioOptions,
  type SimulatedGame,
  simulatePortfolio,
  underPublicationRule,
} from './simulator.ts'
import {
  BASE_WORLD,
  drawWorld,
  meanClaimLagDays,
  WORLD_RANGES,
  type WorldParameters,
  type WorldRangeName,
} from './world.ts'

const options: PortfolioOptions = {
  seed: 29,
  publication: 'all_tiers',
  startDate: '2025-01-01',
  days: 60,
  activeGames: 16,
}

function withWorld(changes: Partial<WorldParameters>): WorldParameters {
  return { ...BASE_WORLD, ...changes }
}

/** The part of a game that does not depend on its id or on which other games came first. */
function essence(game: SimulatedGame) {
  const { id: _id, gameNumber: _number, gameName: _name, ...facts } = game.facts
  return { facts, tiers: game.tiers, launchDay: game.launchDay, unsold: game.unsoldTickets }
}

describe('drawWorld', () => {
  it('draws every value inside its full range, in the core when asked, lags in class order', () => {
    const random = createRandom(3)
    for (const spread of ['core', 'full'] as const) {
      for (let i = 0; i < 200; i++) {
        const { parameters, values, outsideCore } = drawWorld(random, spread)
        for (const name of Object.keys(WORLD_RANGES) as WorldRangeName[]) {
          const [low, high] = WORLD_RANGES[name].full
          expect(values[name]).toBeGreaterThanOrEqual(low - 0.5)
          expect(values[name]).toBeLessThanOrEqual(high + 0.5)
        }
        if (spread === 'core') {
          // Lags are kept in order, which may lift one above its own core.
          expect(outsideCore.filter((name) => !name.endsWith('MeanLagDays'))).toEqual([])
        }
        const lag = (prizeClass: 'retailer' | 'office' | 'top') =>
          meanClaimLagDays(parameters.claims[prizeClass])
        expect(lag('retailer')).toBeCloseTo(values.retailerMeanLagDays, 6)
        expect(lag('office')).toBeGreaterThanOrEqual(lag('retailer') - 1e-9)
        expect(lag('top')).toBeGreaterThanOrEqual(lag('office') - 1e-9)
        expect(parameters.postEndPublishedDays).toBeLessThanOrEqual(parameters.claimDeadlineDays)
      }
    }
  })

  it('reaches outside the core on most full-range draws', () => {
    const random = createRandom(4)
    const outside = Array.from({ length: 100 }, () => drawWorld(random, 'full').outsideCore.length)
    expect(outside.filter((count) => count > 0).length).toBeGreaterThan(90)
  })
})

describe('the simulator in a world', () => {
  it('keeps the observed games the same with a history before them', () => {
    const plain = simulatePortfolio(options)
    const withHistory = simulatePortfolio({ ...options, historyDays: 120 })
    const onSaleFromDayZero = withHistory.games.filter((game) => game.lastDay >= 0)
    expect(onSaleFromDayZero.map((game) => game.launchDay)).toEqual(
      plain.games.map((game) => game.launchDay),
    )
    onSaleFromDayZero.forEach((game, i) => {
      const other = plain.games[i] as SimulatedGame
      // Same sales: the unsold counts from day 0 on are the same.
      const offset = other.firstDay - game.firstDay
      expect(game.unsoldTickets.slice(offset)).toEqual(other.unsoldTickets)
      expect(essence(game).tiers).toEqual(essence(other).tiers)
    })
    expect(withHistory.games.some((game) => game.lastDay < 0)).toBe(true)
    expect(Math.min(...withHistory.games.map((game) => game.firstDay))).toBe(-120)
  })

  it('publishes counts as of the publication delay before the day', () => {
    const prompt = simulatePortfolio(options)
    const late = simulatePortfolio({ ...options, world: withWorld({ publicationDelayDays: 3 }) })
    let compared = 0
    late.games.forEach((game, i) => {
      const other = prompt.games[i] as SimulatedGame
      const tiers = game.tiers.length
      for (let row = 3; row <= game.lastDay - game.firstDay; row++) {
        expect(game.claimedPrizes.slice(row * tiers, (row + 1) * tiers)).toEqual(
          other.claimedPrizes.slice((row - 3) * tiers, (row - 2) * tiers),
        )
        compared++
      }
    })
    expect(compared).toBeGreaterThan(500)
  })

  it('publishes on weekdays only, and the scorer sees the latest published counts', () => {
    const weekdays = simulatePortfolio({
      ...options,
      world: withWorld({ weekdaysOnly: true, missingDayShare: 0.1 }),
    })
    const startWeekday = dayOfWeek(options.startDate)
    let skipped = 0
    for (const game of weekdays.games) {
      for (let row = 1; row <= game.lastDay - game.firstDay; row++) {
        const weekday = (startWeekday + game.firstDay + row) % 7
        if (weekday === 0 || weekday === 6) expect(game.published[row]).toBe(0)
        if (game.published[row] === 0) skipped++
      }
      const day = game.lastDay
      const observation = observeGame(game, day)
      const latest = observation.snapshots.at(-1)
      expect(latest && latest.snapshotDate <= observation.asOfDate).toBe(true)
      for (const tier of observation.tiers) {
        expect(tier.remainingPrizes).toBe(latest?.remainingByTier[String(tier.prizeAmount)])
      }
    }
    expect(skipped).toBeGreaterThan(100)
  })

  it('lists an ended game after its end, its counts still falling as late winners claim', () => {
    const listed = simulatePortfolio({
      ...options,
      days: 200,
      world: withWorld({ postEndPublishedDays: 40 }),
    })
    const ended = listed.games.filter((game) => game.lastDay < 150)
    expect(ended.length).toBeGreaterThan(3)
    let lateClaims = 0
    for (const game of ended) {
      expect(game.recordedLastDay).toBe(game.lastDay + 40)
      const tiers = game.tiers.length
      const endRow = game.lastDay - game.firstDay
      const lastRow = game.recordedLastDay - game.firstDay
      expect(game.unsoldTickets[lastRow]).toBe(game.unsoldTickets[endRow])
      for (let tier = 0; tier < tiers; tier++) {
        const atEnd = game.claimedPrizes[endRow * tiers + tier] ?? 0
        const later = game.claimedPrizes[lastRow * tiers + tier] ?? 0
        expect(later).toBeGreaterThanOrEqual(atEnd)
        lateClaims += later - atEnd
      }
    }
    expect(lateClaims).toBeGreaterThan(0)
  })

  it.each(
    [
      ['top_prize', (index: number, count: number) => index === count - 1],
      ['top_tiers', (index: number, count: number) => index >= count - 3],
      ['all_tiers', () => true],
    ] as const,
  )('publishes the tiers the %s rule names', (rule, expected) => {
    const portfolio = simulatePortfolio({ ...options, publication: rule })
    for (const game of portfolio.games) {
      game.tiers.forEach((tier, index) =>
        expect(tier.published).toBe(expected(index, game.tiers.length))
      )
      const view = underPublicationRule(game, 'minnesota', portfolio.world)
      view.tiers.forEach((tier) => expect(tier.published).toBe(tier.prizeAmount >= 500))
      expect(view.claimedPrizes).toBe(game.claimedPrizes)
    }
  })
})
