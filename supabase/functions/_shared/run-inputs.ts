/**
 * Reads everything a scoring run needs in ONE round trip: the active games in scope, each with
 * its prize tiers and its recent snapshots aggregated in SQL, validated with zod and turned into
 * {@link GameObservation}s.
 */
import type { Sql } from 'postgres'
import { z } from 'zod'
import { FEATURE_HISTORY_DAYS, FEATURE_LOOKBACK_DAYS } from './features.ts'
import type { GameObservation } from './types.ts'

/** What a run scores: null means "all". */
export interface RunScope {
  states: string[] | null
  gameIds: number[] | null
}

const tierRow = z.object({
  prize_amount: z.number(),
  odds: z.number().nullable(),
  total_prizes: z.number().int(),
  remaining_prizes: z.number().int().nullable(),
})

const snapshotRow = z.object({
  snapshot_date: z.string(),
  remaining_by_tier: z.record(z.string(), z.number()),
  top_prizes_remaining: z.number().int().nullable(),
})

const gameRow = z.object({
  id: z.coerce.number().int(),
  state: z.string(),
  game_number: z.string(),
  game_name: z.string(),
  ticket_price: z.number(),
  overall_odds: z.number(),
  tickets_printed: z.coerce.number().nullable(),
  launch_date: z.string().nullable(),
  tiers: z.array(tierRow),
  snapshots: z.array(snapshotRow),
})

/** A row read from the database; invalid rows are reported, not thrown. */
export type GameRow = z.infer<typeof gameRow>

/**
 * Which snapshots to read: every day of the window (`all`), or only those the features read
 * (`features`: `snapshotsFeaturesRead` of features.ts, the same rule in SQL), which scores the
 * same from a few snapshots per game instead of a month of them.
 */
export type SnapshotSelection = 'all' | 'features'

/**
 * Active games in scope with their tiers and the snapshots of the `historyDays` days up to and
 * including `asOfDate`, oldest first (with `snapshots: 'features'`, of those only the ones the
 * features read). Games in `gameIds` that are inactive are not returned.
 */
export async function readRunInputs(
  sql: Sql,
  options: {
    scope: RunScope
    asOfDate: string
    historyDays: number
    snapshots?: SnapshotSelection
  },
): Promise<GameObservation[]> {
  const { scope, asOfDate } = options
  const onlyFeatureSnapshots = options.snapshots === 'features'
  const historyDays = onlyFeatureSnapshots
    ? Math.min(options.historyDays, FEATURE_HISTORY_DAYS)
    : options.historyDays
  const rows = await sql`
    select
      g.id,
      g.state,
      g.game_number,
      g.game_name,
      g.ticket_price::float8 as ticket_price,
      g.overall_odds::float8 as overall_odds,
      g.tickets_printed,
      g.launch_date::text as launch_date,
      coalesce(t.tiers, '[]'::json) as tiers,
      coalesce(s.snapshots, '[]'::json) as snapshots
    from public.games g
    left join lateral (
      select json_agg(json_build_object(
        'prize_amount', pt.prize_amount::float8,
        'odds', pt.odds::float8,
        'total_prizes', pt.total_prizes,
        'remaining_prizes', pt.remaining_prizes
      ) order by pt.prize_amount) as tiers
      from public.prize_tiers pt
      where pt.game_id = g.id
    ) t on true
    left join lateral (
      select json_agg(json_build_object(
        'snapshot_date', w.snapshot_date::text,
        'remaining_by_tier', w.remaining_by_tier,
        'top_prizes_remaining', w.top_prizes_remaining
      ) order by w.snapshot_date) as snapshots
      from (
        select hs.snapshot_date, hs.remaining_by_tier, hs.top_prizes_remaining,
          max(hs.snapshot_date) over () as latest,
          lag(hs.snapshot_date) over (order by hs.snapshot_date) as previous
        from public.historical_snapshots hs
        where hs.game_id = g.id
          and hs.snapshot_date <= ${asOfDate}::date
          and hs.snapshot_date > ${asOfDate}::date - ${historyDays}::int
      ) w
      -- The features read the first and the latest snapshot and, per look-back span, the first
      -- one at most that many days before the latest (features.ts, snapshotsFeaturesRead).
      where not ${onlyFeatureSnapshots}::boolean
        or w.previous is null
        or w.snapshot_date = w.latest
        -- A span s starts at this snapshot when previous < latest - s <= snapshot_date.
        or int4range(w.latest - w.snapshot_date, w.latest - w.previous)
          @> any(${[...FEATURE_LOOKBACK_DAYS]}::int[])
    ) s on true
    where g.is_active
      and (${scope.states}::text[] is null or g.state = any(${scope.states}::text[]))
      and (${scope.gameIds}::bigint[] is null or g.id = any(${scope.gameIds}::bigint[]))
    order by g.state, g.id
  `
  return rows.map((row) => toObservation(gameRow.parse(row), asOfDate))
}

function toObservation(row: GameRow, asOfDate: string): GameObservation {
  return {
    game: {
      id: row.id,
      state: row.state,
      gameNumber: row.game_number,
      gameName: row.game_name,
      ticketPrice: row.ticket_price,
      overallOdds: row.overall_odds,
      ticketsPrinted: row.tickets_printed,
      launchDate: row.launch_date,
    },
    tiers: row.tiers.map((tier) => ({
      prizeAmount: tier.prize_amount,
      odds: tier.odds,
      totalPrizes: tier.total_prizes,
      remainingPrizes: tier.remaining_prizes,
    })),
    snapshots: row.snapshots.map((snapshot) => ({
      snapshotDate: snapshot.snapshot_date,
      remainingByTier: snapshot.remaining_by_tier,
      topPrizesRemaining: snapshot.top_prizes_remaining,
    })),
    asOfDate,
  }
}
