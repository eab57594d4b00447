/**
 * Loads a simulated portfolio into a database (default: the local stack), as of today in
 * America/Chicago unless told otherwise. Progress on stderr; the result as JSON on stdout.
 *
 *   npx tsx scripts/load-portfolio.ts [--games 5000] [--states MN,WI] [--seed 1]
 *     [--publication minnesota|all_tiers] [--as-of YYYY-MM-DD] [--days 90]
 *     [--clear none|states|all] [--exact] [--with-ended] [--truth as_of_date|history|none]
 *     [--db-url postgresql://...]
 *
 * `--games` is the number of active games over all states (split evenly).
 */
import postgres from 'postgres'
import { todayInChicago } from '../supabase/functions/_shared/http/request.ts'
import { flag, option } from './lib/cli.ts'
import { dbUrl } from './local-stack/config.ts'
import { loadSimulatedPortfolio, type PortfolioLoadOptions } from './seed/portfolio-loader.ts'

const args = process.argv.slice(2)

function oneOf<const T extends string>(name: string, allowed: readonly T[], fallback: T): T {
  const value = option(args, name) ?? fallback
  const match = allowed.find((candidate) => candidate === value)
  if (match === undefined) throw new Error(`Cannot load: --${name} must be ${allowed.join(' | ')}`)
  return match
}

function positiveInteger(name: string, fallback: number): number {
  const value = Number(option(args, name) ?? fallback)
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`Cannot load: --${name} must be a positive integer`)
  }
  return value
}

const states = (option(args, 'states') ?? 'MN').split(',').map((state) => state.trim())
const games = positiveInteger('games', 40)
const loadOptions: PortfolioLoadOptions = {
  seed: positiveInteger('seed', 1),
  publication: oneOf('publication', ['minnesota', 'all_tiers'], 'minnesota'),
  asOfDate: option(args, 'as-of') ?? todayInChicago(),
  historyDays: positiveInteger('days', 90),
  states,
  activeGamesPerState: Math.ceil(games / states.length),
  exactActiveGames: flag(args, 'exact'),
  includeEndedGames: flag(args, 'with-ended'),
  clear: oneOf('clear', ['none', 'states', 'all'], 'none'),
  truth: oneOf('truth', ['as_of_date', 'history', 'none'], 'as_of_date'),
}

const sql = postgres(option(args, 'db-url') ?? dbUrl, { max: 1, onnotice: () => {} })
try {
  const result = await loadSimulatedPortfolio(sql, loadOptions)
  console.log(JSON.stringify({
    games: result.gameIds.length,
    activeGames: result.activeGameIds.length,
    firstGameId: result.gameIds[0] ?? null,
    lastGameId: result.gameIds.at(-1) ?? null,
    prizeTiers: result.prizeTiers,
    snapshots: result.snapshots,
    truthRows: result.truthRows,
    asOfDate: result.asOfDate,
    elapsedMs: result.elapsedMs,
  }))
} finally {
  await sql.end()
}
