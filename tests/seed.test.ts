/**
 * The loaded `supabase/seed.sql`: the games of the twelve states the generator simulated, with
 * every date moved so the newest snapshot is the load day, read back by the scorer's own reader.
 */
import type postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SEED_AS_OF_DATE, SEED_STATES, seedGames } from '../scripts/seed/seed-sql.ts'
import { addDays, daysBetween } from '../supabase/functions/_shared/scoring/calendar.ts'
import { todayInChicago } from '../supabase/functions/_shared/http/request.ts'
import { readRunInputs } from '../supabase/functions/_shared/run/run-inputs.ts'
import type { GameObservation } from '../supabase/functions/_shared/scoring/types.ts'
import { connect } from './helpers/database.ts'

const scorerHistoryDays = 35

let sql: postgres.Sql
let loadDay: string

beforeAll(async () => {
  sql = connect()
  const [row] = await sql<{ newest: string | null }[]>`
    select max(s.snapshot_date)::text as newest
    from public.historical_snapshots s join public.games g on g.id = s.game_id
    where g.state = 'MN'`
  loadDay = row?.newest ?? ''
})

afterAll(async () => {
  await sql.end()
})

describe('supabase/seed.sql', () => {
  it('was loaded today (America/Chicago): its newest snapshot is the load day', () => {
    const today = todayInChicago()
    // db:reset ran at the start of the run, which may have been just before midnight.
    expect([today, addDays(today, -1)]).toContain(loadDay)
  })

  it('holds twelve states, each with games on sale', async () => {
    const states = await sql<{ state: string }[]>`
      select distinct state from public.games where is_active order by state`
    expect(states.map((row) => row.state)).toEqual([...SEED_STATES].sort())
  })

  it.each(SEED_STATES)(
    'holds the generated %s games, dates moved to the load day, as the scorer reads them',
    async (state) => {
      const shift = daysBetween(SEED_AS_OF_DATE, loadDay)
      const moved = (date: string) => addDays(date, shift)
      const read = await readRunInputs(sql, {
        scope: { states: [state], gameIds: null },
        asOfDate: loadDay,
        historyDays: scorerHistoryDays,
      })
      const byNumber = new Map(
        read.map((observation) => [observation.game.gameNumber, observation]),
      )
      const generated = seedGames().filter((game) => game.rows.facts.state === state)
      const expected = generated.filter((game) => game.rows.isActive).map(
        ({ rows }): GameObservation => ({
          game: {
            ...rows.facts,
            id: byNumber.get(rows.facts.gameNumber)?.game.id ?? -1,
            launchDate: rows.facts.launchDate === null ? null : moved(rows.facts.launchDate),
          },
          tiers: rows.tiers,
          snapshots: rows.snapshots.slice(-scorerHistoryDays).map((snapshot) => ({
            ...snapshot,
            snapshotDate: moved(snapshot.snapshotDate),
          })),
          asOfDate: loadDay,
        }),
      )
      expect(expected.length).toBeGreaterThanOrEqual(state === 'MN' ? 30 : 1)
      expect(read).toEqual(expected)
    },
  )

  it('keeps the games that left sale inactive, with end dates in the last 90 days', async () => {
    const [games] = await sql<{ inactive: number; ended_in_window: number; open_ended: number }[]>`
      select
        count(*) filter (where not is_active)::int as inactive,
        count(*) filter (where not is_active and end_date > ${loadDay}::date - 90
          and end_date < ${loadDay}::date)::int as ended_in_window,
        count(*) filter (where is_active and end_date is not null)::int as open_ended
      from public.games where state = 'MN'`
    const ended =
      seedGames().filter((game) => !game.rows.isActive && game.rows.facts.state === 'MN')
        .length
    expect(ended).toBeGreaterThan(0)
    expect(games).toEqual({ inactive: ended, ended_in_window: ended, open_ended: 0 })
  })
})
