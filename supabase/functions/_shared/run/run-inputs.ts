/**
 * Reads everything a scoring run needs in ONE round trip: the games in scope, each with its prize
 * tiers and its recent snapshots aggregated in SQL, validated with zod and turned into
 * {@link GameObservation}s.
 *
 * A run for date d uses only what was known on d:
 * - each tier's remaining count is the one of the game's latest snapshot on or before d (a tier
 *   that snapshot does not list was not published that day); only a game with no snapshot on or
 *   before d falls back to its `prize_tiers` counts, and only if they were written on or before
 *   d (Chicago time);
 * - the history is the snapshots up to and including d;
 * - the games are those on sale on d: active games, and games no longer active whose sale
 *   covered d (launch_date <= d <= end_date). Games requested by id are read whatever their
 *   dates; any game not on sale on d (launched after d, last day on sale before d, or inactive
 *   with no end date) is skipped with the reason `not_launched` or `ended`;
 * - a game that publishes remaining counts but had published none on or before d is skipped
 *   (`no_counts_on_date`): nothing would distinguish its day d from its launch.
 */
import type { Sql } from 'postgres'
import { z } from 'zod'
import { FEATURE_HISTORY_DAYS, FEATURE_LOOKBACK_DAYS } from '../scoring/features.ts'
import { arrayLiteral } from './pg-array.ts'
import type { SkippedGame } from '../scoring/scoring-pipeline.ts'
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
  end_date: z.string().nullable(),
  is_active: z.boolean(),
  // Whether the tier counts of the run's date are known: from a snapshot on or before it, or
  // from tier rows written by then.
  counts_known: z.boolean(),
  publishes_counts: z.boolean(),
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
   * Called with a game that cannot be scored for `asOfDate`, which is then left out: a row that
   * fails validation (`invalid_row`), a game not on sale that day (`not_launched`, `ended`) or
   * with no published counts by then (`no_counts_on_date`). Without it, an invalid row stops
   * the read with an error and the other games are left out silently.
   */
  onSkip?: (skipped: SkippedGame) => void
}

/** What the read found in scope: every game it returned, scorable or not. */
export interface RunInputsSummary {
  states: Set<string>
  gameIds: Set<number>
}

/** `where` condition of the games a run for `asOfDate` reads (see the module comment). */
function inScope(sql: Sql, scope: RunScope, asOfDate: string) {
  const states = scope.states === null ? null : arrayLiteral(scope.states)
  const gameIds = scope.gameIds === null ? null : arrayLiteral(scope.gameIds)
  return sql`
    (${states}::text[] is null or state = any(${states}::text[]))
    and (${gameIds}::bigint[] is null or id = any(${gameIds}::bigint[]))
    -- Active games and games asked for by id (the caller skips those not on sale that day),
    -- and games that left sale since but were on sale that day.
    and (
      is_active
      or ${gameIds}::bigint[] is not null
      or (end_date >= ${asOfDate}::date
        and (launch_date is null or launch_date <= ${asOfDate}::date))
    )`
}

/**
 * How many games a run of this scope for `asOfDate` would read: one cheap count that admits the
 * run by size before its read (see admission.ts).
 */
export async function countRunInputs(
  sql: Sql,
  scope: RunScope,
  asOfDate: string,
): Promise<number> {
  const [row] = await sql<{ games: number }[]>`
    select count(*)::int as games from public.games where ${inScope(sql, scope, asOfDate)}`
  return row?.games ?? 0
}

/**
 * Games in scope on sale on `asOfDate` with their tiers as of that day and the snapshots of the
 * `historyDays` days up to and including it, oldest first (with `snapshots: 'features'`, of
 * those only the ones the features read). See the module comment for what "as of" means.
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
 * order), so the caller works while Postgres produces the rest. A game that cannot be scored goes
 * to `onSkip`; without it, an invalid row stops the visits like an error thrown by `visit`
 * (thrown once the query has ended). Resolves with what the read found in scope.
 */
export async function forEachRunInput(
  sql: Sql,
  options: RunInputsQuery,
  visit: (observation: GameObservation) => void,
): Promise<RunInputsSummary> {
  const { scope, asOfDate } = options
  const onlyFeatureSnapshots = options.snapshots === 'features'
  const historyDays = onlyFeatureSnapshots
    ? Math.min(options.historyDays, FEATURE_HISTORY_DAYS)
    : options.historyDays
  const found: RunInputsSummary = { states: new Set(), gameIds: new Set() }
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
      g.end_date::text as end_date,
      g.is_active,
      counts.snapshot_date is not null
        or (t.written_on is not null and t.written_on <= ${asOfDate}::date) as counts_known,
      coalesce(t.publishes_counts, false) as publishes_counts,
      coalesce(t.tiers, '[]'::json) as tiers,
      coalesce(s.snapshots, '[]'::json) as snapshots
    -- The games sorted first, so rows leave in order as each is built (no sort of the result
    -- at the end): the caller works on the first games while Postgres builds the others.
    from (
      select *
      from public.games
      where ${inScope(sql, scope, asOfDate)}
      order by state, id
    ) g
    -- The snapshot whose counts were the published ones on the run's date.
    left join lateral (
      select hs.snapshot_date, hs.remaining_by_tier
      from public.historical_snapshots hs
      where hs.game_id = g.id and hs.snapshot_date <= ${asOfDate}::date
      order by hs.snapshot_date desc
      limit 1
    ) counts on true
    -- Tiers as JSON arrays of values (TierRow), their remaining counts as of the run's date;
    -- and when the tier rows were last written (Chicago day), and whether any publishes a count.
    left join lateral (
      select
        json_agg(
          json_build_array(pt.prize_amount::float8, pt.odds::float8, pt.total_prizes,
            case
              when counts.snapshot_date is not null
                then counts.remaining_by_tier -> trim_scale(pt.prize_amount)::text
              when pt.written_on <= ${asOfDate}::date then to_jsonb(pt.remaining_prizes)
            end)
          order by pt.prize_amount
        ) as tiers,
        max(pt.written_on) as written_on,
        bool_or(pt.remaining_prizes is not null) as publishes_counts
      from (
        select prize_amount, odds, total_prizes, remaining_prizes,
          max((updated_at at time zone 'America/Chicago')::date) over () as written_on
        from public.prize_tiers
        where game_id = g.id
      ) pt
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
    found.states.add(String(row.state))
    found.gameIds.add(Number(row.id))
    if (failure !== null) return
    try {
      const parsed = gameRow.safeParse(row)
      if (!parsed.success) {
        if (!options.onSkip) throw parsed.error
        options.onSkip({
          game_id: Number(row.id),
          reason: 'invalid_row',
          message: invalidRowMessage(parsed.error),
        })
        return
      }
      const notScorable = dateSkip(parsed.data, asOfDate)
      if (notScorable === null) visit(toObservation(parsed.data, asOfDate))
      else options.onSkip?.(notScorable)
    } catch (error) {
      failure = { error }
    }
  })
  if (failure !== null) throw (failure as { error: unknown }).error
  return found
}

/** Why a game cannot be scored for `asOfDate` from what was known that day, or null. */
export function dateSkip(row: GameRow, asOfDate: string): SkippedGame | null {
  const skip = (reason: string, message: string) => ({ game_id: row.id, reason, message })
  if (row.launch_date !== null && row.launch_date > asOfDate) {
    return skip(
      'not_launched',
      `Not on sale on ${asOfDate}: the game went on sale on ${row.launch_date}`,
    )
  }
  if (row.end_date !== null && row.end_date < asOfDate) {
    return skip('ended', `Not on sale on ${asOfDate}: its last day on sale was ${row.end_date}`)
  }
  if (!row.is_active && row.end_date === null) {
    return skip('ended', `Not on sale on ${asOfDate}: the game is inactive, with no end date`)
  }
  if (row.publishes_counts && !row.counts_known) {
    return skip(
      'no_counts_on_date',
      `No remaining prize counts of this game were published on or before ${asOfDate}`,
    )
  }
  return null
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
