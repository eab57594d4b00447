/**
 * Loads simulated scratch-game portfolios into the app's tables (`games`, `prize_tiers`,
 * `historical_snapshots`) as the lottery would have published them up to an as-of date, fast:
 * games are simulated one at a time and written with COPY in chunks, while Postgres ingests the
 * previous chunk, all in one transaction.
 *
 * The hidden truth goes to `simulation.game_truth`, which the loader creates itself: it is not
 * part of the app's schema (not in `supabase/migrations/`), the API roles get no access to it,
 * and its rows go with their game (`on delete cascade`).
 */
import { finished } from 'node:stream/promises'
import { setImmediate as nextTurn } from 'node:timers/promises'
import type { Sql, TransactionSql } from 'postgres'
import { addDays } from '../../supabase/functions/_shared/scoring/calendar.ts'
import { type GameTruth, gameTruth } from '../market-sim/observations.ts'
import {
  type PublicationRule,
  type SimulatedGame,
  simulatedGames,
} from '../market-sim/simulator.ts'
import { tierKey } from '../../supabase/functions/_shared/scoring/types.ts'
import type { WorldParameters } from '../market-sim/world.ts'
import { type HistoryWindow, type LoadedSpan, loadedSpan } from './portfolio-rows.ts'
import { progress } from '../lib/progress.ts'

/** What to simulate and load. */
export interface PortfolioLoadOptions {
  /** Simulator seed; state `i` of {@link states} is simulated with seed `seed + i`. */
  seed: number
  publication: PublicationRule
  /** The day the database is "as of" (YYYY-MM-DD): the last snapshot date of active games. */
  asOfDate: string
  /** Snapshot days up to and including {@link asOfDate}; default 90. */
  historyDays?: number
  /** Two-letter state codes, one simulated portfolio each; default `['MN']`. */
  states?: string[]
  /**
   * Games on sale per state on a typical day (the simulator's target); default 40. The count on
   * the as-of day varies by a few percent unless {@link exactActiveGames} is set.
   */
  activeGamesPerState?: number
  /**
   * Load exactly {@link activeGamesPerState} active games per state: simulates a few percent
   * more and stops at the count, leaving out the newest launches (a progress line says so if a
   * state still falls short).
   */
  exactActiveGames?: boolean
  /** Id of the first game; default one above the largest id in `games` (after clearing). */
  firstGameId?: number
  /** Also load games that left sale within the history window, inactive; default false. */
  includeEndedGames?: boolean
  /**
   * What to remove first: `states` deletes the games of {@link states}; `all` truncates
   * `games` and everything referencing it (tiers, snapshots, predictions, truth). Default none.
   */
  clear?: 'none' | 'states' | 'all'
  /** Which truth rows to write: as-of day only (default), every loaded day, or none. */
  truth?: TruthRows
  /** Whether `games.tickets_printed` is published; default only under `all_tiers`. */
  publishTicketsPrinted?: boolean
  /** How the states' lotteries and players behave; default the base world. */
  world?: WorldParameters
  /** Games per COPY chunk; default 500. */
  chunkGames?: number
  /** Run ANALYZE on the loaded tables afterwards, so the scorer's plans fit; default true. */
  analyze?: boolean
  /** Progress lines; default {@link progress} on stderr. */
  onProgress?: (message: string) => void
}

/** Which days of hidden truth to keep: the last loaded day of each game, every day, none. */
export type TruthRows = 'as_of_date' | 'history' | 'none'

/** What a load wrote. */
export interface PortfolioLoadResult {
  /** Ids of every inserted game, ascending. */
  gameIds: number[]
  /** Ids of the inserted games on sale on the as-of date (`is_active`), ascending. */
  activeGameIds: number[]
  prizeTiers: number
  snapshots: number
  truthRows: number
  asOfDate: string
  elapsedMs: number
}

/** How to write already simulated games (see {@link loadSimulatedGames}). */
export interface GamesLoadOptions {
  /** Day index of the as-of day, counted from the games' start date. */
  asOfDay: number
  /** Its date, reported when no game is loaded; otherwise taken from the games. */
  asOfDate?: string
  historyDays?: number
  includeEndedGames?: boolean
  truth?: TruthRows
  /** Stop after this many active games. */
  activeGamesLimit?: number
  chunkGames?: number
  analyze?: boolean
  onProgress?: (message: string) => void
}

/** The schema and table of the hidden truth: outside `public`, never exposed to API roles. */
export const TRUTH_TABLE = 'simulation.game_truth'

const DEFAULT_HISTORY_DAYS = 90
const DEFAULT_ACTIVE_GAMES = 40
const DEFAULT_CHUNK_GAMES = 500
/**
 * Extra games simulated when an exact active count is wanted: the count on a given day runs a
 * few percent either side of the simulator's target, more so for small portfolios.
 */
const EXACT_COUNT_MARGIN = 0.06
const EXACT_COUNT_SLACK = 8

const GAME_COLUMNS = [
  'id',
  'state',
  'game_number',
  'game_name',
  'ticket_price',
  'overall_odds',
  'tickets_printed',
  'launch_date',
  'end_date',
  'is_active',
  'last_scraped_at',
]
const TIER_COLUMNS = ['game_id', 'prize_amount', 'odds', 'total_prizes', 'remaining_prizes']
const SNAPSHOT_COLUMNS = ['game_id', 'snapshot_date', 'remaining_by_tier', 'top_prizes_remaining']
const TRUTH_COLUMNS = [
  'game_id',
  'truth_date',
  'tickets_printed',
  'unsold_tickets',
  'fraction_sold',
  'true_return_per_dollar',
  'unsold_prizes_by_tier',
]

/**
 * Simulates one portfolio per state and loads it as of `asOfDate`, in one transaction: active
 * games with their tiers (remaining counts as published on that day, NULL where unpublished),
 * their snapshots of the last `historyDays` days, and the truth in {@link TRUTH_TABLE}.
 * Each portfolio's observed span is exactly the history window, so a one-state load holds the
 * games of `simulatePortfolio({ seed, publication, startDate: asOfDate − (historyDays − 1),
 * days: historyDays, state, activeGames, firstGameId, world })`.
 */
export async function loadSimulatedPortfolio(
  sql: Sql,
  options: PortfolioLoadOptions,
): Promise<PortfolioLoadResult> {
  const states = options.states ?? ['MN']
  const invalid = states.find((state) => !/^[A-Z]{2}$/.test(state))
  if (invalid !== undefined) {
    throw new Error(`Cannot load a portfolio: state ${invalid} is not a two-letter code`)
  }
  const historyDays = options.historyDays ?? DEFAULT_HISTORY_DAYS
  const startDate = addDays(options.asOfDate, -(historyDays - 1))
  const perState = options.activeGamesPerState ?? DEFAULT_ACTIVE_GAMES
  const target = options.exactActiveGames
    ? Math.ceil(perState * (1 + EXACT_COUNT_MARGIN)) + EXACT_COUNT_SLACK
    : perState
  return await loadInTransaction(sql, {
    asOfDay: historyDays - 1,
    asOfDate: options.asOfDate,
    historyDays,
    includeEndedGames: options.includeEndedGames,
    truth: options.truth,
    activeGamesLimit: options.exactActiveGames ? perState * states.length : undefined,
    chunkGames: options.chunkGames,
    analyze: options.analyze,
    onProgress: options.onProgress,
  }, async (tx) => {
    if (options.clear === 'all') {
      await tx`truncate public.games restart identity cascade`
    } else if (options.clear === 'states') {
      await tx`delete from public.games where state = any(${states}::text[])`
    }
    const firstGameId = options.firstGameId ?? await nextFreeGameId(tx)
    return portfolioGames(states, {
      firstGameId,
      perStateLimit: options.exactActiveGames ? perState : Infinity,
      onShortfall: (state, active) =>
        (options.onProgress ?? progress)(
          `only ${active} of the ${perState} active games asked for simulated in ${state}`,
        ),
      asOfDay: historyDays - 1,
      simulation: (state, index, firstId) => ({
        seed: options.seed + index,
        publication: options.publication,
        startDate,
        days: historyDays,
        state,
        activeGames: target,
        firstGameId: firstId,
        publishTicketsPrinted: options.publishTicketsPrinted,
        ...(options.world ? { world: options.world } : {}),
      }),
    })
  })
}

/**
 * Loads games already simulated (e.g. `simulatePortfolio(...).games`) as of day `asOfDay`, in
 * one transaction, keeping their simulator ids. The caller keeps ids and game numbers free.
 */
export async function loadSimulatedGames(
  sql: Sql,
  games: Iterable<SimulatedGame>,
  options: GamesLoadOptions,
): Promise<PortfolioLoadResult> {
  return await loadInTransaction(sql, options, () => Promise.resolve(games))
}

type SimulationOptionsFor = (
  state: string,
  index: number,
  firstGameId: number,
) => Parameters<typeof simulatedGames>[0]

/** The states' games, one portfolio after the other, ids continuing across states. */
function* portfolioGames(
  states: string[],
  plan: {
    firstGameId: number
    perStateLimit: number
    onShortfall: (state: string, active: number) => void
    asOfDay: number
    simulation: SimulationOptionsFor
  },
): Generator<SimulatedGame> {
  let nextId = plan.firstGameId
  for (const [index, state] of states.entries()) {
    let active = 0
    for (const game of simulatedGames(plan.simulation(state, index, nextId))) {
      nextId = game.facts.id + 1
      const isActive = game.firstDay <= plan.asOfDay && game.lastDay >= plan.asOfDay
      if (isActive) active++
      yield game
      if (active >= plan.perStateLimit) break
    }
    if (Number.isFinite(plan.perStateLimit) && active < plan.perStateLimit) {
      plan.onShortfall(state, active)
    }
  }
}

async function nextFreeGameId(tx: TransactionSql): Promise<number> {
  const [row] = await tx<{ next: string }[]>`
    select (coalesce(max(id), 0) + 1)::text as next from public.games`
  return Number(row?.next ?? 1)
}

async function loadInTransaction(
  sql: Sql,
  options: GamesLoadOptions,
  prepare: (tx: TransactionSql) => Promise<Iterable<SimulatedGame>>,
): Promise<PortfolioLoadResult> {
  const started = performance.now()
  const report = options.onProgress ?? progress
  const window: HistoryWindow = {
    asOfDay: options.asOfDay,
    historyDays: options.historyDays ?? DEFAULT_HISTORY_DAYS,
    includeEndedGames: options.includeEndedGames ?? false,
  }
  if (!(window.historyDays >= 1)) {
    throw new Error(`Cannot load games: historyDays must be >= 1, not ${window.historyDays}`)
  }
  const truth = options.truth ?? 'as_of_date'
  const dateOf = rememberedDates()
  const chunkGames = options.chunkGames ?? DEFAULT_CHUNK_GAMES
  const activeLimit = options.activeGamesLimit ?? Infinity
  const result = await sql.begin(async (tx) => {
    if (truth !== 'none') await ensureTruthTable(tx)
    const games = await prepare(tx)
    const taken = await takenGameKeys(tx)
    const loaded = {
      gameIds: [] as number[],
      activeGameIds: [] as number[],
      prizeTiers: 0,
      snapshots: 0,
      truthRows: 0,
      asOfDate: options.asOfDate ?? '',
    }
    let chunk = emptyChunk()
    let writing: Promise<void> = Promise.resolve()
    const flush = async () => {
      await writing
      const full = chunk
      chunk = emptyChunk()
      loaded.truthRows += full.truthRows
      writing = writeChunk(tx, full)
      // Awaited at the next flush; until then a failure must not count as unhandled.
      writing.catch(() => {})
      report(
        `loaded ${loaded.gameIds.length} games (${loaded.activeGameIds.length} active), ` +
          `${loaded.snapshots} snapshots, ${seconds(started)}`,
      )
    }
    try {
      for (const game of games) {
        if (loaded.activeGameIds.length >= activeLimit) break
        const span = loadedSpan(game, window)
        if (span === null) continue
        claimGameKeys(taken, game)
        loaded.asOfDate = dateOf(game.startDate, window.asOfDay)
        const snapshots = addGame(chunk, game, { span, dateOf })
        if (truth === 'as_of_date') addTruth(chunk, gameTruth(game, span.lastLoadedDay))
        if (truth === 'history') {
          for (let day = span.firstLoadedDay; day <= span.lastLoadedDay; day++) {
            addTruth(chunk, gameTruth(game, day))
          }
        }
        loaded.gameIds.push(game.facts.id)
        if (span.isActive) loaded.activeGameIds.push(game.facts.id)
        loaded.prizeTiers += game.tiers.length
        loaded.snapshots += snapshots
        if (chunk.games >= chunkGames) await flush()
        // Let the socket and Postgres's replies through between games: the previous chunk is
        // written while the next one is simulated.
        await nextTurn()
      }
    } catch (error) {
      // Let the COPY in flight finish first: sql.begin can only roll back on an idle connection.
      await writing.catch(() => {})
      throw error
    }
    await flush()
    await writing
    // Later inserts that let the identity pick an id must not collide with the loaded ids.
    await tx`
      select setval(pg_get_serial_sequence('public.games', 'id'), max(id))
      from public.games having max(id) is not null`
    return loaded
  })
  if (options.analyze ?? true) {
    await sql`analyze public.games, public.prize_tiers, public.historical_snapshots`
  }
  const elapsedMs = Math.round(performance.now() - started)
  report(
    `loaded ${result.gameIds.length} games (${result.activeGameIds.length} active), ` +
      `${result.prizeTiers} tiers, ${result.snapshots} snapshots, ${result.truthRows} truth rows ` +
      `as of ${result.asOfDate} in ${seconds(started)}`,
  )
  return { ...result, elapsedMs }
}

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`
}

/** Creates the truth table outside the app's schema, readable only by its owner. */
async function ensureTruthTable(tx: TransactionSql): Promise<void> {
  await tx`create schema if not exists simulation`
  await tx`
    comment on schema simulation is
      'Hidden truth of simulated portfolios (scripts/seed/portfolio-loader.ts); not the app''s'`
  await tx`revoke all on schema simulation from public`
  await tx`
    create table if not exists simulation.game_truth (
      game_id bigint not null references public.games (id) on delete cascade,
      truth_date date not null,
      tickets_printed bigint not null check (tickets_printed > 0),
      unsold_tickets bigint not null check (unsold_tickets >= 0),
      fraction_sold double precision not null,
      -- NULL only if no ticket is left unsold, which the simulator never lets happen.
      true_return_per_dollar double precision,
      unsold_prizes_by_tier jsonb not null,
      primary key (game_id, truth_date)
    )`
  await tx`revoke all on simulation.game_truth from public`
}

interface TakenGameKeys {
  ids: Set<number>
  /** `state/game_number` */
  numbers: Set<string>
}

/**
 * The ids and game numbers already in `games`, checked before COPY: a COPY that fails loses
 * the server's message (porsager/postgres#1173), so the likely conflicts get a clear one.
 */
async function takenGameKeys(tx: TransactionSql): Promise<TakenGameKeys> {
  const rows = await tx<{ id: string; state: string; game_number: string }[]>`
    select id::text as id, state, game_number from public.games`
  return {
    ids: new Set(rows.map((row) => Number(row.id))),
    numbers: new Set(rows.map((row) => `${row.state}/${row.game_number}`)),
  }
}

function claimGameKeys(taken: TakenGameKeys, game: SimulatedGame): void {
  const { facts } = game
  if (taken.ids.has(facts.id)) {
    throw new Error(`Cannot load game ${facts.id}: games already has that id`)
  }
  const key = `${facts.state}/${facts.gameNumber}`
  if (taken.numbers.has(key)) {
    throw new Error(
      `Cannot load game ${facts.id}: ${facts.state} already has game number ${facts.gameNumber}`,
    )
  }
  taken.ids.add(facts.id)
  taken.numbers.add(key)
}

/** One chunk of games as COPY text lines (tab-separated, `\N` for NULL), per table. */
interface CopyChunk {
  games: number
  truthRows: number
  gameLines: string[]
  tierLines: string[]
  snapshotLines: string[]
  truthLines: string[]
}

function emptyChunk(): CopyChunk {
  return { games: 0, truthRows: 0, gameLines: [], tierLines: [], snapshotLines: [], truthLines: [] }
}

/** The ISO date of a day index from a start date. */
type DateOfDay = (startDate: string, day: number) => string

/** {@link addDays} remembered per day: the hot loop writes millions of dates over few days. */
function rememberedDates(): DateOfDay {
  let cachedStartDate = ''
  const dates = new Map<number, string>()
  return (startDate, day) => {
    if (startDate !== cachedStartDate) {
      cachedStartDate = startDate
      dates.clear()
    }
    let date = dates.get(day)
    if (date === undefined) {
      date = addDays(startDate, day)
      dates.set(day, date)
    }
    return date
  }
}

/**
 * The game's rows, read straight from the simulator's arrays: what `observeGame` on the last
 * loaded day shows (tiers, snapshots), without building an object per snapshot. The
 * integration test holds the two equal. Returns the snapshots written (published days only).
 */
function addGame(
  chunk: CopyChunk,
  game: SimulatedGame,
  context: { span: LoadedSpan; dateOf: DateOfDay },
): number {
  const { span, dateOf } = context
  const { facts, tiers, claimedPrizes } = game
  const tierCount = tiers.length
  const lastLoadedDate = dateOf(game.startDate, span.lastLoadedDay)
  // The tiers carry the counts last published: after its end, for an ended game still listed.
  let lastPublishedRow = span.lastSnapshotDay - game.firstDay
  while (lastPublishedRow > 0 && game.published[lastPublishedRow] !== 1) lastPublishedRow--
  chunk.games++
  chunk.gameLines.push(copyLine([
    facts.id,
    facts.state,
    facts.gameNumber,
    facts.gameName,
    facts.ticketPrice,
    facts.overallOdds,
    facts.ticketsPrinted,
    facts.launchDate,
    span.isActive ? null : lastLoadedDate,
    span.isActive ? 't' : 'f',
    `${dateOf(game.startDate, span.lastSnapshotDay)} 06:00:00 America/Chicago`,
  ]))
  const publishedKeys: string[] = []
  const publishedTiers: number[] = []
  tiers.forEach((tier, i) => {
    const remaining = tier.totalPrizes - (claimedPrizes[lastPublishedRow * tierCount + i] ?? 0)
    chunk.tierLines.push(copyLine([
      facts.id,
      tier.prizeAmount,
      tier.odds,
      tier.totalPrizes,
      tier.published ? remaining : null,
    ]))
    if (tier.published) {
      publishedKeys.push(`"${tierKey(tier.prizeAmount)}":`)
      publishedTiers.push(i)
    }
  })
  const topIsPublished = tiers[tierCount - 1]?.published === true
  const prefix = `${facts.id}\t`
  let snapshots = 0
  for (let day = span.firstLoadedDay; day <= span.lastSnapshotDay; day++) {
    const row = day - game.firstDay
    if (game.published[row] !== 1) continue
    let counts = ''
    let top = '\\N'
    publishedTiers.forEach((i, k) => {
      const remaining = (tiers[i]?.totalPrizes ?? 0) - (claimedPrizes[row * tierCount + i] ?? 0)
      counts += `${k === 0 ? '' : ','}${publishedKeys[k]}${remaining}`
      if (topIsPublished && i === tierCount - 1) top = String(remaining)
    })
    chunk.snapshotLines.push(`${prefix}${dateOf(game.startDate, day)}\t{${counts}}\t${top}\n`)
    snapshots++
  }
  return snapshots
}

function addTruth(chunk: CopyChunk, truth: GameTruth): void {
  chunk.truthRows++
  chunk.truthLines.push(copyLine([
    truth.gameId,
    truth.date,
    truth.ticketsPrinted,
    truth.unsoldTickets,
    truth.fractionSold,
    Number.isFinite(truth.trueReturnPerDollar) ? truth.trueReturnPerDollar : null,
    JSON.stringify(truth.unsoldPrizesByTier),
  ]))
}

/** One line of COPY text format. */
function copyLine(values: (string | number | null)[]): string {
  return values.map((value) =>
    value === null ? '\\N' : typeof value === 'number' ? String(value) : escapeCopyText(value)
  ).join('\t') + '\n'
}

function escapeCopyText(text: string): string {
  return text.replace(
    /[\\\t\n\r]/g,
    (char) => char === '\\' ? '\\\\' : char === '\t' ? '\\t' : char === '\n' ? '\\n' : '\\r',
  )
}

/** Writes the chunk's rows, parents first, in the caller's transaction. */
async function writeChunk(tx: TransactionSql, chunk: CopyChunk): Promise<void> {
  await copyInto(tx, 'public.games', GAME_COLUMNS, chunk.gameLines)
  await copyInto(tx, 'public.prize_tiers', TIER_COLUMNS, chunk.tierLines)
  await copyInto(tx, 'public.historical_snapshots', SNAPSHOT_COLUMNS, chunk.snapshotLines)
  await copyInto(tx, TRUTH_TABLE, TRUTH_COLUMNS, chunk.truthLines)
}

/**
 * COPY lines into a table. postgres.js never settles a COPY writable the server rejected after
 * its end (porsager/postgres#1173), so a query is sent right behind the COPY: it completes after
 * the COPY, or fails at once in the aborted transaction, and the load fails instead of hanging.
 */
async function copyInto(
  tx: TransactionSql,
  table: string,
  columns: string[],
  lines: string[],
): Promise<void> {
  if (lines.length === 0) return
  const data = Buffer.from(lines.join(''))
  const stream = await tx.unsafe(`copy ${table} (${columns.join(', ')}) from stdin`).writable()
  let streamError: Error | undefined
  stream.on('error', (error: Error) => {
    streamError = error
  })
  await new Promise<void>((resolve, reject) =>
    stream.write(data, (error) => (error ? reject(error) : resolve()))
  )
  stream.end()
  // The writable hands its end to postgres.js on a later tick; only then may a query follow.
  await nextTurn()
  const probe = tx`select 1`
  try {
    await Promise.race([finished(stream), probe])
    await probe
  } catch (error) {
    const reason = streamError ?? error
    throw new Error(
      `Cannot load simulated games: COPY into ${table} failed (${
        reason instanceof Error ? reason.message : String(reason)
      }); the transaction was rolled back`,
    )
  }
}
