/**
 * A pg_net request id reused after a crash does not turn a lost request into a success. With the
 * pg_net stand-in's worker stopped, a request for one state is queued; then a crash is simulated
 * as pg_net lives through one (its unlogged queue and response tables emptied, its id sequence
 * started again, here at the lost request's id), the worker comes back, and a request for another
 * state gets the same pg_net id and is answered 200 by the real function. The capture step ties
 * that answer to the second request only (by the token the function echoes): the lost request
 * ends `no_response`, with no responded_at and no run, and its state reads failed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FunctionServer } from '../scripts/local-stack/function-server.ts'
import { startPgNetWorker, stopPgNetWorker } from '../scripts/local-stack/pg-net-worker-process.ts'
import { connect } from './helpers/database.ts'
import { activateFixtureModel, removeModel } from './helpers/fixture-model.ts'
import { serveFunction } from './helpers/function.ts'
import { healthOf, pointVaultAt, restoreLocalVault } from './helpers/nightly-schedule.ts'
import { waitUntil } from './helpers/wait.ts'

const modelVersion = 'request-matching-fixture'
const sql = connect()
let server: FunctionServer

interface RecordedRequest {
  net_request_id: string
  state: string
  token: string
  outcome: string | null
  status_code: number | null
  responded_at: Date | null
  run_id: string | null
}

async function send(state: string, timeoutMs: number): Promise<RecordedRequest> {
  const [row] = await sql<RecordedRequest[]>`
    select * from private.request_scoring(${[state]}::text[], ${timeoutMs})`
  if (!row) throw new Error(`No request was sent for ${state}`)
  return row
}

async function recorded(token: string): Promise<RecordedRequest | undefined> {
  const [row] = await sql<RecordedRequest[]>`
    select * from private.scoring_requests where token = ${token}`
  return row
}

beforeAll(async () => {
  await activateFixtureModel(sql, modelVersion)
  server = await serveFunction()
  pointVaultAt(server.url.replace(/\/functions\/v1\/score-games$/, ''))
})

afterAll(async () => {
  startPgNetWorker()
  restoreLocalVault()
  await server?.stop()
  await removeModel(sql, modelVersion)
  await sql.end()
})

describe('a pg_net id reused after a simulated crash', () => {
  let lost: RecordedRequest
  let later: RecordedRequest

  beforeAll(async () => {
    stopPgNetWorker()
    // Queued, never sent: the worker is down, and the "crash" below empties the queue.
    lost = await send('WI', 1_000)
    await sql`truncate net.http_request_queue, net._http_response`
    await sql`select setval('net.http_request_queue_id_seq', ${lost.net_request_id}::bigint, false)`
    startPgNetWorker()
    later = await send('IA', 120_000)
    await waitUntil("pg_net recorded the later request's answer", async () => {
      const [row] = await sql<{ count: number }[]>`
        select count(*)::int as count from net._http_response where id = ${later.net_request_id}`
      return (row?.count ?? 0) > 0
    }, { timeoutMs: 60_000, intervalMs: 100 })
    // Past the lost request's 1 s timeout: the capture step may now call it lost.
    await sql`select pg_sleep(1.1)`
    await sql`select private.capture_scoring_responses(lost_after => interval '0 seconds')`
  })

  it('is the same id for both requests', () => {
    expect(later.net_request_id).toBe(lost.net_request_id)
    expect(later.token).not.toBe(lost.token)
  })

  it('gives the answer to the request that caused it', async () => {
    const row = await recorded(later.token)
    const [run] = await sql<{ id: string; status: string }[]>`
      select id, status::text from public.scoring_runs where request_token = ${later.token}`
    expect(run?.status).toBe('succeeded')
    expect(row).toMatchObject({ state: 'IA', outcome: 'ok', status_code: 200, run_id: run?.id })
    expect(row?.responded_at).toBeInstanceOf(Date)
  })

  it('never reads the lost request as a success', async () => {
    expect(await recorded(lost.token)).toMatchObject({
      state: 'WI',
      outcome: 'no_response',
      status_code: null,
      responded_at: null,
      run_id: null,
    })
    expect(await healthOf(sql, 'WI')).toMatchObject({
      last_request_status: 'failed',
      last_request_failure: 'no_response',
      last_request_run_id: null,
    })
  })
})
