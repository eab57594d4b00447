/**
 * Holding a run of the served function at a step: a psql session takes a table lock and keeps
 * it, so the function's statement that needs the table waits for it.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import type { Sql } from 'postgres'
import { dbUrl } from '../../scripts/local-stack/config.ts'
import { psqlPath } from '../../scripts/local-stack/postgres.ts'
import { waitUntil } from './wait.ts'

/** A psql session that takes `lock` and keeps it (until it is released or the server dies). */
export async function holdLock(sql: Sql, lock: string): Promise<ChildProcess> {
  const session = spawn(
    psqlPath,
    [dbUrl, '-X', '-q', '-c', `begin; ${lock}; select pg_sleep(600)`],
    { stdio: 'ignore' },
  )
  await waitUntil(`psql holds: ${lock}`, async () => {
    const [row] = await sql<{ held: number }[]>`
      select count(*)::int as held from pg_locks as lock
      join pg_stat_activity as activity on activity.pid = lock.pid
      where activity.application_name = 'psql' and lock.granted
        and lock.mode in ('AccessExclusiveLock', 'ShareRowExclusiveLock')`
    return (row?.held ?? 0) > 0
  }, { timeoutMs: 10_000 })
  return session
}

/**
 * Ends the psql session and its backend (a backend in pg_sleep does not notice that its client
 * went away, and would keep the lock for ten minutes).
 */
export async function releaseLock(sql: Sql, session: ChildProcess): Promise<void> {
  session.kill()
  await sql`
    select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'psql'`
}

/** The backends of the function whose statement containing `text` waits for a lock. */
export async function functionWaiters(sql: Sql, text = ''): Promise<number[]> {
  const rows = await sql<{ pid: number }[]>`
    select pid from pg_stat_activity
    where application_name = 'score-games' and wait_event_type = 'Lock'
      and query like ${`%${text}%`}
    order by pid`
  return rows.map((row) => row.pid)
}

/**
 * Waits until `count` statements of the function containing `text` wait for a lock; returns
 * their backends' pids.
 */
export async function functionWaitsIn(sql: Sql, text = '', count = 1): Promise<number[]> {
  let pids: number[] = []
  await waitUntil(`${count} score-games statement(s) with "${text}" wait for a lock`, async () => {
    pids = await functionWaiters(sql, text)
    return pids.length === count
  }, { timeoutMs: 10_000 })
  return pids
}
