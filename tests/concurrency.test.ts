/**
 * Concurrent requests to the real served function (admitting 4 runs at once, as its bound is set
 * here): 20 non-dry POSTs over distinct scopes (each of the twelve states) and overlapping ones
 * (Minnesota again and again, Minnesota with Wisconsin), all for one day. The Minnesota run goes
 * first and is held at its read by a table lock, so that the overlapping requests certainly meet
 * it: they are answered 409 naming it; the others, sent while it and the overlapping ones are in
 * flight, run or are refused busy (429 with Retry-After) while the runs in flight wait for the
 * lock; then the lock is released. Every one is answered within a bounded time, with 200, 409 or
 * 429; afterwards no advisory lock, no `running` run and no open transaction remain, and a new
 * request succeeds. Then admission by size: a scope larger than the games bound alone is refused
 * with 422, and a dry run that does not fit beside a run in flight (held at its read) is refused
 * with 429, never run out of memory.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FunctionServer } from '../scripts/local-stack/function-server.ts'
import { countRunInputs } from '../supabase/functions/_shared/run/run-inputs.ts'
import { connect } from './helpers/database.ts'
import { activateFixtureModel, removeModel } from './helpers/fixture-model.ts'
import { localServiceRoleKey, serveFunction } from './helpers/function.ts'
import { functionWaitsIn, holdLock, releaseLock } from './helpers/locks.ts'
import { seedLoadDay } from './helpers/seed-dates.ts'
import { waitUntil } from './helpers/wait.ts'

const modelVersion = 'concurrency-fixture'
/** The runs one instance admits at once here. */
const maxRuns = 4
/** The games in scope of one instance's runs together here. */
const maxGames = 100
/** Holds every run at its read (the read joins the prize tiers; counting and admitting do not). */
const holdReads = 'lock table public.prize_tiers in access exclusive mode'
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
    error?: {
      code: string
      running_run_id?: string | null
      games_in_scope?: number
      games_in_flight?: number
      runs_in_flight?: number
    }
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
    SCORER_MAX_RUNS_IN_FLIGHT: String(maxRuns),
    // Above every seeded state alone, below all of them together.
    SCORER_MAX_GAMES_IN_FLIGHT: String(maxGames),
  })
})

afterAll(async () => {
  await server?.stop()
  await removeModel(sql, modelVersion)
  await sql.end()
})

describe('20 concurrent non-dry requests', () => {
  let answers: Answer[]
  /** What each answered request asked for, in the order of `answers`. */
  let bodies: { states: string[]; prediction_date: string }[]
  let states: string[]
  /** When the requests went out: what runs they started is what started since. */
  let sent: Date

  beforeAll(async () => {
    states = (await sql<{ state: string }[]>`
      select distinct state from public.games where is_active order by state`).map((row) =>
      row.state
    )
    const first = { states: ['MN'], prediction_date: day }
    const overlapping = [
      ...Array.from({ length: 6 }, () => ({ states: ['MN'], prediction_date: day })),
      ...Array.from({ length: 2 }, () => ({ states: ['MN', 'WI'], prediction_date: day })),
    ]
    const others = states.filter((state) => state !== 'MN').map((state) => ({
      states: [state],
      prediction_date: day,
    }))
    bodies = [first, ...overlapping, ...others]
    expect(bodies).toHaveLength(20)
    const [now] = await sql<{ now: Date }[]>`select now()`
    sent = now?.now ?? new Date(0)
    const session = await holdLock(sql, holdReads)
    const pending: Promise<Answer>[] = []
    /** The statuses answered so far. */
    const statuses: number[] = []
    const send = (body: (typeof bodies)[number]) => {
      const answer = post(server.url, body)
      answer.then((answer) => statuses.push(answer.status), () => {})
      pending.push(answer)
    }
    try {
      send(first)
      await functionWaitsIn(sql)
      overlapping.forEach(send)
      // The first of them admitted meets the held Minnesota run: counting and admitting do not
      // wait for the lock.
      await waitUntil(
        'an overlapping request is refused with 409',
        () => Promise.resolve(statuses.includes(409)),
        { timeoutMs: 10_000 },
      )
      others.forEach(send)
      // Until every request is answered but the runs in flight, which wait (for the lock, or a
      // connection held by a run that waits for it): no run can finish before the release.
      await waitUntil(
        'every request is answered but the runs in flight',
        () => Promise.resolve(statuses.length >= bodies.length - maxRuns),
        { timeoutMs: 20_000 },
      )
    } finally {
      await releaseLock(sql, session)
    }
    answers = await Promise.all(pending)
  })

  it('are all answered in bounded time: 200, 409 or 429, never a hang', () => {
    for (const answer of answers) {
      expect([200, 409, 429]).toContain(answer.status)
      expect(answer.ms).toBeLessThan(answerWithinMs)
    }
    expect(answers[0]?.status).toBe(200)
    expect(answers.filter((answer) => answer.status === 409).length).toBeGreaterThanOrEqual(1)
    expect(answers.filter((answer) => answer.status === 429).length).toBeGreaterThanOrEqual(1)
  })

  it('refuse busy with 429, a code and Retry-After', () => {
    for (const answer of answers.filter((answer) => answer.status === 429)) {
      expect(answer.body.error?.code).toBe('scorer_busy')
      expect(answer.retryAfter).toBe('5')
    }
  })

  it('answer an overlap with 409 naming the running run, one that overlaps', async () => {
    const refused = answers.flatMap((answer, index) =>
      answer.status === 409 ? [{ answer, asked: bodies[index]?.states ?? [] }] : []
    )
    expect(refused.length).toBeGreaterThanOrEqual(1)
    for (const { answer, asked } of refused) {
      expect(answer.body.error?.code).toBe('run_in_progress')
      const [run] = await sql<{ scope: { states?: string[] }; prediction_date: string }[]>`
        select scope, prediction_date::text from public.scoring_runs
        where id = ${answer.body.error?.running_run_id ?? '00000000-0000-0000-0000-000000000000'}`
      expect(run?.prediction_date).toBe(day)
      // No `states` in a running scope means all of them.
      const running = run?.scope.states ?? states
      expect(asked.some((state) => running.includes(state))).toBe(true)
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

  it('refuses a dry run that does not fit beside a run in flight with 429, and scores that run', async () => {
    const minnesota = await gamesInScope(['MN'])
    // Other states, until they no longer fit beside Minnesota (but fit alone).
    const counts = await sql<{ state: string; games: number }[]>`
      select state, count(*)::int as games from public.games
      where is_active and state <> 'MN' group by state order by games desc, state`
    const others: string[] = []
    let otherGames = 0
    for (const { state, games } of counts) {
      if (minnesota + otherGames > maxGames) break
      others.push(state)
      otherGames += games
    }
    const scopeGames = await gamesInScope(others)
    expect(minnesota + scopeGames).toBeGreaterThan(maxGames)
    expect(scopeGames).toBeLessThanOrEqual(maxGames)
    const session = await holdLock(sql, holdReads)
    let held: Promise<Answer> | undefined
    let refused: Answer
    try {
      held = post(server.url, { states: ['MN'], prediction_date: day, dry_run: true })
      held.catch(() => {})
      await functionWaitsIn(sql)
      refused = await post(server.url, { states: others, prediction_date: day, dry_run: true })
    } finally {
      await releaseLock(sql, session)
    }
    expect(refused.status).toBe(429)
    expect(refused.retryAfter).toBe('5')
    expect(refused.body.error).toMatchObject({ code: 'scorer_busy', games_in_flight: minnesota })
    expect(refused.body.error?.runs_in_flight).toBeLessThan(maxRuns)
    const answer = await held
    expect(answer.status).toBe(200)
    expect((answer.body.scored ?? 0) + (answer.body.skipped?.length ?? 0)).toBe(minnesota)
  })
})
