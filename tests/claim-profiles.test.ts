/**
 * Claim profiles against the real local Postgres and the real function: the SQL evidence
 * (`private.claim_evidence`) equals the simulator-side evidence (`claim-evidence.ts`) on a loaded
 * state (weekday-only publication, missing days, a publication delay, ended games listed after
 * their end), so training and serving estimate the same profile; the function's features equal
 * the training-side features of the same game-days with that profile (one definition); a run
 * stores the profile with its date, reuses it for a week, then re-estimates it. Uses a state of
 * its own (ZP) and removes it afterwards.
 */
import type postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FunctionServer } from '../scripts/local-stack/function-server.ts'
import { claimEvidenceOf } from '../scripts/market-sim/claim-evidence.ts'
import { observeGame } from '../scripts/market-sim/observations.ts'
import {
  type PortfolioOptions,
  type SimulatedPortfolio,
  simulatePortfolio,
} from '../scripts/market-sim/simulator.ts'
import { BASE_WORLD, type WorldParameters } from '../scripts/market-sim/world.ts'
import { loadSimulatedPortfolio } from '../scripts/seed/portfolio-loader.ts'
import { addDays } from '../supabase/functions/_shared/scoring/calendar.ts'
import {
  type ClaimEvidence,
  estimateClaimProfile,
} from '../supabase/functions/_shared/scoring/claim-profile.ts'
import {
  computeFeatures,
  FEATURE_NAMES,
  featureRecord,
} from '../supabase/functions/_shared/scoring/features.ts'
import { connect } from './helpers/database.ts'
import { activateFixtureModel, removeModel } from './helpers/fixture-model.ts'
import { post, serveFunction } from './helpers/function.ts'

const state = 'ZP'
const asOfDate = '2026-06-30'
const historyDays = 260
const world: WorldParameters = {
  ...BASE_WORLD,
  claims: {
    ...BASE_WORLD.claims,
    office: { minimumLagDays: 1, fastShare: 0.7, fastMeanDays: 12, slowMeanDays: 40 },
  },
  publicationDelayDays: 2,
  weekdaysOnly: true,
  missingDayShare: 0.05,
  postEndPublishedDays: 90,
}
const simulation: PortfolioOptions = {
  seed: 61,
  publication: 'all_tiers',
  state,
  startDate: addDays(asOfDate, -(historyDays - 1)),
  days: historyDays,
  activeGames: 25,
  firstGameId: 760_001,
  world,
}
const modelVersion = 'claim-profiles-fixture'

let sql: postgres.Sql
let portfolio: SimulatedPortfolio
let server: FunctionServer

async function removeTestState(): Promise<void> {
  await sql`delete from public.games where state = ${state}`
  await sql`delete from public.claim_profiles where state = ${state}`
  await sql`delete from public.scoring_runs where scope = ${sql.json({ states: [state] })}::jsonb`
}

async function sqlEvidence(date: string): Promise<ClaimEvidence> {
  const [row] = await sql<{ evidence: Omit<ClaimEvidence, 'state' | 'asOfDate'> }[]>`
    select evidence from private.claim_evidence(array[${state}]::text[], ${date}::date)`
  if (!row) throw new Error(`no evidence for ${state} as of ${date}`)
  return { state, asOfDate: date, ...row.evidence }
}

function simulatorEvidence(date: string): ClaimEvidence {
  const asOfDay = historyDays - 1 - (Date.parse(asOfDate) - Date.parse(date)) / 86_400_000
  return claimEvidenceOf(portfolio.games, { state, startDate: simulation.startDate, asOfDay })
}

/** The evidence with every sum rounded to 9 significant digits (the SQL adds in its own order). */
function rounded(evidence: ClaimEvidence) {
  return JSON.parse(
    JSON.stringify({ shift: evidence.shift, postEnd: evidence.postEnd }),
    (_key, value) => (typeof value === 'number' ? Number(value.toPrecision(9)) : value),
  )
}

beforeAll(async () => {
  sql = connect()
  await removeTestState()
  portfolio = simulatePortfolio(simulation)
  await loadSimulatedPortfolio(sql, {
    seed: simulation.seed,
    publication: simulation.publication,
    asOfDate,
    historyDays,
    states: [state],
    activeGamesPerState: 25,
    firstGameId: 760_001,
    includeEndedGames: true,
    truth: 'none',
    world,
    onProgress: () => {},
  })
  await activateFixtureModel(sql, modelVersion)
  server = await serveFunction()
})

afterAll(async () => {
  await server?.stop()
  if (sql) {
    await removeModel(sql, modelVersion)
    await removeTestState()
    await sql.end()
  }
})

describe('private.claim_evidence', () => {
  it.each([asOfDate, addDays(asOfDate, -45)])(
    'equals the simulator-side evidence as of %s',
    async (date) => {
      const fromSql = await sqlEvidence(date)
      const fromSimulator = simulatorEvidence(date)
      expect(Object.keys(fromSimulator.shift).length).toBeGreaterThan(0)
      expect(Object.keys(fromSimulator.postEnd).length).toBeGreaterThan(0)
      expect(rounded(fromSql)).toEqual(rounded(fromSimulator))
      const fromSqlProfile = estimateClaimProfile(fromSql)
      const fromSimulatorProfile = estimateClaimProfile(fromSimulator)
      for (const prizeClass of ['retailer', 'office', 'top'] as const) {
        expect(fromSqlProfile.classes[prizeClass].meanLagDays).toBeCloseTo(
          fromSimulatorProfile.classes[prizeClass].meanLagDays,
          6,
        )
      }
    },
  )

  it('reads only what was published by the as-of date: later snapshots change nothing', async () => {
    const date = addDays(asOfDate, -45)
    const asOf = await sqlEvidence(date)
    // What came later exists and matters (else hiding it below proves nothing).
    expect(rounded(await sqlEvidence(asOfDate))).not.toEqual(rounded(asOf))
    // The same evidence with every snapshot after the date gone (rolled back afterwards).
    const hidden = new Error('rolled back')
    let withoutLater: ClaimEvidence | undefined
    await sql.begin(async (tx) => {
      await tx`
        delete from public.historical_snapshots as hs using public.games as g
        where g.id = hs.game_id and g.state = ${state} and hs.snapshot_date > ${date}::date`
      const [row] = await tx<{ evidence: Omit<ClaimEvidence, 'state' | 'asOfDate'> }[]>`
        select evidence from private.claim_evidence(array[${state}]::text[], ${date}::date)`
      withoutLater = row && { state, asOfDate: date, ...row.evidence }
      throw hidden
    }).catch((error) => {
      if (error !== hidden) throw error
    })
    expect(Object.keys(asOf.shift).length).toBeGreaterThan(0)
    expect(withoutLater && rounded(withoutLater)).toEqual(rounded(asOf))
  })
})

describe('score-games with claim profiles', () => {
  it('computes the features training computes for the same game-days (one definition)', async () => {
    const { status, body } = await post(server.url, {
      prediction_date: asOfDate,
      states: [state],
      dry_run: true,
    })
    expect(status).toBe(200)
    const predictions = body.predictions as Array<
      { gameId: number; features: Record<string, number>; probabilityAbovePar: number }
    >
    const profile = estimateClaimProfile(simulatorEvidence(asOfDate))
    const onSale = portfolio.games.filter((game) => game.lastDay >= historyDays - 1)
    expect(predictions.length).toBe(onSale.length)
    expect(predictions.length).toBeGreaterThan(15)
    for (const game of onSale) {
      const result = computeFeatures(observeGame(game, historyDays - 1), { profile })
      if (!result.ok) throw new Error(result.refusal.message)
      const expected = featureRecord(result.features.values)
      const served = predictions.find((prediction) => prediction.gameId === game.facts.id)
      expect(served).toBeDefined()
      for (const name of FEATURE_NAMES) {
        expect(served?.features[name], name).toBeCloseTo(expected[name] as number, 5)
      }
      expect(served?.probabilityAbovePar).toBeGreaterThanOrEqual(0)
      expect(served?.probabilityAbovePar).toBeLessThanOrEqual(1)
    }
    // A dry run stores nothing.
    const [stored] = await sql`select count(*)::int as count from public.claim_profiles
      where state = ${state}`
    expect(stored?.count).toBe(0)
  })

  it('stores the profile with its date, reuses it for a week, then estimates a new one', async () => {
    const first = await post(server.url, { prediction_date: asOfDate, states: [state] })
    expect(first.status).toBe(200)
    const rows = async () =>
      await sql<{ estimated_on: string; office_lag_days: number; classes: unknown }[]>`
        select estimated_on::text, office_lag_days, classes from public.claim_profiles
        where state = ${state} order by estimated_on`
    const afterFirst = await rows()
    expect(afterFirst.map((row) => row.estimated_on)).toEqual([asOfDate])
    const expected = estimateClaimProfile(simulatorEvidence(asOfDate))
    expect(afterFirst[0]?.office_lag_days).toBeCloseTo(expected.classes.office.meanLagDays, 6)
    const [probabilities] = await sql<{ missing: number; out_of_range: number }[]>`
      select count(*) filter (where probability_above_par is null)::int as missing,
        count(*) filter (where probability_above_par not between 0 and 1)::int as out_of_range
      from public.predictions p join public.games g on g.id = p.game_id
      where g.state = ${state} and p.prediction_date = ${asOfDate}`
    expect(probabilities).toEqual({ missing: 0, out_of_range: 0 })

    // Six days later the stored profile is still fresh: nothing new is estimated.
    const sixDaysLater = addDays(asOfDate, 6)
    expect((await post(server.url, { prediction_date: sixDaysLater, states: [state] })).status)
      .toBe(200)
    expect((await rows()).map((row) => row.estimated_on)).toEqual([asOfDate])

    // Seven days later it is a week old: a new one is estimated and stored with its date.
    const weekLater = addDays(asOfDate, 7)
    expect((await post(server.url, { prediction_date: weekLater, states: [state] })).status)
      .toBe(200)
    expect((await rows()).map((row) => row.estimated_on)).toEqual([asOfDate, weekLater])
  })
})
