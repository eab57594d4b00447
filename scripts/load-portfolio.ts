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
import { type CliValues, parseCli, runMain } from './lib/cli.ts'
import { dbUrl } from './local-stack/config.ts'
import { loadSimulatedPortfolio, type PortfolioLoadOptions } from './seed/portfolio-loader.ts'

const OPTIONS = {
  games: { type: 'string' },
  states: { type: 'string' },
  seed: { type: 'string' },
  publication: { type: 'string' },
  'as-of': { type: 'string' },
  days: { type: 'string' },
  clear: { type: 'string' },
  exact: { type: 'boolean' },
  'with-ended': { type: 'boolean' },
  truth: { type: 'string' },
  'db-url': { type: 'string' },
} as const

type Values = CliValues<typeof OPTIONS>
type StringOption = {
  [K in keyof typeof OPTIONS]: (typeof OPTIONS)[K]['type'] extends 'string' ? K : never
}[keyof typeof OPTIONS]

function oneOf<const T extends string>(
  values: Values,
  name: StringOption,
  allowed: readonly T[],
  fallback: T,
): T {
  const value = values[name] ?? fallback
  const match = allowed.find((candidate) => candidate === value)
  if (match === undefined) throw new Error(`Cannot load: --${name} must be ${allowed.join(' | ')}`)
  return match
}

function positiveInteger(values: Values, name: StringOption, fallback: number): number {
  const value = Number(values[name] ?? fallback)
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`Cannot load: --${name} must be a positive integer`)
  }
  return value
}

async function main(args: string[]): Promise<void> {
  const values = parseCli(args, OPTIONS)
  const states = (values.states ?? 'MN').split(',').map((state) => state.trim())
  const games = positiveInteger(values, 'games', 40)
  const loadOptions: PortfolioLoadOptions = {
    seed: positiveInteger(values, 'seed', 1),
    publication: oneOf(values, 'publication', ['minnesota', 'all_tiers'], 'minnesota'),
    asOfDate: values['as-of'] ?? todayInChicago(),
    historyDays: positiveInteger(values, 'days', 90),
    states,
    activeGamesPerState: Math.ceil(games / states.length),
    exactActiveGames: values.exact === true,
    includeEndedGames: values['with-ended'] === true,
    clear: oneOf(values, 'clear', ['none', 'states', 'all'], 'none'),
    truth: oneOf(values, 'truth', ['as_of_date', 'history', 'none'], 'as_of_date'),
  }

  const sql = postgres(values['db-url'] ?? dbUrl, { max: 1, onnotice: () => {} })
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
}

await runMain(import.meta.url, main)
