/**
 * The nightly job end to end on the local stack: the job's own command, run in Postgres, reaches
 * the real score-games function (served by Deno on 127.0.0.1:54321) through the pg_net stand-in;
 * the function scores the active games and records a `cron` run per state; scoring_health reports
 * it, and reports a request the function rejects (wrong key) as failed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FunctionServer } from '../scripts/local-stack/function-server.ts'
import { connect } from './helpers/database.ts'
import { activateFixtureModel, removeModel } from './helpers/fixture-model.ts'
import { serveFunction } from './helpers/function.ts'
import {
  healthOnceAnswered,
  pointVaultAt,
  requestScoring,
  restoreLocalVault,
} from './helpers/nightly-schedule.ts'

const modelVersion = 'cron-e2e-fixture'
/** Long enough for a real run, as the nightly job's own timeout is. */
const answerTimeoutMs = 120_000

const sql = connect()
let server: FunctionServer
let projectUrl: string

beforeAll(async () => {
  await activateFixtureModel(sql, modelVersion)
  server = await serveFunction()
  projectUrl = server.url.replace(/\/functions\/v1\/score-games$/, '')
  pointVaultAt(projectUrl)
})

afterAll(async () => {
  restoreLocalVault()
  await server?.stop()
  await removeModel(sql, modelVersion)
  await sql.end()
})

describe('the nightly job against the served score-games function', () => {
  it('scores every active game, one cron run per state, and scoring_health is healthy', async () => {
    const activeStates = await sql<{ state: string; games: number }[]>`
      select state, count(*)::int as games from public.games where is_active
      group by state order by state`
    expect(activeStates.length).toBeGreaterThan(0)
    const [nightly] = await sql<{ command: string }[]>`
      select command from cron.job where jobname = 'score-games-nightly'`
    if (!nightly) throw new Error('The score-games-nightly job is not scheduled')

    const [mark] = await sql<{ last_id: string | null; now: Date }[]>`
      select max(id)::text as last_id, now() from private.scoring_requests`
    await sql.unsafe(nightly.command)
    const sent = await sql<{ net_request_id: string; state: string }[]>`
      select net_request_id, state from private.scoring_requests
      where id > ${mark?.last_id ?? '0'}::bigint order by state`
    expect(sent.map((request) => request.state)).toEqual(activeStates.map((row) => row.state))

    for (const request of sent) {
      const health = await healthOnceAnswered(sql, {
        state: request.state,
        netRequestId: Number(request.net_request_id),
        timeoutMs: answerTimeoutMs,
      })
      expect(health, `scoring_health of ${request.state}`).toMatchObject({
        last_request_status: 'succeeded',
        last_request_http_status: 200,
        stale: false,
        healthy: true,
        problem: null,
      })
    }

    const runs = await sql<
      { state: string; status: string; scored: number; predictions: number }[]
    >`
      select run.scope -> 'states' ->> 0 as state, run.status::text, run.scored_count as scored,
        (select count(*)::int from public.predictions where run_id = run.id) as predictions
      from public.scoring_runs as run
      where run.trigger = 'cron' and run.started_at >= ${mark?.now ?? new Date(0)}
      order by 1`
    expect(runs.map((run) => run.state)).toEqual(activeStates.map((row) => row.state))
    for (const run of runs) {
      expect(['succeeded', 'partial']).toContain(run.status)
      expect(run.scored).toBeGreaterThan(0)
      expect(run.predictions).toBe(run.scored)
    }
  })

  it('shows a request the function rejects (wrong key) as failed, and no run is recorded', async () => {
    const [state] = await sql<{ state: string }[]>`
      select min(state) as state from public.games where is_active`
    if (!state?.state) throw new Error('No active game to request scoring for')
    const [before] = await sql<{ count: number }[]>`
      select count(*)::int as count from public.scoring_runs`

    pointVaultAt(projectUrl, 'not-the-service-key')
    try {
      const [netRequestId] = await requestScoring(sql, {
        states: [state.state],
        timeoutMs: answerTimeoutMs,
      })
      const health = await healthOnceAnswered(sql, {
        state: state.state,
        netRequestId: netRequestId ?? 0,
        timeoutMs: answerTimeoutMs,
      })
      expect(health).toMatchObject({
        last_request_status: 'failed',
        last_request_failure: 'http_error',
        last_request_http_status: 401,
        healthy: false,
      })
    } finally {
      pointVaultAt(projectUrl)
    }
    const [after] = await sql<{ count: number }[]>`
      select count(*)::int as count from public.scoring_runs`
    expect(after?.count).toBe(before?.count)
  })
})
