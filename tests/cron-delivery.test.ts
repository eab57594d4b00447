/**
 * The nightly schedule's request path, for real: private.request_scoring queues a pg_net request,
 * the local pg_net stand-in sends it after commit to a real HTTP endpoint on 127.0.0.1, and
 * scoring_health reports what came back. The endpoint stands in for score-games only to produce
 * the failures (401, no answer) the real function would not give on demand.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { localServiceRoleKey } from '../scripts/local-stack/config.ts'
import { todayInChicago } from '../supabase/functions/_shared/http/request.ts'
import { connect } from './helpers/database.ts'
import { type RecordingEndpoint, startRecordingEndpoint } from './helpers/recording-endpoint.ts'
import {
  healthOf,
  healthOnceAnswered,
  pointVaultAt,
  requestScoring,
  restoreLocalVault,
} from './helpers/nightly-schedule.ts'

/** A state of its own, so the seeded states and other tests are untouched. */
const state = 'QD'
const sql = connect()
let endpoint: RecordingEndpoint

beforeAll(async () => {
  // Runs left by earlier test files (an all-states run covers this state too) would make the
  // fresh state look covered: this file starts from an empty run log.
  await sql`delete from public.scoring_runs`
  await sql`
    insert into public.games (state, game_number, game_name, ticket_price, overall_odds)
    values (${state}, 'CRON-1', 'Cron delivery test', 5, 3.5)`
  endpoint = await startRecordingEndpoint()
  pointVaultAt(endpoint.projectUrl)
})

afterAll(async () => {
  restoreLocalVault()
  await endpoint.stop()
  await sql`delete from public.games where state = ${state}`
  await sql`delete from public.scoring_runs where scope = ${sql.json({ states: [state] })}::jsonb`
  await sql`delete from private.scoring_requests where state = ${state}`
  await sql.end()
})

describe('private.request_scoring through the pg_net stand-in', () => {
  it('sends nothing before commit, then POSTs the cron body with the service key and its token', async () => {
    endpoint.answerWith({ status: 200, body: '{"run_id":"test"}' })
    const before = endpoint.received.length
    let netRequestId = 0
    let token = ''
    await sql.begin(async (tx) => {
      await tx`set local role service_role`
      const [row] = await tx<{ net_request_id: string; token: string }[]>`
        select net_request_id, token from private.request_scoring(${[state]}::text[], 5000)`
      netRequestId = Number(row?.net_request_id)
      token = row?.token ?? ''
      // Longer than the worker's 2 s poll: an uncommitted request must stay unsent.
      await new Promise((resolve) => setTimeout(resolve, 2_500))
      expect(endpoint.received.length, 'nothing sent before commit').toBe(before)
    })

    const received = await endpoint.waitForRequest({ after: before, timeoutMs: 10_000 })
    expect(received.method).toBe('POST')
    expect(received.path).toBe('/functions/v1/score-games')
    expect(received.headers['authorization']).toBe(`Bearer ${localServiceRoleKey}`)
    expect(received.headers['apikey']).toBe(localServiceRoleKey)
    expect(received.headers['content-type']).toBe('application/json')
    expect(received.headers['x-scoring-request-token']).toBe(token)
    expect(token).toMatch(/^[0-9a-f-]{36}$/)
    expect(JSON.parse(received.body)).toEqual({
      trigger: 'cron',
      states: [state],
      prediction_date: todayInChicago(),
    })

    const health = await healthOnceAnswered(sql, { state, netRequestId, timeoutMs: 10_000 })
    expect(health).toMatchObject({
      last_request_id: netRequestId,
      last_request_status: 'succeeded',
      last_request_http_status: 200,
      last_request_failure: null,
      // A 200 alone scores nothing: without a succeeded run the state is still stale.
      stale: true,
      healthy: false,
    })
  })

  it('reports pending until pg_net has an answer', async () => {
    endpoint.answerWith('hang')
    const [netRequestId] = await requestScoring(sql, { states: [state], timeoutMs: 3_000 })
    await sql`select private.capture_scoring_responses()`
    expect(await healthOf(sql, state)).toMatchObject({
      last_request_id: netRequestId,
      last_request_status: 'pending',
    })
    await healthOnceAnswered(sql, { state, netRequestId: netRequestId ?? 0, timeoutMs: 10_000 })
  })

  describe('a request that fails shows as failed even when a fresh run exists', () => {
    beforeAll(async () => {
      await sql`
        insert into public.scoring_runs (trigger, scope, status, started_at, finished_at)
        values ('http', ${sql.json({ states: [state] })}::jsonb, 'succeeded', now(), now())`
    })

    it.each([
      {
        name: 'a 401 answer (wrong key)',
        answer: { status: 401, body: '{"error":{"code":"unauthorized","message":"Invalid key"}}' },
        timeoutMs: 5_000,
        failure: 'http_error',
        httpStatus: 401,
        error: /^HTTP 401: \{"error":\{"code":"unauthorized"/,
      },
      {
        name: 'no answer within the timeout',
        answer: 'hang' as const,
        timeoutMs: 1_000,
        failure: 'timed_out',
        httpStatus: null,
        error: /^Timeout of 1000 ms reached/,
      },
    ])('$name', async ({ answer, timeoutMs, failure, httpStatus, error }) => {
      endpoint.answerWith(answer)
      const before = endpoint.received.length
      const [netRequestId] = await requestScoring(sql, { states: [state], timeoutMs })
      await endpoint.waitForRequest({ after: before, timeoutMs: 10_000 })

      const health = await healthOnceAnswered(sql, {
        state,
        netRequestId: netRequestId ?? 0,
        timeoutMs: 10_000,
      })
      expect(health).toMatchObject({
        last_request_id: netRequestId,
        last_request_status: 'failed',
        last_request_failure: failure,
        last_request_http_status: httpStatus,
        stale: false,
        healthy: false,
      })
      expect(health?.last_request_error).toMatch(error)
      expect(health?.problem).toMatch(/^the last request failed/)
    })

    it('is healthy again once a request succeeds', async () => {
      endpoint.answerWith({ status: 200, body: '{"run_id":"test"}' })
      const [netRequestId] = await requestScoring(sql, { states: [state], timeoutMs: 5_000 })
      const health = await healthOnceAnswered(sql, {
        state,
        netRequestId: netRequestId ?? 0,
        timeoutMs: 10_000,
      })
      expect(health).toMatchObject({
        last_request_status: 'succeeded',
        stale: false,
        healthy: true,
        problem: null,
      })
    })
  })
})
