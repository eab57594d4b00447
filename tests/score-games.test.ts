/**
 * The score-games function end to end: the real Deno process (under Edge Runtime restrictions)
 * served on 127.0.0.1, real HTTP, the real local Postgres, the small fixture model. Dates are the
 * seed's load day and the days before it (the seed moves with the calendar).
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { repoRoot } from '../scripts/local-stack/config.ts'
import type { FunctionServer } from '../scripts/local-stack/function-server.ts'
import { activateVersion, registerAndActivate } from '../scripts/models/registry.ts'
import { sha256Hex } from '../supabase/functions/_shared/run/model-store.ts'
import { FEATURE_NAMES } from '../supabase/functions/_shared/scoring/features.ts'
import { connect } from './helpers/database.ts'
import { localAnonKey, post, serveFunction } from './helpers/function.ts'
import { seedLoadDay } from './helpers/seed-dates.ts'
import { addDays } from '../supabase/functions/_shared/scoring/calendar.ts'

const fixturePath = 'tests/fixtures/tiny-model.onnx'
/** The seed's load day (set before the tests run). */
let day: string
/** `days` days before the seed's load day. */
const before = (days: number) => addDays(day, -days)

let sql: postgres.Sql
let server: FunctionServer
let url: string

async function registerFixture(
  version: string,
  overrides: { path?: string; sha256?: string } = {},
) {
  const path = overrides.path ?? fixturePath
  const sha256 = overrides.sha256 ??
    (await sha256Hex(new Uint8Array(readFileSync(join(repoRoot, path)))))
  await registerAndActivate(sql, {
    version,
    storageKind: 'local_file',
    storageBucket: 'models',
    storagePath: path,
    sha256,
    featureNames: FEATURE_NAMES,
    metrics: {},
    trainedAt: null,
  })
}

async function count(query: postgres.PendingQuery<postgres.Row[]>): Promise<number> {
  const [row] = await query
  return Number(row?.count)
}

async function predictionsSnapshot(): Promise<string> {
  const rows = await sql`
    select game_id, prediction_date::text, model_version, ai_score, expected_return, updated_at::text
    from public.predictions order by 1, 2, 3`
  return JSON.stringify(rows)
}

async function activeGameIds(state?: string): Promise<number[]> {
  const rows = await sql<{ id: string }[]>`
    select id from public.games
    where is_active and (${state ?? null}::text is null or state = ${state ?? null})
    order by id`
  return rows.map((row) => Number(row.id))
}

beforeAll(async () => {
  sql = connect()
  day = await seedLoadDay(sql)
  await registerFixture('fixture-1')
  server = await serveFunction()
  url = server.url
})

afterAll(async () => {
  await server?.stop()
  await sql?.end()
})

describe('score-games', () => {
  it('runs under Edge Runtime restrictions (no SharedArrayBuffer, no shared wasm memory)', () => {
    expect(server.output()).toContain('[edge-runtime-restrictions] applied')
  })

  it('gives the same predictions when onnxruntime-web 1.18 (the wasm static file) runs the model', async () => {
    const ort = await serveFunction({ SCORER_MODEL_ENGINE: 'onnxruntime-web' }, 54351)
    try {
      const viaTrees = await post(url, { prediction_date: day, dry_run: true })
      const viaOrt = await post(ort.url, { prediction_date: day, dry_run: true })
      expect(viaOrt.status).toBe(200)
      expect(ort.output()).toContain('[edge-runtime-restrictions] applied')
      const pick = (body: Record<string, unknown>) =>
        (body.predictions as Array<Record<string, number>>).map((row) => [
          row.gameId,
          row.expectedReturn,
          row.expectedReturnLow,
          row.expectedReturnHigh,
        ])
      const trees = pick(viaTrees.body)
      const runtime = pick(viaOrt.body)
      expect(runtime.length).toBe(trees.length)
      runtime.forEach((row, index) => {
        row.forEach((value, column) => {
          expect(value).toBeCloseTo(trees[index]?.[column] ?? Number.NaN, 3)
        })
      })
    } finally {
      await ort.stop()
    }
  })

  it('scores every seeded active game and records a succeeded run', async () => {
    const games = await activeGameIds()
    expect(games.length).toBeGreaterThanOrEqual(20)
    const { status, body } = await post(url, { prediction_date: day })
    expect(status).toBe(200)
    expect(body.scored).toBe(games.length)
    expect(body.skipped).toEqual([])
    expect(body.model_version).toBe('fixture-1')
    expect(Object.keys(body.timings_ms as object).sort()).toEqual(
      ['features', 'inference', 'read', 'total', 'write'],
    )
    const rows = await sql`
      select game_id, ai_score, expected_return, expected_return_low, expected_return_high,
        expected_value, reasoning, recommendation, run_id
      from public.predictions where prediction_date = ${day}`
    expect(rows.map((row) => Number(row.game_id)).sort((a, b) => a - b)).toEqual(games)
    for (const row of rows) {
      expect(row.run_id).toBe(body.run_id)
      expect(row.reasoning).toMatch(/per \$1/)
    }
    const [run] =
      await sql`select status, trigger, scored_count from public.scoring_runs where id = ${body
        .run_id as string}`
    expect(run).toMatchObject({ status: 'succeeded', trigger: 'http', scored_count: games.length })
  })

  it('is idempotent: a rerun leaves the same rows, no duplicates', async () => {
    const before = await sql`
      select game_id, ai_score, expected_return, reasoning from public.predictions
      where prediction_date = ${day} order by game_id`
    const { status } = await post(url, { prediction_date: day })
    expect(status).toBe(200)
    const after = await sql`
      select game_id, ai_score, expected_return, reasoning from public.predictions
      where prediction_date = ${day} order by game_id`
    expect(after).toEqual(before)
  })

  it.each([
    ['the anon key', localAnonKey],
    ['a user JWT', 'eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoiYXV0aGVudGljYXRlZCJ9.c2ln'],
    ['no key', null],
  ])('refuses %s with 401 and writes nothing', async (_name, key) => {
    const runsBefore = await count(sql`select count(*) from public.scoring_runs`)
    const predictionsBefore = await predictionsSnapshot()
    const { status, body } = await post(url, { prediction_date: before(1) }, { key })
    expect(status).toBe(401)
    expect(body).toMatchObject({ error: { code: 'unauthorized' } })
    expect(await count(sql`select count(*) from public.scoring_runs`)).toBe(runsBefore)
    expect(await predictionsSnapshot()).toBe(predictionsBefore)
  })

  it('accepts the secret key in the apikey header', async () => {
    const { status } = await post(url, { prediction_date: day, dry_run: true }, {
      header: 'apikey',
    })
    expect(status).toBe(200)
  })

  it.each([
    ['malformed JSON', '{"states": ["MN"', 'invalid_json', 'JSON'],
    ['states of the wrong type', '{"states": "MN"}', 'invalid_request', 'states'],
    ['a game id that is text', '{"game_ids": ["12"]}', 'invalid_request', 'game_ids'],
    [
      'an impossible date',
      '{"prediction_date": "2026-02-30"}',
      'invalid_request',
      'prediction_date',
    ],
  ])('answers %s with 400 naming the problem', async (_name, raw, code, named) => {
    const { status, body } = await post(url, raw, { raw: true })
    expect(status).toBe(400)
    expect(body).toMatchObject({ error: { code } })
    expect((body.error as { message: string }).message).toContain(named)
  })

  it('answers GET with 405', async () => {
    const response = await fetch(url)
    expect(response.status).toBe(405)
    expect(response.headers.get('allow')).toBe('POST')
    expect(await response.json()).toMatchObject({ error: { code: 'method_not_allowed' } })
  })

  it('dry_run scores and answers but writes nothing', async () => {
    const runsBefore = await count(sql`select count(*) from public.scoring_runs`)
    const predictionsBefore = await predictionsSnapshot()
    const { status, body } = await post(url, { prediction_date: day, dry_run: true })
    expect(status).toBe(200)
    expect(body.run_id).toBeNull()
    expect((body.predictions as unknown[]).length).toBe((await activeGameIds()).length)
    expect(await count(sql`select count(*) from public.scoring_runs`)).toBe(runsBefore)
    expect(await predictionsSnapshot()).toBe(predictionsBefore)
  })

  it('scopes by state and by game ids', async () => {
    const minnesota = await activeGameIds('MN')
    const byState = await post(url, { prediction_date: day, states: ['MN'] })
    expect(byState.body.scored).toBe(minnesota.length)
    expect(byState.body.warnings).toEqual([])
    const chosen = minnesota.slice(0, 2)
    const dateTwo = before(4)
    const byIds = await post(url, { prediction_date: dateTwo, game_ids: chosen })
    expect(byIds.status).toBe(200)
    expect(byIds.body.scored).toBe(2)
    const rows =
      await sql`select game_id from public.predictions where prediction_date = ${dateTwo}`
    expect(rows.map((row) => Number(row.game_id)).sort((a, b) => a - b)).toEqual(chosen)
    const [run] = await sql`select scope from public.scoring_runs where id = ${byIds.body
      .run_id as string}`
    expect(run?.scope).toEqual({ game_ids: chosen })
  })

  it.each([
    [
      'a state with no game',
      { states: ['ZZ'] },
      [{
        code: 'no_games_in_state',
        state: 'ZZ',
        message: 'No game of state ZZ is on sale on DAY',
      }],
    ],
    [
      'a game id that does not exist',
      { game_ids: [987_654_321] },
      [{
        code: 'unknown_game_ids',
        game_ids: [987_654_321],
        message: 'No game has the id 987654321',
      }],
    ],
  ])('answers a request for %s with 200, nothing scored, and a warning saying so', async (
    _case,
    scope,
    warnings,
  ) => {
    const runsBefore = await count(sql`select count(*) from public.scoring_runs`)
    const { status, body } = await post(url, { prediction_date: day, ...scope })
    expect(status).toBe(200)
    expect(body.scored).toBe(0)
    expect(body.skipped).toEqual([])
    expect(body.warnings).toEqual(
      warnings.map((warning) => ({ ...warning, message: warning.message.replace('DAY', day) })),
    )
    expect(await count(sql`select count(*) from public.scoring_runs`)).toBe(runsBefore + 1)
    // The run records them too: the answer is not their only record.
    const [run] = await sql`
      select warnings from public.scoring_runs where id = ${body.run_id as string}`
    expect(run?.warnings).toEqual(body.warnings)
  })

  it('records no warning on a run whose request matched what it named', async () => {
    const { status, body } = await post(url, { prediction_date: day, states: ['MN'] })
    expect(status).toBe(200)
    expect(body.warnings).toEqual([])
    const [run] = await sql`
      select warnings from public.scoring_runs where id = ${body.run_id as string}`
    expect(run?.warnings).toEqual([])
  })

  it('warns about requested games of another state than the requested ones', async () => {
    const [active] = await activeGameIds('MN')
    const { status, body } = await post(url, {
      prediction_date: day,
      states: ['IA'],
      game_ids: [active],
      dry_run: true,
    })
    expect(status).toBe(200)
    expect(body.scored).toBe(0)
    expect(body.warnings).toEqual([
      {
        code: 'no_games_in_state',
        state: 'IA',
        message: `None of the requested games is a game of state IA on sale on ${day}`,
      },
      {
        code: 'game_ids_not_in_run',
        game_ids: [active],
        message: `Game ${active} is not of the requested state IA`,
      },
    ])
  })

  it('skips a game whose data cannot be used, with its reason, and scores the rest', async () => {
    const [bad] = await sql`
      insert into public.games (state, game_number, game_name, ticket_price, overall_odds)
      values ('MN', 'BAD-1', 'No Tiers Published', 5, 4) returning id`
    const badId = Number(bad?.id)
    try {
      const { status, body } = await post(url, { prediction_date: day, states: ['MN'] })
      expect(status).toBe(200)
      const skipped = body.skipped as Array<{ game_id: number; reason: string }>
      expect(skipped).toEqual([expect.objectContaining({ game_id: badId, reason: 'no_tiers' })])
      expect(body.scored).toBe((await activeGameIds('MN')).length - 1)
      const [run] = await sql`
        select status, skipped_count, skipped_reasons from public.scoring_runs
        where id = ${body.run_id as string}`
      expect(run?.status).toBe('partial')
      expect(run?.skipped_count).toBe(1)
      expect(run?.skipped_reasons[0].game_id).toBe(badId)
    } finally {
      await sql`delete from public.games where id = ${badId}`
    }
  })

  describe('when the model cannot be used', () => {
    afterAll(async () => {
      await activateVersion(sql, 'fixture-1')
    })

    it.each([
      [
        'no active model',
        async () => void (await sql`update public.ml_models set is_active = false`),
        'no_active_model',
      ],
      [
        'a sha256 that does not match the file',
        () => registerFixture('bad-sha', { sha256: 'f'.repeat(64) }),
        'model_checksum_mismatch',
      ],
      [
        'a corrupt file',
        () => registerFixture('corrupt', { path: 'tests/fixtures/corrupt-model.onnx' }),
        'model_invalid',
      ],
      [
        'a missing file',
        () =>
          registerFixture('missing', {
            path: 'tests/fixtures/missing.onnx',
            sha256: 'e'.repeat(64),
          }),
        'model_not_found',
      ],
    ])(
      '%s gives 503, writes no prediction and records a failed run',
      async (_name, arrange, code) => {
        await arrange()
        const predictionsBefore = await predictionsSnapshot()
        const { status, body } = await post(url, { prediction_date: day })
        expect(status).toBe(503)
        expect(body).toMatchObject({ error: { code } })
        expect(await predictionsSnapshot()).toBe(predictionsBefore)
        const runId = (body.error as { run_id: string }).run_id
        const [run] = await sql`select status, error from public.scoring_runs where id = ${runId}`
        expect(run?.status).toBe('failed')
        expect(run?.error).toContain(code)
      },
    )
  })

  it('lets only one of two overlapping runs of the same scope proceed (409 for the other)', async () => {
    const date = before(6)
    const blocker = await sql.reserve()
    try {
      // Hold the predictions table so the first run stops at its write, lock in hand.
      await blocker`begin`
      await blocker`lock table public.predictions in share row exclusive mode`
      const first = post(url, { prediction_date: date, states: ['MN'] })
      let running: string | undefined
      for (let i = 0; i < 100 && !running; i++) {
        const [row] = await sql`
          select id from public.scoring_runs
          where status = 'running' and prediction_date = ${date}`
        running = row?.id
        if (!running) await new Promise((resolve) => setTimeout(resolve, 100))
      }
      expect(running).toBeDefined()
      const second = await post(url, { prediction_date: date, states: ['MN'] })
      expect(second.status).toBe(409)
      expect(second.body).toMatchObject({
        error: { code: 'run_in_progress', running_run_id: running },
      })
      await blocker`commit`
      const firstResult = await first
      expect(firstResult.status).toBe(200)
      expect(firstResult.body.run_id).toBe(running)
    } finally {
      blocker.release()
    }
  })
})
