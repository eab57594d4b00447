/**
 * The portfolio loader against the local Postgres: a simulated portfolio goes into games,
 * prize_tiers and historical_snapshots exactly as the simulator would have published it, the
 * scorer's reader gets back the simulator's observations, and the hidden truth stays outside
 * the app's schema. Uses states of its own (ZY, ZX, ZW) and removes them afterwards.
 */
import type postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  loadSimulatedGames,
  loadSimulatedPortfolio,
  type PortfolioLoadResult,
} from '../scripts/seed/portfolio-loader.ts'
import { addDays } from '../supabase/functions/_shared/scoring/calendar.ts'
import { gameTruth, observeGame } from '../scripts/market-sim/observations.ts'
import { readRunInputs } from '../supabase/functions/_shared/run/run-inputs.ts'
import {
  type PortfolioOptions,
  type SimulatedPortfolio,
  simulatePortfolio,
} from '../scripts/market-sim/simulator.ts'
import { connect } from './helpers/database.ts'

const testStates = ['ZY', 'ZX', 'ZW']
const asOfDate = '2026-06-30'
const historyDays = 60
const scorerHistoryDays = 35
const simulation: PortfolioOptions = {
  seed: 11,
  publication: 'minnesota',
  state: 'ZY',
  startDate: addDays(asOfDate, -(historyDays - 1)),
  days: historyDays,
  activeGames: 12,
  firstGameId: 700_001,
}
const asOfDay = historyDays - 1

let sql: postgres.Sql
let truthSchemaExisted = false
let portfolio: SimulatedPortfolio
let loaded: PortfolioLoadResult

async function removeTestGames(): Promise<void> {
  await sql`delete from public.games where state = any(${testStates}::text[])`
}

async function count(query: postgres.PendingQuery<postgres.Row[]>): Promise<number> {
  const [row] = await query
  return Number(row?.count)
}

beforeAll(async () => {
  sql = connect()
  const [schema] = await sql`select to_regnamespace('simulation') is not null as exists`
  truthSchemaExisted = schema?.exists === true
  await removeTestGames()
  portfolio = simulatePortfolio(simulation)
  loaded = await loadSimulatedPortfolio(sql, {
    seed: simulation.seed,
    publication: simulation.publication,
    asOfDate,
    historyDays,
    states: ['ZY'],
    activeGamesPerState: 12,
    firstGameId: 700_001,
    includeEndedGames: true,
    truth: 'history',
    onProgress: () => {},
  })
})

afterAll(async () => {
  await removeTestGames()
  // db:reset's schema comparison must not see a schema only this test created.
  if (!truthSchemaExisted) await sql`drop schema if exists simulation cascade`
  await sql.end()
})

describe('loadSimulatedPortfolio', () => {
  it('writes every game on sale in the window, with its simulator id and activity', async () => {
    const isActive = (game: (typeof portfolio.games)[number]) => game.lastDay === asOfDay
    expect(loaded.gameIds).toEqual(portfolio.games.map((game) => game.facts.id))
    expect(loaded.activeGameIds).toEqual(
      portfolio.games.filter(isActive).map((game) => game.facts.id),
    )
    expect(loaded.activeGameIds.length).toBeGreaterThan(5)
    expect(loaded.activeGameIds.length).toBeLessThan(loaded.gameIds.length)
    expect(loaded.asOfDate).toBe(asOfDate)

    const rows = await sql<
      { id: string; is_active: boolean; launch_date: string; end_date: string | null }[]
    >`
      select id::text, is_active, launch_date::text, end_date::text
      from public.games where state = 'ZY' order by id`
    expect(rows).toEqual(portfolio.games.map((game) => ({
      id: String(game.facts.id),
      is_active: isActive(game),
      launch_date: game.facts.launchDate,
      end_date: isActive(game) ? null : addDays(game.startDate, game.lastDay),
    })))
  })

  it('writes one tier row per tier and one snapshot per game and loaded day', async () => {
    const tiers = portfolio.games.reduce((sum, game) => sum + game.tiers.length, 0)
    const snapshots = portfolio.games.reduce(
      (sum, game) => sum + game.lastDay - game.firstDay + 1,
      0,
    )
    expect(loaded.prizeTiers).toBe(tiers)
    expect(loaded.snapshots).toBe(snapshots)
    expect(
      await count(sql`
        select count(*) from public.prize_tiers t join public.games g on g.id = t.game_id
        where g.state = 'ZY'`),
    ).toBe(tiers)
    expect(
      await count(sql`
        select count(*) from public.historical_snapshots s join public.games g on g.id = s.game_id
        where g.state = 'ZY'`),
    ).toBe(snapshots)
  })

  it("round-trips active games into the simulator's observation on the as-of day", async () => {
    const read = await readRunInputs(sql, {
      scope: { states: ['ZY'], gameIds: null },
      asOfDate,
      historyDays: scorerHistoryDays,
    })
    const expected = portfolio.games.filter((game) => game.lastDay === asOfDay).map((game) => {
      const observation = observeGame(game, asOfDay)
      return { ...observation, snapshots: observation.snapshots.slice(-scorerHistoryDays) }
    })
    expect(read).toEqual(expected)
    expect(read.some((observation) => observation.snapshots.length === scorerHistoryDays)).toBe(
      true,
    )
  })

  it('publishes remaining counts only for tiers of $500 and up (Minnesota rule)', async () => {
    const [tiers] = await sql<{ published_below: number; unpublished_above: number }[]>`
      select
        count(*) filter (where remaining_prizes is not null and prize_amount < 500)::int
          as published_below,
        count(*) filter (where remaining_prizes is null and prize_amount >= 500)::int
          as unpublished_above
      from public.prize_tiers t join public.games g on g.id = t.game_id
      where g.state = 'ZY'`
    expect(tiers).toEqual({ published_below: 0, unpublished_above: 0 })
  })

  it('keeps the truth of every loaded day in simulation.game_truth', async () => {
    expect(loaded.truthRows).toBe(loaded.snapshots)
    const rows = await sql<
      {
        game_id: string
        tickets_printed: string
        unsold_tickets: string
        fraction_sold: number
        true_return_per_dollar: number
        unsold_prizes_by_tier: Record<string, number>
      }[]
    >`
      select game_id::text, tickets_printed::text, unsold_tickets::text, fraction_sold,
        true_return_per_dollar, unsold_prizes_by_tier
      from simulation.game_truth
      where game_id = any(${loaded.gameIds}::bigint[]) and truth_date = ${asOfDate}::date
      order by game_id`
    expect(rows).toEqual(
      portfolio.games.filter((game) => game.lastDay === asOfDay).map((game) => {
        const truth = gameTruth(game, asOfDay)
        return {
          game_id: String(truth.gameId),
          tickets_printed: String(truth.ticketsPrinted),
          unsold_tickets: String(truth.unsoldTickets),
          fraction_sold: truth.fractionSold,
          true_return_per_dollar: truth.trueReturnPerDollar,
          unsold_prizes_by_tier: truth.unsoldPrizesByTier,
        }
      }),
    )
  })

  it("keeps the truth out of the app's schema and away from the API roles", async () => {
    const leaked = await sql`
      select table_name, column_name from information_schema.columns
      where table_schema = 'public'
        and column_name in ('unsold_tickets', 'true_return_per_dollar', 'unsold_prizes_by_tier')`
    expect(leaked).toEqual([])
    for (const role of ['anon', 'authenticated']) {
      const attempt = sql.begin(async (tx) => {
        await tx.unsafe(`set local role ${role}`)
        return await tx`select count(*) from simulation.game_truth`
      })
      await expect(attempt, role).rejects.toMatchObject({ code: '42501' })
    }
  })

  it('loads exactly the asked active games per state, ids continuing across states', async () => {
    const result = await loadSimulatedPortfolio(sql, {
      seed: 12,
      publication: 'all_tiers',
      asOfDate,
      historyDays: 30,
      states: ['ZX', 'ZW'],
      activeGamesPerState: 8,
      exactActiveGames: true,
      firstGameId: 710_001,
      truth: 'none',
      onProgress: () => {},
    })
    const perState = await sql<{ state: string; active: number; games: number }[]>`
      select state, count(*) filter (where is_active)::int as active, count(*)::int as games
      from public.games where state in ('ZX', 'ZW') group by state order by state`
    expect(perState).toEqual([
      { state: 'ZW', active: 8, games: 8 },
      { state: 'ZX', active: 8, games: 8 },
    ])
    expect(result.activeGameIds).toEqual(result.gameIds)
    expect(result.gameIds[0]).toBe(710_001)
    expect([...result.gameIds].sort((a, b) => a - b)).toEqual(result.gameIds)
    expect(result.truthRows).toBe(0)
  })

  it('clears the states first when asked', async () => {
    const result = await loadSimulatedPortfolio(sql, {
      seed: 13,
      publication: 'minnesota',
      asOfDate,
      historyDays: 10,
      states: ['ZX'],
      activeGamesPerState: 3,
      exactActiveGames: true,
      clear: 'states',
      onProgress: () => {},
    })
    const ids = await sql<{ id: string }[]>`
      select id::text from public.games where state = 'ZX' order by id`
    expect(ids.map((row) => Number(row.id))).toEqual(result.gameIds)
    expect(await count(sql`select count(*) from public.games where state = 'ZW'`)).toBe(8)
  })
})

describe('loadSimulatedGames', () => {
  it('refuses game ids already in the database and changes nothing', async () => {
    const before = await count(sql`select count(*) from public.games`)
    await expect(
      loadSimulatedGames(sql, portfolio.games, { asOfDay, historyDays, onProgress: () => {} }),
    ).rejects.toThrow(/Cannot load game 700001: games already has that id/)
    expect(await count(sql`select count(*) from public.games`)).toBe(before)
  })

  it('refuses a repeated game number after chunks went out, and rolls them back', async () => {
    const games = simulatePortfolio({ ...simulation, state: 'ZW', firstGameId: 730_001 }).games
    const [first] = games
    if (!first) throw new Error('The test portfolio has no games')
    const repeated = { ...first, facts: { ...first.facts, id: 739_999 } }
    await expect(
      loadSimulatedGames(sql, [...games, repeated], {
        asOfDay,
        historyDays,
        includeEndedGames: true,
        chunkGames: 2,
        onProgress: () => {},
      }),
    ).rejects.toThrow(`ZW already has game number ${first.facts.gameNumber}`)
    expect(await count(sql`select count(*) from public.games where id >= 730001`)).toBe(0)
  })

  it('fails, rather than hangs, when Postgres rejects a row, and rolls the load back', async () => {
    const games = simulatePortfolio({ ...simulation, state: 'ZW', firstGameId: 720_001 }).games
    const [first, ...rest] = games
    if (!first) throw new Error('The test portfolio has no games')
    // Claims below zero publish more prizes remaining than printed: prize_tiers' check refuses.
    const corrupt = { ...first, claimedPrizes: first.claimedPrizes.map(() => -1) }
    await expect(
      loadSimulatedGames(sql, [...rest, corrupt], {
        asOfDay,
        historyDays,
        includeEndedGames: true,
        onProgress: () => {},
      }),
    ).rejects.toThrow(/COPY into public\.prize_tiers failed/)
    expect(await count(sql`select count(*) from public.games where id >= 720001`)).toBe(0)
  })
})
