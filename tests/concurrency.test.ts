/**
 * Concurrent requests to the real served function (admitting 4 runs at once, as its bound is set
 * here): 20 non-dry POSTs at the same moment over distinct scopes (each of the twelve states) and
 * equal ones (Minnesota again and again, and all states), all for one day. Every one is answered
 * within a bounded time, with 200, 409 (an overlapping run is in progress: it names that run) or
 * 429 (the instance is busy: Retry-After); afterwards no advisory lock, no `running` run and no
 * open transaction remain, and a new request succeeds. Then admission by size: a scope larger
 * than the games bound alone is refused with 422, and concurrent dry runs that together exceed
 * it are refused with 429, never run out of memory.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FunctionServer } from '../scripts/local-stack/function-server.ts'
import { connect } from './helpers/database.ts'
import { activateFixtureModel, removeModel } from './helpers/fixture-model.ts'
import { localServiceRoleKey, serveFunction } from './helpers/function.ts'

const modelVersion = 'concurrency-fixture'
const day = '2026-10-10'
/** An answer must come within this, whatever else is going on. */
const answerWithinMs = 30_000

const sql = connect()
let server: FunctionServer

interface Answer {
  status: number
  ms: number
  retryAfter: string | null
  body: {
    scored?: number
    run_id?: string | null
    error?: { code: string; running_run_id?: string | null; games_in_scope?: number }
  }
}

async function post(url: string, body: Record<string, unknown>): Promise<Answer> {
  const started = performance.now()
  const response = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${localServiceRoleKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(answerWithinMs),
  })
  return {
    status: response.status,
    ms: performance.now() - started,
    retryAfter: response.headers.get('retry-after'),
    body: await response.json(),
  }
}

async function activeGames(state?: string): Promise<number> {
  const [row] = await sql<{ count: number }[]>`
    select count(*)::int as count from public.games
    where is_active and (${state ?? null}::text is null or state = ${state ?? null})`
  return row?.count ?? 0
}

beforeAll(async () => {
  await activateFixtureModel(sql, modelVersion)
  server = await serveFunction({
    SCORER_MAX_RUNS_IN_FLIGHT: '4',
    // Above every seeded state alone, below all of them together.
    SCORER_MAX_GAMES_IN_FLIGHT: '100',
  })
})

afterAll(async () => {
  await server?.stop()
  await removeModel(sql, modelVersion)
  await sql.end()
})

describe('20 concurrent non-dry requests', () => {
  let answers: Answer[]
  let states: string[]

  beforeAll(async () => {
    states = (await sql<{ state: string }[]>`
      select distinct state from public.games where is_active order by state`).map((row) =>
      row.state
    )
    const bodies = [
      ...states.map((state) => ({ states: [state], prediction_date: day })),
      ...Array.from({ length: 6 }, () => ({ states: ['MN'], prediction_date: day })),
      ...Array.from({ length: 2 }, () => ({ states: ['MN', 'WI'], prediction_date: day })),
    ]
    expect(bodies).toHaveLength(20)
    answers = await Promise.all(bodies.map((body) => post(server.url, body)))
  })

  it('are all answered in bounded time: 200, 409 or 429, never a hang', () => {
    for (const answer of answers) {
      expect([200, 409, 429]).toContain(answer.status)
      expect(answer.ms).toBeLessThan(answerWithinMs)
    }
    expect(answers.filter((answer) => answer.status === 200).length).toBeGreaterThanOrEqual(1)
    expect(answers.filter((answer) => answer.status === 429).length).toBeGreaterThanOrEqual(1)
  })

  it('refuse busy with 429, a code and Retry-After', () => {
    for (const answer of answers.filter((answer) => answer.status === 429)) {
      expect(answer.body.error?.code).toBe('scorer_busy')
      expect(answer.retryAfter).toBe('5')
    }
  })

  it('answer an overlap with 409 naming the running run, one that overlaps', async () => {
    for (const answer of answers.filter((answer) => answer.status === 409)) {
      expect(answer.body.error?.code).toBe('run_in_progress')
      const [run] = await sql<{ scope: { states?: string[] }; prediction_date: string }[]>`
        select scope, prediction_date::text from public.scoring_runs
        where id = ${answer.body.error?.running_run_id ?? '00000000-0000-0000-0000-000000000000'}`
      expect(run?.prediction_date).toBe(day)
      expect(answer.retryAfter).toBe('10')
    }
  })

  it('score each state at most once for the day: no game has two predictions', async () => {
    const [rows] = await sql<{ rows: number; games: number }[]>`
      select count(*)::int as rows, count(distinct game_id)::int as games
      from public.predictions where prediction_date = ${day}`
    expect(rows?.rows).toBe(rows?.games)
    const scored = answers.filter((answer) => answer.status === 200)
      .reduce((sum, answer) => sum + (answer.body.scored ?? 0), 0)
    const [succeeded] = await sql<{ scored: number }[]>`
      select coalesce(sum(scored_count), 0)::int as scored from public.scoring_runs
      where prediction_date = ${day} and status = 'succeeded'`
    expect(succeeded?.scored).toBe(scored)
  })

  it('leave no lock, no running run and no open transaction behind', async () => {
    const [left] = await sql<{ locks: number; running: number; in_transaction: number }[]>`
      select
        (select count(*)::int from pg_locks where locktype = 'advisory') as locks,
        (select count(*)::int from public.scoring_runs where status = 'running') as running,
        (select count(*)::int from pg_stat_activity
         where application_name = 'score-games' and state like 'idle in transaction%')
          as in_transaction`
    expect(left).toEqual({ locks: 0, running: 0, in_transaction: 0 })
  })

  it('leave the function ready: a new request succeeds', async () => {
    const again = await post(server.url, { states: ['MN'], prediction_date: '2026-10-11' })
    expect(again.status).toBe(200)
    expect(again.body.scored).toBe(await activeGames('MN'))
    expect(server.process.exitCode).toBeNull()
  })
})

describe('admission by size', () => {
  it('refuses a scope larger than the games bound alone with 422, naming its size', async () => {
    const all = await activeGames()
    expect(all).toBeGreaterThan(100)
    const answer = await post(server.url, { prediction_date: day, dry_run: true })
    expect(answer.status).toBe(422)
    expect(answer.body.error).toMatchObject({ code: 'scope_too_large', games_in_scope: all })
  })

  it('refuses concurrent dry runs that together exceed the bound with 429, and scores the rest', async () => {
    const minnesota = await activeGames('MN')
    expect(3 * minnesota).toBeGreaterThan(100)
    const answers = await Promise.all(
      Array.from(
        { length: 6 },
        () => post(server.url, { states: ['MN'], prediction_date: day, dry_run: true }),
      ),
    )
    for (const answer of answers) expect([200, 429]).toContain(answer.status)
    expect(answers.filter((answer) => answer.status === 200).length).toBeGreaterThanOrEqual(1)
    for (const answer of answers.filter((answer) => answer.status === 200)) {
      expect(answer.body.scored).toBe(minnesota)
    }
  })
})
