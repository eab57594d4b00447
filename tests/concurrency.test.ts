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
import { countRunInputs } from '../supabase/functions/_shared/run/run-inputs.ts'
import { connect } from './helpers/database.ts'
import { activateFixtureModel, removeModel } from './helpers/fixture-model.ts'
import { localServiceRoleKey, serveFunction } from './helpers/function.ts'
import { seedLoadDay } from './helpers/seed-dates.ts'

const modelVersion = 'concurrency-fixture'
/** An answer must come within this, whatever else is going on. */
const answerWithinMs = 30_000

const sql = connect()
let server: FunctionServer
/** The seed's load day: every seeded game is on sale, with its counts. */
let day: string

interface Answer {
  status: number
  ms: number
  retryAfter: string | null
  body: {
    scored?: number
    skipped?: unknown[]
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

/** The games a run of these states (null: all) reads for the day: the function's own count. */
async function gamesInScope(states: string[] | null): Promise<number> {
  return await countRunInputs(sql, { states, gameIds: null }, day)
}

beforeAll(async () => {
  day = await seedLoadDay(sql)
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
  /** When the requests went out: what runs they started is what started since. */
  let sent: Date

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
    const [now] = await sql<{ now: Date }[]>`select now()`
    sent = now?.now ?? new Date(0)
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

  it('recorded a finished run for every 200, and the games they scored add up', async () => {
    const scored = answers.filter((answer) => answer.status === 200)
    const [runs] = await sql<{ finished: number; scored: number }[]>`
      select count(*)::int as finished, coalesce(sum(scored_count), 0)::int as scored
      from public.scoring_runs
      where prediction_date = ${day} and started_at >= ${sent}
        and status in ('succeeded', 'partial')`
    expect(runs).toEqual({
      finished: scored.length,
      scored: scored.reduce((sum, answer) => sum + (answer.body.scored ?? 0), 0),
    })
  })

  it('leave no lock, no running run and no open transaction behind', async () => {
    const [left] = await sql<{ locks: number; running: number; in_transaction: number }[]>`
      select
        (select count(*)::int from pg_locks where locktype = 'advisory') as locks,
        (select count(*)::int from public.scoring_runs
         where status = 'running' and started_at >= ${sent}) as running,
        (select count(*)::int from pg_stat_activity
         where application_name = 'score-games' and state like 'idle in transaction%')
          as in_transaction`
    expect(left).toEqual({ locks: 0, running: 0, in_transaction: 0 })
  })

  it('leave the function ready: a new request succeeds', async () => {
    const again = await post(server.url, { states: ['MN'], prediction_date: day })
    expect(again.status).toBe(200)
    expect(again.body.scored).toBeGreaterThan(0)
    expect((again.body.scored ?? 0) + (again.body.skipped?.length ?? 0))
      .toBe(await gamesInScope(['MN']))
    expect(server.process.exitCode).toBeNull()
  })
})

describe('admission by size', () => {
  it('refuses a scope larger than the games bound alone with 422, naming its size', async () => {
    const all = await gamesInScope(null)
    expect(all).toBeGreaterThan(100)
    const answer = await post(server.url, { prediction_date: day, dry_run: true })
    expect(answer.status).toBe(422)
    expect(answer.body.error).toMatchObject({ code: 'scope_too_large', games_in_scope: all })
  })

  it('refuses concurrent dry runs that together exceed the bound with 429, and scores the rest', async () => {
    const minnesota = await gamesInScope(['MN'])
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
      expect((answer.body.scored ?? 0) + (answer.body.skipped?.length ?? 0)).toBe(minnesota)
    }
  })
})
