import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import type { Sql } from 'postgres'
import { describe, expect, it, vi } from 'vitest'
import { createDatabasePool, trackQueries } from './database-pool.ts'

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

describe('trackQueries', () => {
  it("does not keep a finished statement's rows alive until the run ends", async () => {
    setFlagsFromString('--expose-gc')
    const gc = runInNewContext('gc') as () => void
    // A stand-in client whose statements resolve with a large result, as a 5,000-game read does.
    const sql = (() => Promise.resolve({ rows: new Array(100_000).fill(0) })) as unknown as Sql
    const tracked = trackQueries(sql, () => {})
    let result: WeakRef<object> | undefined
    await (async () => {
      const rows = await (tracked.sql as unknown as () => Promise<object>)()
      result = new WeakRef(rows)
    })()
    for (let round = 0; round < 3 && result?.deref(); round += 1) {
      await new Promise((resolve) => setTimeout(resolve, 0))
      gc()
    }
    expect(result?.deref()).toBeUndefined()
    // The run's client is still usable and still tracks what it makes.
    expect(() => tracked.cancelUnfinished(sql, () => {})).not.toThrow()
  })
})
