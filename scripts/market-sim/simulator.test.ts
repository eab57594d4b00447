import { describe, expect, it } from 'vitest'
import { addDays } from '../../supabase/functions/_shared/scoring/calendar.ts'
import { gamesOnSale, gameTruth, isOnSale, observedGameDays, observeGame } from './observations.ts'
import {
  MINNESOTA_PUBLISHED_MINIMUM,
  type PortfolioOptions,
  type SimulatedGame,
  simulatedGames,
  simulatePortfolio,
} from './simulator.ts'
import { tierKey } from '../../supabase/functions/_shared/scoring/types.ts'

const minnesota: PortfolioOptions = {
  seed: 17,
  publication: 'minnesota',
  startDate: '2025-01-01',
  days: 60,
}
const portfolio = simulatePortfolio(minnesota)
const allTiers = simulatePortfolio({ ...minnesota, publication: 'all_tiers' })

/** Calls `check(row, day)` for every observed day of every game. */
function eachDay(games: SimulatedGame[], check: (game: SimulatedGame, row: number) => void) {
  for (const game of games) {
    for (let row = 0; row <= game.lastDay - game.firstDay; row++) check(game, row)
  }
}

describe('simulatePortfolio', () => {
  it('is deterministic for a seed and changes with it', () => {
    const again = simulatePortfolio(minnesota)
    expect(again).toEqual(portfolio)
    const other = simulatePortfolio({ ...minnesota, seed: 18 })
    expect(other.games.map((game) => game.unsoldTickets[0])).not.toEqual(
      portfolio.games.map((game) => game.unsoldTickets[0]),
    )
  })

  it('streams the same games it returns', () => {
    expect([...simulatedGames(minnesota)]).toEqual(portfolio.games)
  })

  it('keeps about the requested number of games on sale, with unique ids and numbers', () => {
    const counts = Array.from(
      { length: minnesota.days },
      (_, day) => portfolio.games.filter((game) => isOnSale(game, day)).length,
    )
    expect(Math.min(...counts)).toBeGreaterThan(28)
    expect(Math.max(...counts)).toBeLessThan(55)
    expect(gamesOnSale(portfolio, 0)).toHaveLength(counts[0] ?? 0)
    const ids = portfolio.games.map((game) => game.facts.id)
    expect(new Set(ids).size).toBe(ids.length)
    expect(new Set(portfolio.games.map((game) => game.facts.gameNumber)).size).toBe(ids.length)
  })

  it('holds games of many ages and prices, launched in staggered batches', () => {
    const launchDays = new Set(portfolio.games.map((game) => game.launchDay))
    expect(launchDays.size).toBeGreaterThan(8)
    expect(portfolio.games.some((game) => game.launchDay >= 0)).toBe(true)
    expect(new Set(portfolio.games.map((game) => game.facts.ticketPrice)).size).toBeGreaterThan(5)
  })

  it('has unsold prizes within the printed ones, among the unsold tickets', () => {
    eachDay(portfolio.games, (game, row) => {
      const tierCount = game.tiers.length
      let unsoldPrizes = 0
      let soldPrizes = 0
      game.tiers.forEach((tier, i) => {
        const unsold = game.unsoldPrizes[row * tierCount + i] ?? -1
        expect(unsold).toBeGreaterThanOrEqual(0)
        expect(unsold).toBeLessThanOrEqual(tier.totalPrizes)
        unsoldPrizes += unsold
        soldPrizes += tier.totalPrizes - unsold
      })
      const unsoldTickets = game.unsoldTickets[row] ?? 0
      expect(unsoldTickets).toBeGreaterThanOrEqual(Math.max(1, unsoldPrizes))
      expect(game.ticketsPrinted - unsoldTickets).toBeGreaterThanOrEqual(soldPrizes)
    })
  })

  it('never has more prizes claimed than sold, and counts only move one way', () => {
    eachDay(portfolio.games, (game, row) => {
      const tierCount = game.tiers.length
      for (let i = 0; i < tierCount; i++) {
        const at = row * tierCount + i
        const claimed = game.claimedPrizes[at] ?? 0
        const sold = (game.tiers[i]?.totalPrizes ?? 0) - (game.unsoldPrizes[at] ?? 0)
        expect(claimed >= 0 && claimed <= sold).toBe(true)
        if (row > 0) {
          expect(claimed).toBeGreaterThanOrEqual(game.claimedPrizes[at - tierCount] ?? 0)
          expect(game.unsoldPrizes[at]).toBeLessThanOrEqual(game.unsoldPrizes[at - tierCount] ?? 0)
        }
      }
    })
  })

  it('lags claims behind sales, the top prizes most', () => {
    let soldSmall = 0
    let unclaimedSmall = 0
    let soldTop = 0
    let unclaimedTop = 0
    for (const game of portfolio.games) {
      const row = game.lastDay - game.firstDay
      const tierCount = game.tiers.length
      const sold = (i: number) =>
        (game.tiers[i]?.totalPrizes ?? 0) - (game.unsoldPrizes[row * tierCount + i] ?? 0)
      const unclaimed = (i: number) => sold(i) - (game.claimedPrizes[row * tierCount + i] ?? 0)
      soldSmall += sold(0)
      unclaimedSmall += unclaimed(0)
      soldTop += sold(tierCount - 1)
      unclaimedTop += unclaimed(tierCount - 1)
    }
    // A few small prizes are never claimed; some top prizes are sold but not claimed yet.
    expect(unclaimedSmall / soldSmall).toBeGreaterThan(0.01)
    expect(unclaimedSmall / soldSmall).toBeLessThan(0.08)
    expect(unclaimedTop).toBeGreaterThan(0)
  })

  it('ends games for the documented reasons, and launches new ones', () => {
    const long = simulatePortfolio({ ...minnesota, days: 240, seed: 5 })
    const reasons = new Set(long.games.map((game) => game.endReason))
    expect(reasons).toEqual(
      new Set(['on_sale', 'planned_end', 'sales_slowed', 'sold_out', 'top_prizes_claimed']),
    )
    for (const game of long.games.filter((g) => g.endReason === 'top_prizes_claimed')) {
      expect(observeGame(game, game.lastDay).snapshots.at(-1)?.topPrizesRemaining).toBe(0)
    }
    for (const game of long.games.filter((g) => g.endReason === 'on_sale')) {
      expect(game.lastDay).toBe(long.days - 1)
    }
    expect(long.games.filter((game) => game.launchDay > 0).length).toBeGreaterThan(10)
  })
})

describe('published observations and hidden truth', () => {
  it('publish remaining = printed − claimed, only for tiers of $500+ in Minnesota', () => {
    for (const game of portfolio.games.slice(0, 10)) {
      const day = game.lastDay
      const row = day - game.firstDay
      const observation = observeGame(game, day)
      expect(observation.asOfDate).toBe(addDays('2025-01-01', day))
      expect(observation.snapshots).toHaveLength(row + 1)
      expect(observation.game.ticketsPrinted).toBeNull()
      observation.tiers.forEach((tier, i) => {
        const claimed = game.claimedPrizes[row * game.tiers.length + i] ?? 0
        if (tier.prizeAmount >= MINNESOTA_PUBLISHED_MINIMUM) {
          expect(tier.remainingPrizes).toBe(tier.totalPrizes - claimed)
          expect(observation.snapshots.at(-1)?.remainingByTier[tierKey(tier.prizeAmount)])
            .toBe(tier.totalPrizes - claimed)
        } else {
          expect(tier.remainingPrizes).toBeNull()
        }
      })
    }
  })

  it('publish every tier and the print run in all-tiers states', () => {
    const game = allTiers.games[0]
    if (!game) throw new Error('no game')
    const observation = observeGame(game, game.firstDay)
    expect(observation.tiers.every((tier) => tier.remainingPrizes !== null)).toBe(true)
    expect(observation.game.ticketsPrinted).toBe(game.ticketsPrinted)
  })

  it('values a ticket bought now from the unsold prizes over the unsold tickets', () => {
    const game = portfolio.games[3]
    if (!game) throw new Error('no game')
    const truth = gameTruth(game, game.lastDay)
    const value = game.tiers.reduce(
      (sum, tier) =>
        sum + tier.prizeAmount * (truth.unsoldPrizesByTier[tierKey(tier.prizeAmount)] ?? 0),
      0,
    )
    expect(truth.trueReturnPerDollar).toBeCloseTo(
      value / (truth.unsoldTickets * game.facts.ticketPrice),
      12,
    )
    expect(truth.fractionSold).toBeCloseTo(1 - truth.unsoldTickets / game.ticketsPrinted, 12)
  })

  it('lists every observed day with a growing shared history', () => {
    const game = portfolio.games[0]
    if (!game) throw new Error('no game')
    const days = observedGameDays(game)
    expect(days).toHaveLength(game.lastDay - game.firstDay + 1)
    const last = days.at(-1)
    expect(last?.observation).toEqual(observeGame(game, game.lastDay))
    expect(last?.truth).toEqual(gameTruth(game, game.lastDay))
    expect(() => observeGame(game, game.lastDay + 1)).toThrow(/^Cannot observe game /)
  })
})

describe('true return at launch', () => {
  it('matches the printed payout on average over many games', () => {
    const launches = simulatePortfolio({
      ...minnesota,
      seed: 3,
      days: 120,
      activeGames: 150,
    }).games.filter((game) => game.launchDay >= 0)
    expect(launches.length).toBeGreaterThan(50)
    let gap = 0
    for (const game of launches) {
      gap += gameTruth(game, game.launchDay).trueReturnPerDollar - game.printedPayout
    }
    expect(Math.abs(gap / launches.length)).toBeLessThan(0.002)
  })
})
