/**
 * Postgres stopped for real (`pg_ctl stop -m immediate`, as a crash) while the served function
 * is in the middle of a run: once during its read, once during its write. Each time the function
 * process stays alive and answers a clear 503 (`database_unavailable`, with Retry-After), nothing
 * of the run is written, the run left `running` is closed as abandoned by the sweep once Postgres
 * is back, and the next request succeeds. Then the other crash: the function process killed
 * mid-run; its run blocks its scope (409 naming it) only until its lease expires, then the sweep
 * (or the next admission) closes it as abandoned. A lock held by a psql session holds the run at
 * the step under test: its read (the states' claim profiles stored and fresh beforehand, so the
 * run goes straight to it), its write, or the estimate of a claim profile no run has stored yet
 * (`private.claim_evidence`, which also reads the prize tiers). Last, only the function's own
 * connection killed (pg_terminate_backend) with the database up: the 503 says the connection was
 * lost, not to wait for the database to come back.
 */
import type { ChildProcess } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FunctionServer } from '../scripts/local-stack/function-server.ts'
import { startPgNetWorker, stopPgNetWorker } from '../scripts/local-stack/pg-net-worker-process.ts'
import { startPostgres, stopPostgresImmediately } from '../scripts/local-stack/postgres.ts'
import { addDays } from '../supabase/functions/_shared/scoring/calendar.ts'
import { claimProfilesForRun } from '../supabase/functions/_shared/run/claim-profiles.ts'
import { PROFILE_REFRESH_DAYS } from '../supabase/functions/_shared/scoring/claim-profile.ts'
import { countRunInputs } from '../supabase/functions/_shared/run/run-inputs.ts'
import { connect } from './helpers/database.ts'
import { activateFixtureModel, removeModel } from './helpers/fixture-model.ts'
import { localServiceRoleKey, serveFunction } from './helpers/function.ts'
import { functionWaitsIn, holdLock, releaseLock } from './helpers/locks.ts'
import { seedLoadDay } from './helpers/seed-dates.ts'

const modelVersion = 'faults-fixture'
let sql = connect()
let server: FunctionServer

/**
 * Makes the run of `day` in Minnesota find a fresh stored claim profile (`true`: stores one) or
 * none (`false`: removes those it would reuse, so it estimates one first).
 */
async function prepareClaimProfile(day: string, fresh: boolean): Promise<void> {
  if (fresh) {
    await claimProfilesForRun(sql, {
      scope: { states: ['MN'], gameIds: null },
      asOfDate: day,
      store: true,
    })
    return
  }
  await sql`
    delete from public.claim_profiles
    where state = 'MN' and estimated_on <= ${day}::date
      and estimated_on > ${day}::date - ${PROFILE_REFRESH_DAYS}::int`
}

/** What the function answered (the fields these tests read). */
interface Answer {
  status: number
  headers: Headers
  body: {
    scored?: number
    skipped?: unknown[]
    error?: { code: string; message?: string; run_id?: string }
  }
}

async function post(body: unknown, url = server.url): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${localServiceRoleKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(60_000),
  })
  return { status: response.status, headers: response.headers, body: await response.json() }
}

/** The crash and the restart: the test's own client is replaced (its connections died too). */
async function crashAndRestart(): Promise<void> {
  // The local cluster commits asynchronously (synchronous_commit = off, for speed): what was
  // committed reaches the WAL within a few hundred ms, or at a checkpoint. Production commits
  // synchronously, so a crash keeps every committed row; so does this test, with a checkpoint.
  await sql`checkpoint`
  stopPostgresImmediately()
  await sql.end({ timeout: 0 }).catch(() => {})
  startPostgres()
  // The pg_net stand-in worker lost its connection with the server: give later tests a fresh one.
  stopPgNetWorker()
  startPgNetWorker()
  sql = connect()
}

beforeAll(async () => {
  await activateFixtureModel(sql, modelVersion)
  server = await serveFunction()
})

afterAll(async () => {
  await server?.stop()
  await removeModel(sql, modelVersion)
  await sql.end()
})

describe.each([
  {
    step: 'its read',
    daysBeforeLoad: 1,
    // The read joins the prize tiers; admitting the run and counting its games do not.
    lock: 'lock table public.prize_tiers in access exclusive mode',
    // Near its start: pg_stat_activity keeps only the first 1,024 bytes of a statement.
    statement: 'g.game_number',
    freshProfile: true,
  },
  {
    step: 'its write',
    daysBeforeLoad: 2,
    lock: 'lock table public.predictions in share row exclusive mode',
    statement: 'with closed as',
    freshProfile: true,
  },
  {
    step: 'its claim-profile estimate',
    daysBeforeLoad: 4,
    // The evidence sums read the prize tiers; the lookup of stored profiles does not.
    lock: 'lock table public.prize_tiers in access exclusive mode',
    statement: 'private.claim_evidence',
    freshProfile: false,
  },
])('Postgres stopped during $step', ({ daysBeforeLoad, lock, statement, freshProfile }) => {
  let session: ChildProcess | undefined
  let answer: Answer
  let runId: string
  let day: string

  beforeAll(async () => {
    day = addDays(await seedLoadDay(sql), -daysBeforeLoad)
    await prepareClaimProfile(day, freshProfile)
    session = await holdLock(sql, lock)
    try {
      const pending = post({ states: ['MN'], prediction_date: day })
      // Awaited below; if the test fails before, its end is no unhandled rejection.
      pending.catch(() => {})
      await functionWaitsIn(sql, statement)
      const [run] = await sql<{ id: string }[]>`
        select id from public.scoring_runs where prediction_date = ${day} and status = 'running'`
      runId = run?.id ?? ''
      await crashAndRestart()
      answer = await pending
    } finally {
      // Normally gone with the server; if the test failed before the crash, not.
      await releaseLock(sql, session).catch(() => {})
    }
  })

  it('answers a clear 503 with a code and Retry-After, naming the run', () => {
    expect(runId).toMatch(/^[0-9a-f-]{36}$/)
    expect(answer.status).toBe(503)
    expect(answer.body).toMatchObject({ error: { code: 'database_unavailable', run_id: runId } })
    expect(answer.headers.get('retry-after')).toBe('10')
  })

  it('keeps the function process alive, with no uncaught error', () => {
    expect(server.process.exitCode).toBeNull()
    expect(server.process.signalCode).toBeNull()
    expect(server.output()).not.toMatch(/Uncaught|Cannot read properties of null/)
  })

  it('wrote nothing, and the sweep closes the orphaned run as abandoned', async () => {
    const [written] = await sql<{ count: number }[]>`
      select count(*)::int as count from public.predictions
      where prediction_date = ${day} and model_version = ${modelVersion}`
    expect(written?.count).toBe(0)
    // pg_cron's every-minute sweep may have been first: either way the run ends abandoned.
    await sql`select private.sweep_abandoned_runs()`
    const [run] = await sql<{ status: string; error: string }[]>`
      select status::text, error from public.scoring_runs where id = ${runId}`
    expect(run).toEqual({
      status: 'abandoned',
      error: 'Abandoned: the database restarted during the run, which lost its connections',
    })
  })

  it('scores again once Postgres is back', async () => {
    const again = await post({ states: ['MN'], prediction_date: day })
    expect(again.status, JSON.stringify(again.body)).toBe(200)
    expect(again.body.scored).toBeGreaterThan(0)
    expect((again.body.scored ?? 0) + (again.body.skipped?.length ?? 0)).toBe(
      await countRunInputs(sql, { states: ['MN'], gameIds: null }, day),
    )
  })
})

describe('the function killed mid-run', () => {
  const leaseSeconds = 8
  let runId: string
  let day: string

  beforeAll(async () => {
    day = addDays(await seedLoadDay(sql), -3)
    const doomed = await serveFunction({ SCORER_RUN_LEASE_SECONDS: String(leaseSeconds) }, 54371)
    await prepareClaimProfile(day, true)
    const session = await holdLock(sql, 'lock table public.prize_tiers in access exclusive mode')
    try {
      const pending = post({ states: ['MN'], prediction_date: day }, doomed.url).catch(() => null)
      await functionWaitsIn(sql, 'g.game_number')
      doomed.process.kill('SIGKILL')
      expect(await pending).toBeNull()
      await doomed.stop()
    } finally {
      await releaseLock(sql, session)
    }
    const [run] = await sql<{ id: string }[]>`
      select id from public.scoring_runs where prediction_date = ${day} and status = 'running'`
    runId = run?.id ?? ''
  })

  it('leaves its run holding the scope only until the lease expires: 409 naming it', async () => {
    expect(runId).toMatch(/^[0-9a-f-]{36}$/)
    const blocked = await post({ states: ['MN'], prediction_date: day })
    expect(blocked.status).toBe(409)
    expect(blocked.body.error).toMatchObject({ code: 'run_in_progress', running_run_id: runId })
  })

  it('is closed as abandoned once its lease has expired, and the scope is free again', async () => {
    await new Promise((resolve) => setTimeout(resolve, (leaseSeconds + 1) * 1000))
    await sql`select private.sweep_abandoned_runs()`
    const [run] = await sql<{ status: string; error: string }[]>`
      select status::text, error from public.scoring_runs where id = ${runId}`
    expect(run?.status).toBe('abandoned')
    expect(run?.error).toMatch(/^Abandoned: its function stopped renewing the run's lease/)
    const again = await post({ states: ['MN'], prediction_date: day })
    expect(again.status, JSON.stringify(again.body)).toBe(200)
  })
})

describe("the function's connection killed, the database up", () => {
  let answer: Answer
  let runId: string
  let day: string

  beforeAll(async () => {
    day = addDays(await seedLoadDay(sql), -6)
    await prepareClaimProfile(day, true)
    const session = await holdLock(sql, 'lock table public.prize_tiers in access exclusive mode')
    try {
      const pending = post({ states: ['MN'], prediction_date: day })
      pending.catch(() => {})
      const [pid] = await functionWaitsIn(sql, 'g.game_number')
      await sql`select pg_terminate_backend(${pid ?? 0})`
      answer = await pending
    } finally {
      await releaseLock(sql, session)
    }
    runId = answer.body.error?.run_id ?? ''
  })

  it('answers 503 saying the connection was lost (not to wait for the database)', () => {
    expect(answer.status).toBe(503)
    expect(answer.body.error).toMatchObject({ code: 'database_unavailable', run_id: runId })
    expect(answer.body.error?.message).toMatch(
      /^The database connection was lost during the run \(\w+\); retry$/,
    )
    expect(answer.headers.get('retry-after')).toBe('10')
  })

  it('closes its run as failed itself (the database is up), and the next request scores', async () => {
    const [run] = await sql<{ status: string }[]>`
      select status::text from public.scoring_runs where id = ${runId}`
    expect(run?.status).toBe('failed')
    const again = await post({ states: ['MN'], prediction_date: day })
    expect(again.status, JSON.stringify(again.body)).toBe(200)
  })
})
