/**
 * Implausible outputs are not presented as normal scores, end to end: nonsense games that pass
 * the constraints are skipped as `out_of_range` (and nothing is stored for them), a model's own
 * training ranges (ONNX metadata) are the ones applied, a model that calls every game a strong
 * buy (or just above par, or with a nonsense interval, or not following the estimator) is refused
 * by `model:publish`, naming the failed checks; published with --force, the games whose answer
 * cannot be right are skipped as `implausible_prediction`; and a `local_file` model path cannot
 * lead out of the model root. Real function over HTTP, real Postgres.
 */
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildFixtureModel } from '../scripts/build-fixture-model.ts'
import { repoRoot } from '../scripts/local-stack/config.ts'
import type { FunctionServer } from '../scripts/local-stack/function-server.ts'
import { activateVersion, registerAndActivate } from '../scripts/models/registry.ts'
import { todayInChicago } from '../supabase/functions/_shared/http/request.ts'
import { sha256Hex } from '../supabase/functions/_shared/run/model-store.ts'
import { FEATURE_NAMES } from '../supabase/functions/_shared/scoring/features.ts'
import { DEFAULT_TRAINING_RANGES } from '../supabase/functions/_shared/scoring/plausibility.ts'
import { connect } from './helpers/database.ts'
import { publishCli } from './helpers/publish.ts'
import {
  activateFixtureModel,
  activateLocalModel,
  TEST_MODEL_DIR,
  writeConstantModel,
} from './helpers/fixture-model.ts'
import { post, serveFunction } from './helpers/function.ts'

const fixtureVersion = 'fixture-guards'
const strongBuyVersion = 'strong-buy-everything'
const narrowVersion = 'fixture-narrow-ranges'
const escapeVersion = 'escape-through-symlink'
const justAboveParVersion = 'just-above-par-everything'
const wideVersion = 'constant-with-wide-interval'
const flatVersion = 'constant-ignoring-the-estimator'
const testState = 'QX'
const createdVersions = [
  fixtureVersion,
  strongBuyVersion,
  narrowVersion,
  escapeVersion,
  justAboveParVersion,
  wideVersion,
  flatVersion,
]

let sql: postgres.Sql
let server: FunctionServer
const today = todayInChicago()

beforeAll(async () => {
  sql = connect()
  await activateFixtureModel(sql, fixtureVersion)
  server = await serveFunction()
})

afterAll(async () => {
  await server?.stop()
  await sql`delete from public.games where state = ${testState}`
  await sql`delete from public.predictions where model_version = any(${createdVersions}::text[])`
  await sql`delete from public.ml_models where version = any(${createdVersions}::text[])`
  await sql?.end()
  for (const version of createdVersions) {
    rmSync(join(repoRoot, TEST_MODEL_DIR, `${version}.onnx`), { force: true })
  }
})

async function storedRowsOf(gameIds: number[]): Promise<number> {
  const [row] = await sql<{ count: number }[]>`
    select count(*)::int as count from public.predictions
    where game_id = any(${gameIds}::bigint[])`
  return row?.count ?? -1
}

describe('nonsense games that pass the constraints', () => {
  let gameIds: { hugePrice: number; hugePrize: number }

  beforeAll(async () => {
    // A $999,999.99 ticket with a real $3 game's prize table, and one $9,999,999,999.99 prize
    // on a million $1 tickets: both within every column's constraints.
    const [threeDollar] = await sql<{ id: string; overall_odds: string }[]>`
      select id, overall_odds::text from public.games
      where is_active and ticket_price = 3 order by id limit 1`
    if (!threeDollar) throw new Error('The seed has no $3 game')
    const [hugePrice] = await sql<{ id: string }[]>`
      insert into public.games (state, game_number, game_name, ticket_price, overall_odds)
      values (${testState}, 'NONSENSE-1', 'Huge Price', 999999.99, ${threeDollar.overall_odds})
      returning id`
    await sql`
      insert into public.prize_tiers (game_id, prize_amount, odds, total_prizes, remaining_prizes)
      select ${hugePrice?.id ?? null}, prize_amount, odds, total_prizes, remaining_prizes
      from public.prize_tiers where game_id = ${threeDollar.id}`
    // Overall odds "1 in 999,999.99": the largest the column holds.
    const [hugePrize] = await sql<{ id: string }[]>`
      insert into public.games
        (state, game_number, game_name, ticket_price, overall_odds, tickets_printed)
      values (${testState}, 'NONSENSE-2', 'Huge Prize', 1, 999999.99, 1000000)
      returning id`
    await sql`
      insert into public.prize_tiers (game_id, prize_amount, odds, total_prizes, remaining_prizes)
      values (${hugePrize?.id ?? null}, 9999999999.99, 1000000, 1, 1)`
    gameIds = { hugePrice: Number(hugePrice?.id), hugePrize: Number(hugePrize?.id) }
  })

  it('are skipped as out_of_range, named, and nothing is stored for them', async () => {
    const { status, body } = await post(server.url, {
      prediction_date: today,
      states: [testState],
    })
    expect(status).toBe(200)
    expect(body.scored).toBe(0)
    const skipped = body.skipped as Array<{ game_id: number; reason: string; message: string }>
    expect(skipped.map((game) => [game.game_id, game.reason])).toEqual([
      [gameIds.hugePrice, 'out_of_range'],
      [gameIds.hugePrize, 'out_of_range'],
    ])
    expect(skipped[0]?.message).toContain('ticket_price 999999.99 (trained on 1 to 50)')
    expect(skipped[1]?.message).toContain('top_prize_to_price 9999999999.99 (trained on 25 to')
    expect(await storedRowsOf([gameIds.hugePrice, gameIds.hugePrize])).toBe(0)
    const [run] = await sql`select status::text from public.scoring_runs where id = ${body
      .run_id as string}`
    expect(run?.status).toBe('partial')
  })

  it("are held to the model's own training ranges when its metadata records them", async () => {
    // A fixture trained on what it was trained on, but recording only $1-$4 tickets.
    const path = `${TEST_MODEL_DIR}/${narrowVersion}.onnx`
    mkdirSync(join(repoRoot, TEST_MODEL_DIR), { recursive: true })
    writeFileSync(
      join(repoRoot, path),
      buildFixtureModel(FEATURE_NAMES, {
        modelVersion: narrowVersion,
        trainingRanges: { ...DEFAULT_TRAINING_RANGES, ticket_price: { min: 1, max: 4 } },
      }).bytes,
    )
    await activateLocalModel(sql, { version: narrowVersion, path })
    try {
      const { body } = await post(server.url, {
        prediction_date: today,
        states: ['MN'],
        dry_run: true,
      })
      const [prices] = await sql<{ cheap: number; dear: number }[]>`
        select count(*) filter (where ticket_price <= 4.4)::int as cheap,
          count(*) filter (where ticket_price > 4.4)::int as dear
        from public.games where state = 'MN' and is_active`
      const skipped = body.skipped as Array<{ reason: string; message: string }>
      expect(body.scored).toBe(prices?.cheap)
      expect(skipped).toHaveLength(prices?.dear ?? -1)
      for (const game of skipped) {
        expect(game.reason).toBe('out_of_range')
        expect(game.message).toMatch(
          new RegExp(
            `^Not scored: outside what model ${narrowVersion} was trained on: ticket_price \\d+ \\(trained on 1 to 4\\)$`,
          ),
        )
      }
    } finally {
      await activateVersion(sql, fixtureVersion)
    }
  })
})

/**
 * In the calling describe: writes a constant model file before its tests and makes the fixture
 * the active model again after them; returns the file's path (once written).
 */
function constantModelFor(
  version: string,
  outputs: { expectedReturn: number; p10: number; p90: number },
): () => string {
  let path = ''
  beforeAll(() => {
    path = writeConstantModel(version, outputs)
  })
  afterAll(async () => {
    await activateVersion(sql, fixtureVersion)
  })
  return () => path
}

/** model:publish refuses the file naming exactly these failed checks, and registers nothing. */
async function expectPublishRefused(path: string, version: string, failures: string) {
  const result = publishCli(['--file', path])
  expect(result.status).toBe(1)
  expect(result.stderr).toContain(
    `Cannot publish ${version}: its outputs on 1094 reference game-days fail the sanity ` +
      `checks: ${failures}. Publish it anyway with --force.`,
  )
  expect(await sql`select 1 from public.ml_models where version = ${version}`).toHaveLength(0)
}

/** The predictions a model stored, by recommendation. */
async function storedByRecommendation(version: string): Promise<Record<string, number>> {
  const rows = await sql<{ recommendation: string; count: number }[]>`
    select recommendation::text, count(*)::int as count from public.predictions
    where model_version = ${version} group by recommendation`
  return Object.fromEntries(rows.map((row) => [row.recommendation, row.count]))
}

/**
 * Publishes the file with --force, scores `scope` with it (the run must score nothing and store
 * nothing) and returns the skipped games.
 */
async function forcedRunSkips(path: string, version: string, scope: Record<string, unknown>) {
  const result = publishCli(['--file', path, '--force'])
  expect(result.status, result.stderr).toBe(0)
  expect(result.stderr).toContain('FAILED, published because of --force')
  const { status, body } = await post(server.url, { prediction_date: today, ...scope })
  expect(status).toBe(200)
  expect(body.model_version).toBe(version)
  expect(body.scored).toBe(0)
  expect(await storedByRecommendation(version)).toEqual({})
  return body.skipped as Array<{ reason: string; message: string }>
}

describe('a model that calls every game a strong buy', () => {
  const path = constantModelFor(strongBuyVersion, { expectedReturn: 3, p10: 2.5, p90: 3.5 })

  it('is refused by model:publish, naming the failed checks, and nothing is registered', async () => {
    await expectPublishRefused(
      path(),
      strongBuyVersion,
      'share at or above $1 per $1 1 (at most 0.05); share labelled buy or strong_buy 1 (at ' +
        'most 0.05); share the plausibility guards hold back 1 (at most 0.01); largest expected ' +
        'return per $1 3 (at most 2); highest value of an 80% interval 3.5 (at most 2); widest ' +
        '80% interval per $1 1 (at most 0.5); rank correlation with the standard estimator 0 ' +
        '(at least 0.5)',
    )
  })

  it('is published with --force, and then every game it scores is held back', async () => {
    const skipped = await forcedRunSkips(path(), strongBuyVersion, { states: ['MN'] })
    expect(skipped.length).toBeGreaterThanOrEqual(20)
    expect(new Set(skipped.map((game) => game.reason))).toEqual(
      new Set(['implausible_prediction']),
    )
    expect(skipped[0]?.message).toMatch(
      new RegExp(
        `^Not scored: model ${strongBuyVersion} says 3 per \\$1 where the standard estimator says 0\\.\\d+`,
      ),
    )
  })
})

describe('a model that says 1.05 per $1 (1.02 to 1.08) for every game', () => {
  const path = constantModelFor(justAboveParVersion, {
    expectedReturn: 1.05,
    p10: 1.02,
    p90: 1.08,
  })

  it('is refused by model:publish', async () => {
    await expectPublishRefused(
      path(),
      justAboveParVersion,
      'share at or above $1 per $1 1 (at most 0.05); share labelled buy or strong_buy 1 (at ' +
        'most 0.05); share the plausibility guards hold back 1 (at most 0.01); rank correlation ' +
        'with the standard estimator 0 (at least 0.5)',
    )
  })

  it('published with --force, calls no game a buy: every game is held back', async () => {
    // Not one seeded game has an estimator interval reaching $1: none may be called a buy.
    const skipped = await forcedRunSkips(path(), justAboveParVersion, {})
    const [active] = await sql<{ count: number }[]>`
      select count(*)::int as count from public.games where is_active and state <> ${testState}`
    const held = skipped.filter((game) => game.reason === 'implausible_prediction')
    expect(held.length).toBe(active?.count)
    // Games whose estimator is under 0.7 are far enough from 1.05 for the gap guard; the others
    // (within 0.25 per $1 or 1.5x of it: before the claim-of-par guard, strong buys) for this one.
    const claimOfPar = new RegExp(
      `^Not scored: model ${justAboveParVersion} says 1\\.05 per \\$1 \\(80% interval 1\\.02 to 1\\.08\\) ` +
        "where the standard estimator's whole 80% interval is below \\$1 \\(0\\.\\d+ to 0\\.\\d+\\)$",
    )
    const farApart = new RegExp(
      `^Not scored: model ${justAboveParVersion} says 1\\.05 per \\$1 where the standard estimator says 0\\.\\d+, more than`,
    )
    const byClaim = held.filter((game) => claimOfPar.test(game.message))
    expect(byClaim.length).toBeGreaterThanOrEqual(20)
    expect(held.filter((game) => farApart.test(game.message)).length).toBe(
      held.length - byClaim.length,
    )
  })
})

describe('a model giving 0.7 per $1 with an interval of 0.1 to 40 for every game', () => {
  const path = constantModelFor(wideVersion, { expectedReturn: 0.7, p10: 0.1, p90: 40 })

  it('is refused by model:publish for its interval and for ignoring the estimator', async () => {
    await expectPublishRefused(
      path(),
      wideVersion,
      'share the plausibility guards hold back 1 (at most 0.01); highest value of an 80% ' +
        'interval 40 (at most 2); widest 80% interval per $1 39.9 (at most 0.5); rank ' +
        'correlation with the standard estimator 0 (at least 0.5)',
    )
  })

  it('published with --force, has every game skipped: its range leaves 0 to 2 per $1', async () => {
    const skipped = await forcedRunSkips(path(), wideVersion, { states: ['MN'] })
    expect(skipped.length).toBeGreaterThanOrEqual(20)
    for (const game of skipped) {
      expect(game).toMatchObject({
        reason: 'implausible_prediction',
        message:
          `Not scored: model ${wideVersion} says 0.7 per $1 (80% interval 0.1 to 40), outside 0 to 2 per $1`,
      })
    }
  })
})

describe('a model giving 0.7 per $1 (0.65 to 0.75) whatever the game', () => {
  const path = constantModelFor(flatVersion, { expectedReturn: 0.7, p10: 0.65, p90: 0.75 })

  it('is refused by model:publish: it does not follow the standard estimator', async () => {
    await expectPublishRefused(
      path(),
      flatVersion,
      'rank correlation with the standard estimator 0 (at least 0.5)',
    )
  })
})

describe('local_file model paths', () => {
  const link = join(repoRoot, TEST_MODEL_DIR, `${escapeVersion}.onnx`)

  afterAll(async () => {
    rmSync(link, { force: true })
    await activateVersion(sql, fixtureVersion)
  })

  it('refuse a file whose real location is outside the model root (503, nothing read)', async () => {
    mkdirSync(join(repoRoot, TEST_MODEL_DIR), { recursive: true })
    rmSync(link, { force: true })
    symlinkSync('/etc/passwd', link)
    await registerAndActivate(sql, {
      version: escapeVersion,
      storageKind: 'local_file',
      storageBucket: 'models',
      storagePath: `${TEST_MODEL_DIR}/${escapeVersion}.onnx`,
      sha256: await sha256Hex(new Uint8Array(readFileSync('/etc/passwd'))),
      featureNames: FEATURE_NAMES,
      metrics: {},
      trainedAt: null,
    })
    const { status, body } = await post(server.url, { prediction_date: today, states: ['MN'] })
    expect(status).toBe(503)
    expect(body).toMatchObject({
      error: {
        code: 'model_path_refused',
        message:
          `Cannot load model: local_file path ${TEST_MODEL_DIR}/${escapeVersion}.onnx leads outside the local model root`,
      },
    })
  })

  it('cannot be registered outside the root at all (the database refuses)', async () => {
    await expect(registerAndActivate(sql, {
      version: escapeVersion,
      storageKind: 'local_file',
      storageBucket: 'models',
      storagePath: '../../../../etc/passwd',
      sha256: 'f'.repeat(64),
      featureNames: FEATURE_NAMES,
      metrics: {},
      trainedAt: null,
    })).rejects.toThrow('ml_models_local_file_path_inside_root')
  })
})
