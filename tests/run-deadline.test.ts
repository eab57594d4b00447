/**
 * A connection that stops answering for good (a network partition, a hung server), for real: a
 * Minnesota run of the served function is parked on a table lock, then its Postgres backend is
 * frozen with SIGSTOP. A statement timeout runs in the server and cannot help; the run's deadline
 * (SCORER_RUN_DEADLINE_SECONDS, short here) must: the caller gets 503 `run_timeout` with
 * Retry-After within the deadline and a margin, the run's lease is no longer renewed (the sweep
 * closes the run as abandoned while the backend is still frozen), its stuck statement is
 * cancelled (once the backend runs again it stops waiting, though the lock is still held), the
 * process survives with no unhandled rejection, and the next request scores.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ChildProcess } from 'node:child_process'
import type { FunctionServer } from '../scripts/local-stack/function-server.ts'
import { addDays } from '../supabase/functions/_shared/scoring/calendar.ts'
import { countRunInputs } from '../supabase/functions/_shared/run/run-inputs.ts'
import { connect } from './helpers/database.ts'
import { activateFixtureModel, removeModel } from './helpers/fixture-model.ts'
import { localServiceRoleKey, serveFunction } from './helpers/function.ts'
import { functionWaiters, functionWaitsIn, holdLock, releaseLock } from './helpers/locks.ts'
import { seedLoadDay } from './helpers/seed-dates.ts'
import { waitUntil } from './helpers/wait.ts'

const modelVersion = 'deadline-fixture'
const deadlineSeconds = 5
const leaseSeconds = 3
/** What the answer may take beyond the deadline (a busy machine, the request itself). */
const marginMs = 5_000

const sql = connect()
let server: FunctionServer

interface Answer {
  status: number
  ms: number
  headers: Headers
  body: { scored?: number; skipped?: unknown[]; error?: { code: string; run_id?: string } }
}

async function post(body: unknown): Promise<Answer> {
  const started = performance.now()
  const response = await fetch(server.url, {
    method: 'POST',
    headers: { authorization: `Bearer ${localServiceRoleKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(60_000),
  })
  return {
    status: response.status,
    ms: performance.now() - started,
    headers: response.headers,
    body: await response.json(),
  }
}

/** Signals a Postgres backend (the tests run as root, the server as its own user). */
function signal(pid: number, name: 'SIGSTOP' | 'SIGCONT'): void {
  process.kill(pid, name)
}

beforeAll(async () => {
  await activateFixtureModel(sql, modelVersion)
  server = await serveFunction({
    SCORER_RUN_DEADLINE_SECONDS: String(deadlineSeconds),
    SCORER_RUN_LEASE_SECONDS: String(leaseSeconds),
  })
})

afterAll(async () => {
  await server?.stop()
  await removeModel(sql, modelVersion)
  await sql.end()
})

describe('a run whose database connection freezes', () => {
  let day: string
  let frozen: number
  let answer: Answer
  let runId: string
  let session: ChildProcess | undefined
  /** What the sweep made of the run while its backend was still frozen. */
  let sweptWhileFrozen: { status: string; error: string } | undefined
  /** The frozen backend's wait once it ran again, the lock still held (null: it is gone). */
  let waitAfterThaw: string | null | undefined

  beforeAll(async () => {
    day = addDays(await seedLoadDay(sql), -5)
    session = await holdLock(sql, 'lock table public.prize_tiers in access exclusive mode')
    let stopped = false
    try {
      const pending = post({ states: ['MN'], prediction_date: day })
      // Awaited below; if the test fails before, its end is no unhandled rejection.
      pending.catch(() => {})
      ;[frozen = 0] = await functionWaitsIn(sql)
      signal(frozen, 'SIGSTOP')
      stopped = true
      answer = await pending
      runId = answer.body.error?.run_id ?? ''
      // No renewal since the deadline: the lease runs out and the sweep closes the run.
      await new Promise((resolve) => setTimeout(resolve, (leaseSeconds + 1) * 1000))
      await sql`select private.sweep_abandoned_runs()`
      ;[sweptWhileFrozen] = await sql<{ status: string; error: string }[]>`
        select status::text, error from public.scoring_runs where id = ${runId}`
      signal(frozen, 'SIGCONT')
      stopped = false
      // The lock is still held: only a cancel ends the backend's wait.
      await waitUntil('the thawed backend stops waiting for the lock', async () => {
        return !(await functionWaiters(sql)).includes(frozen)
      }, { timeoutMs: 10_000 }).catch(() => {})
      const [activity] = await sql<{ wait: string | null }[]>`
        select wait_event_type as wait from pg_stat_activity where pid = ${frozen}`
      waitAfterThaw = activity ? activity.wait : null
    } finally {
      if (stopped) signal(frozen, 'SIGCONT')
      await releaseLock(sql, session)
    }
  })

  it('answers 503 run_timeout with Retry-After within the deadline, naming the run', () => {
    expect(answer.status).toBe(503)
    expect(answer.body.error?.code).toBe('run_timeout')
    expect(runId).toMatch(/^[0-9a-f-]{36}$/)
    expect(answer.headers.get('retry-after')).toBe('10')
    expect(answer.ms).toBeGreaterThanOrEqual(deadlineSeconds * 1000 - 500)
    expect(answer.ms).toBeLessThan(deadlineSeconds * 1000 + marginMs)
  })

  it('stops renewing the lease: the sweep closed the run as abandoned, backend still frozen', () => {
    expect(sweptWhileFrozen?.status).toBe('abandoned')
    expect(sweptWhileFrozen?.error).toMatch(/^Abandoned: its function stopped renewing/)
  })

  it('cancelled the stuck statement: once thawed, the backend no longer waits for the lock', () => {
    expect(waitAfterThaw).not.toBe('Lock')
  })

  it('keeps the process alive, with no unhandled rejection', () => {
    expect(server.process.exitCode).toBeNull()
    expect(server.process.signalCode).toBeNull()
    expect(server.output()).not.toMatch(/Uncaught|unhandled/i)
    expect(server.output()).toContain('"event":"database_client_retired"')
  })

  it('leaves no lock, no running run and no prediction of the run behind', async () => {
    const [left] = await sql<{ locks: number; running: number; written: number }[]>`
      select
        (select count(*)::int from pg_locks where locktype = 'advisory') as locks,
        (select count(*)::int from public.scoring_runs where status = 'running') as running,
        (select count(*)::int from public.predictions
         where prediction_date = ${day} and model_version = ${modelVersion}) as written`
    expect(left).toEqual({ locks: 0, running: 0, written: 0 })
  })

  it('scores the next request', async () => {
    const again = await post({ states: ['MN'], prediction_date: day })
    expect(again.status).toBe(200)
    expect((again.body.scored ?? 0) + (again.body.skipped?.length ?? 0)).toBe(
      await countRunInputs(sql, { states: ['MN'], gameIds: null }, day),
    )
  })
})
