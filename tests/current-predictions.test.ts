/**
 * What the app reads: public.current_predictions, as anon (the app's key), after the function
 * scored the same day with one model and then with another that was activated in between. One
 * row per active game, the active model's; both models' rows stay in predictions.
 */
import type postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FunctionServer } from '../scripts/local-stack/function-server.ts'
import { connect } from './helpers/database.ts'
import { activateFixtureModel, removeModel } from './helpers/fixture-model.ts'
import { post, serveFunction } from './helpers/function.ts'
import { seedLoadDay } from './helpers/seed-dates.ts'

const first = 'current-first'
const second = 'current-second'

let sql: postgres.Sql
let server: FunctionServer
let day: string

/** Runs a query as the app does: role anon, under row level security. */
async function asAnon<T extends postgres.Row>(query: string): Promise<T[]> {
  const rows = await sql.begin(async (tx) => {
    await tx`set local role anon`
    return [...await tx.unsafe(query)]
  })
  return rows as unknown as T[]
}

beforeAll(async () => {
  sql = connect()
  day = await seedLoadDay(sql)
  server = await serveFunction()
  await activateFixtureModel(sql, first)
  expect((await post(server.url, { prediction_date: day })).status).toBe(200)
  // The same day, another model is published and scores again.
  await activateFixtureModel(sql, second)
  expect((await post(server.url, { prediction_date: day })).status).toBe(200)
})

afterAll(async () => {
  await server?.stop()
  await removeModel(sql, first)
  await removeModel(sql, second)
  await sql?.end()
})

describe('current_predictions after a same-day model switch', () => {
  it('has exactly one row per active game, all from the active model, for anon', async () => {
    const rows = await asAnon<{ game_id: string; model_version: string; prediction_date: string }>(
      'select game_id, model_version, prediction_date::text as prediction_date from public.current_predictions',
    )
    const [active] = await sql<{ count: number }[]>`
      select count(*)::int as count from public.games where is_active`
    expect(rows).toHaveLength(active?.count ?? -1)
    expect(new Set(rows.map((row) => row.game_id)).size).toBe(rows.length)
    expect(new Set(rows.map((row) => row.model_version))).toEqual(new Set([second]))
    expect(new Set(rows.map((row) => row.prediction_date))).toEqual(new Set([day]))
  })

  it("matches an independent query: each game's latest row of the active model", async () => {
    // The other model's rows of an earlier day, which the view must not pick either.
    await sql`
      insert into public.predictions (game_id, prediction_date, model_version, ai_score,
        win_probability, expected_value, expected_return, expected_return_low,
        expected_return_high, confidence_level, recommendation, reasoning)
      select game_id, prediction_date - 1, model_version, ai_score, win_probability,
        expected_value, expected_return, expected_return_low, expected_return_high,
        confidence_level, recommendation, reasoning
      from public.predictions where model_version = ${first} and prediction_date = ${day}`
    const view = await sql<{ game_id: string; prediction_date: string; model_version: string }[]>`
      select game_id, prediction_date::text, model_version from public.current_predictions
      order by game_id`
    const expected = await sql<
      { game_id: string; prediction_date: string; model_version: string }[]
    >`
      select p.game_id, max(p.prediction_date)::text as prediction_date, p.model_version
      from public.predictions p
      join public.ml_models m on m.version = p.model_version and m.is_active
      join public.games g on g.id = p.game_id
      where g.is_active and (g.end_date is null or g.end_date >= ${day})
        and p.prediction_date <= ${day}
      group by p.game_id, p.model_version
      order by p.game_id`
    expect(view.length).toBeGreaterThan(0)
    expect(view).toEqual(expected)
  })

  it("shows the active model's stored values", async () => {
    const [mismatches] = await sql<{ count: number }[]>`
      select count(*)::int as count
      from public.current_predictions c
      join public.predictions p
        on p.game_id = c.game_id and p.prediction_date = c.prediction_date
          and p.model_version = ${second}
      where (c.ai_score, c.expected_return, c.recommendation, c.reasoning)
        is distinct from (p.ai_score, p.expected_return, p.recommendation, p.reasoning)`
    expect(mismatches?.count).toBe(0)
  })

  it("keeps both models' rows of the day in predictions, for audit", async () => {
    const rows = await sql<{ model_version: string; count: number }[]>`
      select model_version, count(*)::int as count from public.predictions
      where prediction_date = ${day} and model_version in (${first}, ${second})
      group by model_version order by model_version`
    expect(rows.map((row) => row.model_version)).toEqual([first, second])
    expect(rows[0]?.count).toBe(rows[1]?.count)
  })

  it("answers the README's query: a state's games, best first", async () => {
    const rows = await asAnon<{ ai_score: number }>(
      'select game_name, ticket_price, ai_score, recommendation, expected_return, ' +
        'expected_return_low, expected_return_high, probability_above_par, confidence_level, ' +
        'reasoning ' +
        "from public.current_predictions where state = 'MN' order by ai_score desc",
    )
    expect(rows.length).toBeGreaterThanOrEqual(20)
    const scores = rows.map((row) => row.ai_score)
    expect(scores).toEqual([...scores].sort((a, b) => b - a))
  })

  it('anon still cannot read the registry beyond the active version', async () => {
    await expect(asAnon('select storage_path from public.ml_models')).rejects.toThrow(
      'permission denied for table ml_models',
    )
    expect(await asAnon('select version from public.ml_models')).toEqual([{ version: second }])
  })
})
