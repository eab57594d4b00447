/**
 * A date means what was known on that date: scoring day d reads each tier's remaining count from
 * the latest snapshot on or before d, the history up to d, and the games on sale on d; days
 * outside the documented window are a 400 naming the field, never a 500. Real function over
 * HTTP, real Postgres, the seed (dates taken from its load day), the fixture model.
 */
import type postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FunctionServer } from '../scripts/local-stack/function-server.ts'
import { addDays } from '../supabase/functions/_shared/scoring/calendar.ts'
import { computeFeatures, featureRecord } from '../supabase/functions/_shared/scoring/features.ts'
import { claimProfilesForRun } from '../supabase/functions/_shared/run/claim-profiles.ts'
import { type GameObservation, tierKey } from '../supabase/functions/_shared/scoring/types.ts'
import { todayInChicago } from '../supabase/functions/_shared/http/request.ts'
import { connect } from './helpers/database.ts'
import { activateFixtureModel, removeModel } from './helpers/fixture-model.ts'
import { post, serveFunction } from './helpers/function.ts'
import { seedLoadDay } from './helpers/seed-dates.ts'

const modelVersion = 'fixture-dates'
const historyDays = 35

let sql: postgres.Sql
let server: FunctionServer
let loadDay: string

beforeAll(async () => {
  sql = connect()
  loadDay = await seedLoadDay(sql)
  await activateFixtureModel(sql, modelVersion)
  server = await serveFunction()
})

afterAll(async () => {
  await server?.stop()
  await removeModel(sql, modelVersion)
  await sql?.end()
})

interface DryRun {
  scored: number
  skipped: Array<{ game_id: number; reason: string; message: string }>
  warnings: unknown[]
  predictions: Array<{ gameId: number; features: Record<string, number> }>
}

async function dryRun(body: Record<string, unknown>): Promise<DryRun> {
  const { status, body: answer } = await post(server.url, { ...body, dry_run: true })
  expect(status, JSON.stringify(answer)).toBe(200)
  return answer as unknown as DryRun
}

/**
 * What was known about a game on `date`, built from its raw rows here, independently of the
 * scorer's SQL: its tiers with the remaining counts of its latest snapshot on or before `date`
 * (a tier that snapshot does not list: not published), and its snapshots of the history window.
 */
async function observationOn(gameId: number, date: string): Promise<GameObservation> {
  const [game] = await sql`
    select id, state, game_number, game_name, ticket_price::float8 as price,
      overall_odds::float8 as odds, tickets_printed, launch_date::text as launch
    from public.games where id = ${gameId}`
  const tiers = await sql`
    select prize_amount::float8 as amount, odds::float8 as odds, total_prizes
    from public.prize_tiers where game_id = ${gameId} order by prize_amount`
  const snapshots = await sql`
    select snapshot_date::text as day, remaining_by_tier, top_prizes_remaining
    from public.historical_snapshots
    where game_id = ${gameId} and snapshot_date <= ${date}
    order by snapshot_date`
  const latest = snapshots.at(-1)
  if (!game || !latest) throw new Error(`Game ${gameId} has no snapshot on or before ${date}`)
  return {
    game: {
      id: Number(game.id),
      state: game.state,
      gameNumber: game.game_number,
      gameName: game.game_name,
      ticketPrice: game.price,
      overallOdds: game.odds,
      ticketsPrinted: game.tickets_printed === null ? null : Number(game.tickets_printed),
      launchDate: game.launch,
    },
    tiers: tiers.map((tier) => ({
      prizeAmount: tier.amount,
      odds: tier.odds,
      totalPrizes: tier.total_prizes,
      remainingPrizes: latest.remaining_by_tier[tierKey(tier.amount)] ?? null,
    })),
    snapshots: snapshots.filter((snapshot) => snapshot.day > addDays(date, -historyDays)).map((
      snapshot,
    ) => ({
      snapshotDate: snapshot.day,
      remainingByTier: snapshot.remaining_by_tier,
      topPrizesRemaining: snapshot.top_prizes_remaining,
    })),
    asOfDate: date,
  }
}

/** The features of the observation, with the claim profile a run for its date reads. */
async function expectedFeatures(observation: GameObservation): Promise<Record<string, number>> {
  const { profiles } = await claimProfilesForRun(sql, {
    scope: { states: null, gameIds: [observation.game.id] },
    asOfDate: observation.asOfDate,
    store: false,
  })
  const result = computeFeatures(observation, { profile: profiles.get(observation.game.state) })
  if (!result.ok) throw new Error(result.refusal.message)
  return featureRecord(result.features.values)
}

describe('a past date is scored with what was known that day', () => {
  it('uses the snapshot of that day, not the current tier counts', async () => {
    // A game and a past day whose published count of some tier differs from today's.
    const [changed] = await sql<{ game_id: string; day: string }[]>`
      select g.id as game_id, hs.snapshot_date::text as day
      from public.games g
      join public.prize_tiers pt on pt.game_id = g.id
      join public.historical_snapshots hs on hs.game_id = g.id
      where g.is_active and pt.remaining_prizes is not null
        and (hs.remaining_by_tier ->> trim_scale(pt.prize_amount)::text)::int
          <> pt.remaining_prizes
        and hs.snapshot_date between ${loadDay}::date - 40 and ${loadDay}::date - 20
      order by g.id, hs.snapshot_date
      limit 1`
    expect(changed, 'the seed has a count that changed since a past day').toBeDefined()
    const gameId = Number(changed?.game_id)
    const past = changed?.day as string

    const then = await dryRun({ prediction_date: past, game_ids: [gameId] })
    const now = await dryRun({ prediction_date: loadDay, game_ids: [gameId] })
    expect(then.predictions[0]?.features).toEqual(
      await expectedFeatures(await observationOn(gameId, past)),
    )
    expect(now.predictions[0]?.features).toEqual(
      await expectedFeatures(await observationOn(gameId, loadDay)),
    )
    // The symptom: the same estimated share sold on both days.
    expect(then.predictions[0]?.features.est_fraction_sold).not.toBe(
      now.predictions[0]?.features.est_fraction_sold,
    )
  })

  it('a day without a snapshot uses the latest one before it', async () => {
    const gap = addDays(loadDay, -10)
    // A game whose published counts moved between the days around the gap, so reading the
    // snapshot after it (or today's counts) could not pass for reading the one before it.
    const [game] = await sql<{ id: string }[]>`
      select g.id from public.games g
      join public.historical_snapshots before
        on before.game_id = g.id and before.snapshot_date = ${gap}::date - 1
      join public.historical_snapshots after
        on after.game_id = g.id and after.snapshot_date = ${gap}::date + 1
      where g.is_active and g.launch_date < ${loadDay}::date - 30
        and before.remaining_by_tier <> after.remaining_by_tier
      order by g.id limit 1`
    expect(game, 'a game whose counts moved around the gap').toBeDefined()
    const gameId = Number(game?.id)
    const [removed] = await sql`
      delete from public.historical_snapshots
      where game_id = ${gameId} and snapshot_date = ${gap}
      returning remaining_by_tier, top_prizes_remaining`
    expect(removed, 'the game had a snapshot that day').toBeDefined()
    try {
      const onGap = await dryRun({ prediction_date: gap, game_ids: [gameId] })
      const observation = await observationOn(gameId, gap)
      expect(observation.snapshots.at(-1)?.snapshotDate).toBe(addDays(gap, -1))
      expect(onGap.predictions[0]?.features).toEqual(await expectedFeatures(observation))
      // What the day after the gap knew (a later snapshot) gives other features.
      expect(onGap.predictions[0]?.features).not.toEqual(
        await expectedFeatures(await observationOn(gameId, addDays(gap, 1))),
      )
    } finally {
      await sql`
        insert into public.historical_snapshots
          (game_id, snapshot_date, remaining_by_tier, top_prizes_remaining)
        values (${gameId}, ${gap}, ${sql.json(removed?.remaining_by_tier)},
          ${removed?.top_prizes_remaining})`
    }
  })
})

describe('games not on sale on the day are skipped with a reason', () => {
  let launched: { id: number; launchDate: string }
  let ended: { id: number; endDate: string }

  beforeAll(async () => {
    const [young] = await sql<{ id: string; launch: string }[]>`
      select id, launch_date::text as launch from public.games
      where state = 'MN' and is_active and launch_date > ${loadDay}::date - 60
      order by launch_date desc, id limit 1`
    const [old] = await sql<{ id: string; ended: string }[]>`
      select id, end_date::text as ended from public.games
      where state = 'MN' and not is_active and end_date is not null
      order by end_date desc, id limit 1`
    expect(young && old, 'the seed has a recently launched game and an ended one').toBeTruthy()
    launched = { id: Number(young?.id), launchDate: young?.launch as string }
    ended = { id: Number(old?.id), endDate: old?.ended as string }
  })

  it.each([
    [
      'the day before its launch',
      () => addDays(launched.launchDate, -1),
      () => launched.id,
      'not_launched',
    ],
    ['its launch day', () => launched.launchDate, () => launched.id, null],
    ['its last day on sale', () => ended.endDate, () => ended.id, null],
    [
      'the day after its last day on sale',
      () => addDays(ended.endDate, 1),
      () => ended.id,
      'ended',
    ],
  ])('on %s: %s', async (_case, date, gameId, reason) => {
    const run = await dryRun({ prediction_date: date(), game_ids: [gameId()] })
    if (reason === null) {
      expect(run.scored).toBe(1)
      expect(run.skipped).toEqual([])
    } else {
      expect(run.scored).toBe(0)
      expect(run.skipped).toEqual([expect.objectContaining({ game_id: gameId(), reason })])
      expect(run.skipped[0]?.message).toContain(`Not on sale on ${date()}`)
    }
  })

  it('an active game whose last day on sale has passed is skipped as ended', async () => {
    await sql`update public.games set end_date = ${addDays(loadDay, -1)} where id = ${launched.id}`
    try {
      const run = await dryRun({ prediction_date: loadDay, states: ['MN'] })
      expect(run.skipped).toEqual([
        expect.objectContaining({ game_id: launched.id, reason: 'ended' }),
      ])
    } finally {
      await sql`update public.games set end_date = null where id = ${launched.id}`
    }
  })

  it('a past day scores the games on sale that day, ended ones included, not later ones', async () => {
    const day = addDays(loadDay, -30)
    const [expected] = await sql<{ on_sale: number; launched_later: number }[]>`
      select
        count(*) filter (where (launch_date is null or launch_date <= ${day}::date)
          and (end_date is null or end_date >= ${day}::date))::int as on_sale,
        count(*) filter (where is_active and launch_date > ${day}::date)::int as launched_later
      from public.games where state = 'MN'`
    const run = await dryRun({ prediction_date: day, states: ['MN'] })
    expect(run.scored).toBe(expected?.on_sale)
    expect(run.skipped.map((game) => game.reason)).toEqual(
      Array(expected?.launched_later).fill('not_launched'),
    )
  })

  it('a day in the window before anything was published scores nothing, saying why', async () => {
    const run = await dryRun({ prediction_date: '2001-06-01', states: ['MN'] })
    expect(run.scored).toBe(0)
    expect(new Set(run.skipped.map((game) => game.reason))).toEqual(new Set(['not_launched']))
  })
})

describe('prediction_date outside 2000-01-01 .. tomorrow (America/Chicago)', () => {
  it.each([
    ['1900-01-01'],
    ['0000-01-01'],
    ['0001-01-01'],
    ['0099-12-31'],
    ['1999-12-31'],
    ['2100-01-01'],
    ['the day after tomorrow'],
  ])('%s answers 400 naming prediction_date, and records no run', async (date) => {
    const asked = date === 'the day after tomorrow' ? addDays(todayInChicago(), 2) : date
    const [before] = await sql<{ count: number }[]>`
      select count(*)::int as count from public.scoring_runs`
    const { status, body } = await post(server.url, { prediction_date: asked })
    expect(status).toBe(400)
    expect(body).toMatchObject({ error: { code: 'invalid_request' } })
    expect((body.error as { message: string }).message).toContain('prediction_date')
    const [after] = await sql<{ count: number }[]>`
      select count(*)::int as count from public.scoring_runs`
    expect(after?.count).toBe(before?.count)
  })

  it('tomorrow is accepted', async () => {
    const run = await dryRun({ prediction_date: addDays(todayInChicago(), 1), states: ['MN'] })
    expect(run.scored).toBeGreaterThan(0)
  })
})
