/**
 * `supabase/seed.sql` as text, from the simulator: a Minnesota-like market (remaining counts
 * published only for tiers >= $500) with 90 days of daily snapshots, and eleven smaller simulated
 * states, so the nightly job fans out over twelve states on the local stack and in the tests.
 * Every date is written as
 * "so many days before the day the seed is loaded" (today in America/Chicago), so the seed is
 * fresh whenever it is loaded while its text stays byte-for-byte the same.
 */
import {
  MINNESOTA_PRIZE_STRUCTURES,
  type RealPrizeStructure,
} from '../market-sim/prize-structures.ts'
import { addDays, daysBetween } from '../../supabase/functions/_shared/scoring/calendar.ts'
import {
  type PortfolioOptions,
  type SimulatedGame,
  simulatedGames,
} from '../market-sim/simulator.ts'
import { type GameRowsAsOf, gameRowsAsOf } from './portfolio-rows.ts'

/**
 * The Minnesota market behind the seed. Its start date only fixes the weekday pattern of sales;
 * the loaded dates are relative to the load day. The seed is not a held-out or training seed.
 */
export const SEED_PORTFOLIO: PortfolioOptions = {
  seed: 20_261_127,
  publication: 'minnesota',
  state: 'MN',
  startDate: '2026-01-01',
  days: 90,
  activeGames: 40,
  // Real tables as printed: the seed names real Minnesota games, so their odds must be theirs.
  structures: 'real',
}

/** The seed must hold at least this many Minnesota games on sale on the load day. */
export const SEED_MINIMUM_ACTIVE_GAMES = 30

const AS_OF_DAY = SEED_PORTFOLIO.days - 1

/** The simulated day that becomes "today" when the seed is loaded. */
export const SEED_AS_OF_DATE = addDays(SEED_PORTFOLIO.startDate, AS_OF_DAY)

/**
 * The other states of the seed, so the nightly job fans out for real (one request per state):
 * small simulated markets on prize tables drawn from Minnesota's and varied (the simulator's
 * `perturbed` structures), alternately publishing every tier's remaining count and only tiers of
 * $500 and up, each with the snapshots of the features' 35 days, as of the same day as Minnesota.
 */
export const SEED_OTHER_STATES = [
  'WI',
  'IA',
  'ND',
  'SD',
  'IL',
  'MI',
  'NE',
  'MO',
  'KS',
  'OH',
  'IN',
] as const

/** Active games of each other state on a typical day, and its days of snapshots. */
const OTHER_STATE_ACTIVE_GAMES = 6
const OTHER_STATE_DAYS = 35

/** Every state of the seed, Minnesota first. */
export const SEED_STATES: readonly string[] = ['MN', ...SEED_OTHER_STATES]

/** The simulated market of one seeded state. */
export function seedPortfolio(state: string): PortfolioOptions {
  if (state === 'MN') return SEED_PORTFOLIO
  const index = SEED_OTHER_STATES.indexOf(state as (typeof SEED_OTHER_STATES)[number])
  if (index < 0) throw new Error(`Cannot seed ${state}: not one of ${SEED_STATES.join(', ')}`)
  return {
    seed: SEED_PORTFOLIO.seed + 1 + index,
    publication: index % 2 === 0 ? 'all_tiers' : 'minnesota',
    state,
    startDate: addDays(SEED_AS_OF_DATE, 1 - OTHER_STATE_DAYS),
    days: OTHER_STATE_DAYS,
    activeGames: OTHER_STATE_ACTIVE_GAMES,
    structures: 'perturbed',
  }
}

/** One seeded game: its rows and the identity it gets in the seed. */
export interface SeedGame {
  /** The game's rows, facts renamed to the seed's game number and name. */
  rows: GameRowsAsOf
  /** The simulator's own game id, for matching the seed with the simulation. */
  simulatedId: number
}

/**
 * The seed's games of every state: on sale on the last simulated day, plus those that left sale
 * within the window (inactive). Minnesota's are on real tables as printed: each keeps its real
 * name and number when it is the first game on that table; the others, and every game of the
 * other states, get a synthetic `SIM-nnn` number.
 */
export function seedGames(): SeedGame[] {
  const games = SEED_STATES.flatMap((state) => stateSeedGames(seedPortfolio(state)))
  const active = games.filter((game) => game.rows.isActive && game.rows.facts.state === 'MN')
  if (active.length < SEED_MINIMUM_ACTIVE_GAMES) {
    const minimum = SEED_MINIMUM_ACTIVE_GAMES
    throw new Error(
      `Cannot generate the seed: ${active.length} active Minnesota games, at least ${minimum} needed`,
    )
  }
  for (const state of SEED_STATES) {
    if (!games.some((game) => game.rows.isActive && game.rows.facts.state === state)) {
      throw new Error(`Cannot generate the seed: ${state} has no active game`)
    }
  }
  return games
}

function stateSeedGames(portfolio: PortfolioOptions): SeedGame[] {
  const window = {
    asOfDay: portfolio.days - 1,
    historyDays: portfolio.days,
    includeEndedGames: true,
  }
  const usedNumbers = new Set<string>()
  const games: SeedGame[] = []
  for (const game of simulatedGames(portfolio)) {
    const rows = gameRowsAsOf(game, window)
    if (rows === null) continue
    const gameNumber = seedGameNumber(game, portfolio, usedNumbers)
    usedNumbers.add(gameNumber)
    games.push({
      rows: { ...rows, facts: { ...rows.facts, gameNumber } },
      simulatedId: game.facts.id,
    })
  }
  return games
}

/** The real structure a simulated game was drawn from, when its name is a real game's. */
function sourceStructure(game: SimulatedGame): RealPrizeStructure | undefined {
  return MINNESOTA_PRIZE_STRUCTURES.find((source) => source.gameName === game.facts.gameName)
}

function seedGameNumber(
  game: SimulatedGame,
  portfolio: PortfolioOptions,
  usedNumbers: Set<string>,
): string {
  const source = portfolio.structures === 'real' ? sourceStructure(game) : undefined
  const realNumber = source?.ticketPrice === game.facts.ticketPrice ? source.gameNumber : null
  if (realNumber !== null && !usedNumbers.has(realNumber)) return realNumber
  return `SIM-${String(game.facts.id).padStart(3, '0')}`
}

/** Text of `supabase/seed.sql`. */
export function renderSeedSql(): string {
  const games = seedGames()
  const daysAgo = (date: string) => daysBetween(date, SEED_AS_OF_DATE)
  const minnesota = games.filter((game) => game.rows.facts.state === 'MN')
  const others = games.filter((game) => game.rows.facts.state !== 'MN')
  const count = (list: SeedGame[], active: boolean) =>
    list.filter((game) => game.rows.isActive === active).length
  const realNumbers = games.filter((game) => !game.rows.facts.gameNumber.startsWith('SIM-'))
  const snapshotCount = games.reduce((sum, game) => sum + game.rows.snapshots.length, 0)
  const { seed, days } = SEED_PORTFOLIO
  const otherPortfolios = SEED_OTHER_STATES.map(seedPortfolio)
  const publishing = (rule: PortfolioOptions['publication']) =>
    otherPortfolios.filter((portfolio) => portfolio.publication === rule).map((p) => p.state)

  const gameValues = games.map(({ rows }) =>
    values([
      text(rows.facts.state),
      text(rows.facts.gameNumber),
      text(rows.facts.gameName),
      rows.facts.ticketPrice,
      rows.facts.overallOdds,
      rows.facts.ticketsPrinted,
      rows.facts.launchDate === null ? null : daysAgo(rows.facts.launchDate),
      rows.endDate === null ? null : daysAgo(rows.endDate),
      rows.isActive ? 'true' : 'false',
      daysAgo(rows.lastLoadedDate),
    ])
  )
  const tierValues = games.flatMap(({ rows }) =>
    rows.tiers.map((tier) =>
      values([
        text(rows.facts.state),
        text(rows.facts.gameNumber),
        tier.prizeAmount,
        tier.odds,
        tier.totalPrizes,
        tier.remainingPrizes,
      ])
    )
  )
  const snapshotValues = games.flatMap(({ rows }) =>
    rows.snapshots.map((snapshot) =>
      values([
        text(rows.facts.state),
        text(rows.facts.gameNumber),
        daysAgo(snapshot.snapshotDate),
        text(JSON.stringify(snapshot.remainingByTier)),
        snapshot.topPrizesRemaining,
      ])
    )
  )

  return `-- Seed data: a simulated Minnesota-like scratch market, and ${SEED_OTHER_STATES.length} smaller simulated states
-- so that the nightly job fans out over ${SEED_STATES.length} states (one request per state).
--
-- GENERATED by \`npm run seed:generate\` (scripts/generate-seed.ts, scripts/seed/seed-sql.ts);
-- do not edit by hand (scripts/generate-seed.test.ts checks it equals a fresh generation).
--
-- Contents: ${games.length} games, ${tierValues.length} prize tiers, ${snapshotCount} daily snapshots.
-- MN: ${count(minnesota, true)} games on sale and ${
    count(minnesota, false)
  } that left sale within the last
-- ${days} days (inactive), 90 days of snapshots. Remaining counts are published only for tiers
-- >= $500, as Minnesota does; tickets printed is not published.
-- ${SEED_OTHER_STATES.join(', ')}: ${count(others, true)} games on sale and ${
    count(others, false)
  } inactive in all,
-- ${otherPortfolios[0]?.days} days of snapshots each; ${
    publishing('all_tiers').join(', ')
  } publish every tier's
-- remaining count and tickets printed, ${publishing('minnesota').join(', ')} only tiers >= $500.
--
-- Provenance: the MN prize structures are the real printed tier tables of the 41 Minnesota games
-- listed on mnlottery.com on 2026-03-31 (../shared/data/mn-scratch-games.csv and its README.md,
-- in scripts/market-sim/mn-prize-structures.json), as printed: tickets printed, prize
-- amounts and counts are the real game's, tier odds are tickets printed over prizes. The other
-- states' tables are drawn from those and varied (print runs, counts, payout), under the name of
-- the Minnesota game they were drawn from. Sales, claims and every remaining count are simulated
-- (scripts/market-sim/simulator.ts, seed ${seed}, and ${seed} + 1, + 2, ... for the other states).
-- MN game names are the real games' (a second game on a structure gets an edition number);
-- ${realNumbers.length} MN games carry their real Minnesota game number, the others and every game of the other
-- states a synthetic SIM-nnn number.
--
-- Dates are days before the day the seed is loaded (today in America/Chicago), so the newest
-- snapshot is always today's and \`npm run score\` finds fresh data on any day.

insert into public.games (
  state, game_number, game_name, ticket_price, overall_odds, tickets_printed,
  launch_date, end_date, is_active, last_scraped_at
)
select
  v.state, v.game_number, v.game_name, v.ticket_price, v.overall_odds, v.tickets_printed::bigint,
  today.d - v.launch_days_ago::int, today.d - v.end_days_ago::int, v.is_active,
  (today.d - v.scraped_days_ago + time '06:00') at time zone 'America/Chicago'
from (select (now() at time zone 'America/Chicago')::date as d) as today
cross join (values
${gameValues.join(',\n')}
) as v (
  state, game_number, game_name, ticket_price, overall_odds, tickets_printed,
  launch_days_ago, end_days_ago, is_active, scraped_days_ago
);

insert into public.prize_tiers (game_id, prize_amount, odds, total_prizes, remaining_prizes)
select g.id, v.prize_amount, v.odds, v.total_prizes, v.remaining_prizes::int
from (values
${tierValues.join(',\n')}
) as v (state, game_number, prize_amount, odds, total_prizes, remaining_prizes)
join public.games g on g.state = v.state and g.game_number = v.game_number;

insert into public.historical_snapshots (
  game_id, snapshot_date, remaining_by_tier, top_prizes_remaining
)
select g.id, today.d - v.days_ago, v.remaining_by_tier::jsonb, v.top_prizes_remaining::int
from (select (now() at time zone 'America/Chicago')::date as d) as today
cross join (values
${snapshotValues.join(',\n')}
) as v (state, game_number, days_ago, remaining_by_tier, top_prizes_remaining)
join public.games g on g.state = v.state and g.game_number = v.game_number;
`
}

function values(items: (string | number | null)[]): string {
  return `(${items.map((item) => (item === null ? 'null' : String(item))).join(',')})`
}

/** A SQL string literal. */
function text(value: string): string {
  return `'${value.replaceAll("'", "''")}'`
}
