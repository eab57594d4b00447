/**
 * Dates taken from the loaded seed, not written into tests: `supabase/seed.sql` moves every date
 * so that its newest snapshot is the day it is loaded, so a fixed date would drift out of its
 * window as the calendar moves on.
 */
import type postgres from 'postgres'
import { addDays } from '../../supabase/functions/_shared/scoring/calendar.ts'

/** The seed's load day: the newest Minnesota snapshot (YYYY-MM-DD). */
export async function seedLoadDay(sql: postgres.Sql): Promise<string> {
  const [row] = await sql<{ newest: string | null }[]>`
    select max(s.snapshot_date)::text as newest
    from public.historical_snapshots s join public.games g on g.id = s.game_id
    where g.state = 'MN'`
  if (!row?.newest) throw new Error('The seed is not loaded: no Minnesota snapshot')
  return row.newest
}

/** The day `days` days before the seed's load day. */
export async function daysBeforeLoad(sql: postgres.Sql, days: number): Promise<string> {
  return addDays(await seedLoadDay(sql), -days)
}
