/**
 * Reads everything a scoring run needs in ONE round trip: the active games in scope, each with
 * its prize tiers and its recent snapshots aggregated in SQL, validated with zod and turned into
 * {@link GameObservation}s.
 */
import type { Sql } from 'postgres'
import { z } from 'zod'
import { FEATURE_HISTORY_DAYS, FEATURE_LOOKBACK_DAYS } from '../scoring/features.ts'
import { arrayLiteral } from './pg-array.ts'
import type { GameObservation } from '../scoring/types.ts'

/** What a run scores: null means "all". */
export interface RunScope {
  states: string[] | null
  gameIds: number[] | null
}

/**
 * A prize tier as the read returns it: `[prize_amount, odds, total_prizes, remaining_prizes]`.
 * Tiers and snapshots travel as JSON arrays, not objects: without a key name per value the read
 * is 60% fewer bytes for the function to receive, decode and parse (at 5,000 games, 7.5 MB to 3).
 */
type TierRow = [number, number | null, number, number | null]

/** A snapshot as the read returns it: `[snapshot_date, remaining_by_tier, top_prizes_remaining]`. */
type SnapshotRow = [string, Record<string, number>, number | null]

const isNumber = (value: unknown): value is number => typeof value === 'number'
const isCountOrNull = (value: unknown) => value === null || Number.isInteger(value)

function isTierRow(value: unknown): value is TierRow {
  if (!Array.isArray(value) || value.length !== 4) return false
  const [prizeAmount, odds, totalPrizes, remainingPrizes] = value
  return isNumber(prizeAmount) && (odds === null || isNumber(odds)) &&
    Number.isInteger(totalPrizes) && isCountOrNull(remainingPrizes)
}

/** `remaining_by_tier`: a JSON object of counts. */
function isCountsObject(value: unknown): value is Record<string, number> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  for (const key in value) {
    if (!isNumber((value as Record<string, unknown>)[key])) return false
  }
  return true
}

function isSnapshotRow(value: unknown): value is SnapshotRow {
  if (!Array.isArray(value) || value.length !== 3) return false
  const [snapshotDate, remainingByTier, topPrizesRemaining] = value
  return typeof snapshotDate === 'string' && isCountsObject(remainingByTier) &&
    isCountOrNull(topPrizesRemaining)
}

/**
 * A game's tiers and snapshots are checked by predicates: `z.object` per tier and snapshot (and
 * `z.record` per count, ~2 µs an entry) cost a third of a cold 5,000-game read and copied every
 * one of its 60,000 tiers and 20,000 snapshots.
 */
const tierRows = z.custom<TierRow[]>(
  (value) => Array.isArray(value) && value.every(isTierRow),
  'must be prize tiers [prize_amount, odds, total_prizes, remaining_prizes]',
)
const snapshotRows = z.custom<SnapshotRow[]>(
  (value) => Array.isArray(value) && value.every(isSnapshotRow),
  'must be snapshots [snapshot_date, remaining_by_tier counts, top_prizes_remaining]',
)

const gameRow = z.object({
  id: z.coerce.number().int(),
  state: z.string(),
  game_number: z.string(),
  game_name: z.string(),
  ticket_price: z.number(),
  overall_odds: z.number(),
  tickets_printed: z.coerce.number().nullable(),
  launch_date: z.string().nullable(),
  tiers: tierRows,
  snapshots: snapshotRows,
})

/** A row read from the database; invalid rows are reported, not thrown. */
export type GameRow = z.infer<typeof gameRow>

/**
 * Which snapshots to read: every day of the window (`all`), or only those the features read
 * (`features`: `snapshotsFeaturesRead` of features.ts, the same rule in SQL), which scores the
 * same from a few snapshots per game instead of a month of them.
 */
export type SnapshotSelection = 'all' | 'features'

/** What {@link readRunInputs} reads. */
export interface RunInputsQuery {
  scope: RunScope
  asOfDate: string
  historyDays: number
  snapshots?: SnapshotSelection
  /**
   * Called with a row that fails validation (its game id and what is wrong), which is then left
   * out; without it, such a row stops the read with an error.
   */
  onInvalidRow?: (gameId: number, message: string) => void
}

/**
 * Active games in scope with their tiers and the snapshots of the `historyDays` days up to and
 * including `asOfDate`, oldest first (with `snapshots: 'features'`, of those only the ones the
 * features read). Games in `gameIds` that are inactive are not returned.
 */
export async function readRunInputs(
  sql: Sql,
  options: RunInputsQuery,
): Promise<GameObservation[]> {
  const observations: GameObservation[] = []
  await forEachRunInput(sql, options, (observation) => observations.push(observation))
  return observations
}

/**
 * The same read, one query, handing each game to `visit` as its row arrives (in state, id
 * order), so the caller works while Postgres produces the rest. A row that fails validation
 * goes to `onInvalidRow` (or, without it, stops the visits like an error thrown by `visit`,
 * thrown once the query has ended).
 */
export async function forEachRunInput(
  sql: Sql,
  options: RunInputsQuery,
  visit: (observation: GameObservation) => void,
): Promise<void> {
  const { scope, asOfDate } = options
  const onlyFeatureSnapshots = options.snapshots === 'features'
  const historyDays = onlyFeatureSnapshots
    ? Math.min(options.historyDays, FEATURE_HISTORY_DAYS)
    : options.historyDays
  const states = scope.states === null ? null : arrayLiteral(scope.states)
  const gameIds = scope.gameIds === null ? null : arrayLiteral(scope.gameIds)
  let failure: { error: unknown } | null = null
  await sql`
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
    -- The games sorted first, so rows leave in order as each is built (no sort of the result
    -- at the end): the caller works on the first games while Postgres builds the others.
    from (
      select *
      from public.games
      where is_active
        and (${states}::text[] is null or state = any(${states}::text[]))
        and (${gameIds}::bigint[] is null or id = any(${gameIds}::bigint[]))
      order by state, id
    ) g
    -- Tiers and snapshots as JSON arrays of values (TierRow, SnapshotRow), not objects.
    left join lateral (
      select json_agg(
          json_build_array(pt.prize_amount::float8, pt.odds::float8, pt.total_prizes,
            pt.remaining_prizes)
          order by pt.prize_amount
        ) as tiers
      from public.prize_tiers pt
      where pt.game_id = g.id
    ) t on true
    left join lateral (
      select json_agg(
          json_build_array(snapshot.snapshot_date::text, snapshot.remaining_by_tier,
            snapshot.top_prizes_remaining)
          order by snapshot.snapshot_date
        ) as snapshots
      from (
        select w.snapshot_date, w.remaining_by_tier, w.top_prizes_remaining
        from (
          select hs.snapshot_date, hs.remaining_by_tier, hs.top_prizes_remaining,
            max(hs.snapshot_date) over () as latest,
            lag(hs.snapshot_date) over (order by hs.snapshot_date) as previous
          from public.historical_snapshots hs
          where hs.game_id = g.id
            and hs.snapshot_date <= ${asOfDate}::date
            and hs.snapshot_date > ${asOfDate}::date - ${historyDays}::int
        ) w
        -- The features read the first and the latest snapshot and, per look-back span, the
        -- first one at most that many days before the latest (snapshotsFeaturesRead).
        where not ${onlyFeatureSnapshots}::boolean
          or w.previous is null
          or w.snapshot_date = w.latest
          -- A span s starts at this snapshot when previous < latest - s <= snapshot_date.
          or int4range(w.latest - w.snapshot_date, w.latest - w.previous)
            @> any(${arrayLiteral(FEATURE_LOOKBACK_DAYS)}::int[])
      ) snapshot
    ) s on true
    order by g.state, g.id
  `.forEach((row) => {
    if (failure !== null) return
    try {
      const parsed = gameRow.safeParse(row)
      if (parsed.success) visit(toObservation(parsed.data, asOfDate))
      else if (options.onInvalidRow) {
        options.onInvalidRow(Number(row.id), invalidRowMessage(parsed.error))
      } else throw parsed.error
    } catch (error) {
      failure = { error }
    }
  })
  if (failure !== null) throw (failure as { error: unknown }).error
}

/** What is wrong with a row, field by field. */
function invalidRowMessage(error: z.ZodError): string {
  const problems = error.issues.map((issue) => `${issue.path.join('.') || 'row'}: ${issue.message}`)
  return `Cannot score the game: its data is invalid (${problems.join('; ')})`
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
    tiers: row.tiers.map(([prizeAmount, odds, totalPrizes, remainingPrizes]) => ({
      prizeAmount,
      odds,
      totalPrizes,
      remainingPrizes,
    })),
    snapshots: row.snapshots.map(([snapshotDate, remainingByTier, topPrizesRemaining]) => ({
      snapshotDate,
      remainingByTier,
      topPrizesRemaining,
    })),
    asOfDate,
  }
}
