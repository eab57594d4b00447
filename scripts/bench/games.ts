/**
 * Benchmark games: simulated portfolios loaded into the shared local database under state codes
 * of their own (`QA`, `QB`, ...: no US state starts with Q), at most {@link GAMES_PER_STATE}
 * active games per state, and removed afterwards with everything that references them.
 */
import type { Sql } from 'postgres'
import { loadSimulatedPortfolio, type PortfolioLoadResult } from '../seed/portfolio-loader.ts'

/** Active games per benchmark state (a state's portfolio is one per-state request's scope). */
export const GAMES_PER_STATE = 5_000

/** Days of snapshots loaded per game (issue 7: 90). */
export const BENCH_HISTORY_DAYS = 90

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'

/** The benchmark states for `games` active games: `QA`, `QB`, ... */
export function benchStates(games: number): string[] {
  const count = Math.max(1, Math.ceil(games / GAMES_PER_STATE))
  if (count > ALPHABET.length) {
    throw new Error(`Cannot benchmark ${games} games: at most ${ALPHABET.length * GAMES_PER_STATE}`)
  }
  return Array.from({ length: count }, (_, index) => `Q${ALPHABET[index]}`)
}

/** Every state code the benchmark may use (for cleaning up). */
export const ALL_BENCH_STATES = Array.from(ALPHABET, (letter) => `Q${letter}`)

/** Games loaded for one benchmark size. */
export interface BenchGames {
  states: string[]
  activeGames: number
  snapshots: number
  loadMs: number
}

/**
 * Loads exactly `games` active games as of `asOfDate` with {@link BENCH_HISTORY_DAYS} days of
 * snapshots (or `historyDays`), split evenly over {@link benchStates} (or over the first
 * `stateCount` benchmark states), replacing earlier benchmark games.
 */
export async function loadBenchGames(
  sql: Sql,
  options: {
    games: number
    asOfDate: string
    seed?: number
    stateCount?: number
    historyDays?: number
    onProgress?: (line: string) => void
  },
): Promise<BenchGames> {
  await removeBenchGames(sql)
  const states = options.stateCount === undefined
    ? benchStates(options.games)
    : ALL_BENCH_STATES.slice(0, options.stateCount)
  if (states.length === 0 || states.length < (options.stateCount ?? 0)) {
    throw new Error(`Cannot benchmark ${options.stateCount} states: at most ${ALPHABET.length}`)
  }
  const perState = Math.ceil(options.games / states.length)
  const result: PortfolioLoadResult = await loadSimulatedPortfolio(sql, {
    seed: options.seed ?? 7,
    publication: 'minnesota',
    asOfDate: options.asOfDate,
    historyDays: options.historyDays ?? BENCH_HISTORY_DAYS,
    states,
    activeGamesPerState: perState,
    exactActiveGames: true,
    clear: 'states',
    truth: 'none',
    onProgress: options.onProgress,
  })
  // Exact counts per state can overshoot the total by the rounding of `perState`.
  const surplus = result.activeGameIds.slice(options.games)
  if (surplus.length > 0) {
    await sql`delete from public.games where id = any(${surplus}::bigint[])`
  }
  return {
    states,
    activeGames: Math.min(options.games, result.activeGameIds.length),
    snapshots: result.snapshots,
    loadMs: result.elapsedMs,
  }
}

/**
 * Removes every benchmark game (their tiers, snapshots and predictions go with them) and the
 * runs that scored benchmark states.
 */
export async function removeBenchGames(sql: Sql): Promise<void> {
  await sql`delete from public.games where state = any(${ALL_BENCH_STATES}::text[])`
  await sql`
    delete from public.scoring_runs
    where scope ? 'states'
      and exists (
        select 1 from jsonb_array_elements_text(scope -> 'states') as state
        where state = any(${ALL_BENCH_STATES}::text[])
      )`
}
