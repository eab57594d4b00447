import type { Sql } from 'postgres'
import { describe, expect, it, vi } from 'vitest'
import { createDatabasePool } from './database-pool.ts'

/** A stand-in client: only `end` is called by the pool. */
function fakeClient(name: string) {
  const end = vi.fn((_options?: { timeout?: number }) => Promise.resolve())
  return { client: { name, end } as unknown as Sql, end }
}

function poolOf(count: number) {
  const clients = Array.from({ length: count }, (_, index) => fakeClient(`client ${index}`))
  let opened = 0
  const log = vi.fn()
  const pool = createDatabasePool(() => {
    const next = clients[opened++]
    if (!next) throw new Error('opened too many clients')
    return next.client
  }, { graceSeconds: 5, log })
  return { pool, clients, opened: () => opened }
}

describe('createDatabasePool', () => {
  it('gives every run the same client until one retires it', () => {
    const { pool, clients, opened } = poolOf(2)
    const first = pool.take()
    const second = pool.take()
    expect(first.sql).toBe(clients[0]?.client)
    expect(second.sql).toBe(clients[0]?.client)
    expect(opened()).toBe(1)
  })

  it('gives new runs a fresh client once retired, and ends the old one only when its runs are done, with the grace period', () => {
    const { pool, clients } = poolOf(2)
    const stuck = pool.take()
    const other = pool.take()
    const fresh = stuck.retire()
    expect(fresh).toBe(clients[1]?.client)
    expect(pool.take().sql).toBe(clients[1]?.client)
    // A second retirement of the same client changes nothing.
    expect(other.retire()).toBe(clients[1]?.client)
    stuck.done()
    expect(clients[0]?.end).not.toHaveBeenCalled()
    other.done()
    other.done()
    expect(clients[0]?.end).toHaveBeenCalledTimes(1)
    expect(clients[0]?.end).toHaveBeenCalledWith({ timeout: 5 })
    expect(clients[1]?.end).not.toHaveBeenCalled()
  })

  it('never ends the current client, whatever its runs do', () => {
    const { pool, clients } = poolOf(1)
    const run = pool.take()
    run.done()
    expect(clients[0]?.end).not.toHaveBeenCalled()
  })
})
