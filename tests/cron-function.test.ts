/**
 * The nightly job end to end on the local stack, over the seed's twelve states: the job's own
 * command (score-games-nightly) opens tonight and sends its first requests through the pg_net
 * stand-in to the real score-games function, served here admitting only 3 runs at once so that it
 * refuses most of them at first (429); the dispatch job's own command (score-games-dispatch,
 * every minute in production, here as soon as nothing is in flight) retries until every state is
 * scored. Each state ends with one succeeded cron run that scored exactly its active games, each
 * game with one prediction, and scoring_health reads the night done and healthy. A request the
 * function rejects (wrong key) reads as failed and records no run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FunctionServer } from '../scripts/local-stack/function-server.ts'
import { todayInChicago } from '../supabase/functions/_shared/http/request.ts'
import { connect } from './helpers/database.ts'
import { activateFixtureModel, removeModel } from './helpers/fixture-model.ts'
import { serveFunction } from './helpers/function.ts'
import {
  cronCommand,
  dispatchUntilSettled,
  health,
  healthOnceAnswered,
  pointVaultAt,
  requestScoring,
  restoreLocalVault,
} from './helpers/nightly-schedule.ts'

const modelVersion = 'cron-e2e-fixture'
/** Long enough for a real run, as the nightly job's own timeout is. */
const answerTimeoutMs = 120_000
/** The function admits this many runs at once (its default is 8, the night sends 8 at once). */
const runsAdmitted = 3

const sql = connect()
let server: FunctionServer
let projectUrl: string
const tonight = todayInChicago()

beforeAll(async () => {
  await activateFixtureModel(sql, modelVersion)
  // Tonight starts from nothing: no night, no request, no run or prediction of its date.
  await sql`delete from private.scoring_nights`
  await sql`delete from private.scoring_requests where prediction_date = ${tonight}::date`
  await sql`delete from public.predictions where prediction_date = ${tonight}::date`
  await sql`delete from public.scoring_runs where prediction_date = ${tonight}::date`
  server = await serveFunction({ SCORER_MAX_RUNS_IN_FLIGHT: String(runsAdmitted) })
  projectUrl = server.url.replace(/\/functions\/v1\/score-games$/, '')
  pointVaultAt(projectUrl)
})

afterAll(async () => {
  // Close the night, or the every-minute dispatch job would go on sending into later tests.
  await sql`delete from private.scoring_nights`
  restoreLocalVault()
  await server?.stop()
  await removeModel(sql, modelVersion)
  await sql.end()
})

describe('the nightly job against the served score-games function', () => {
  it('scores every state of twelve, retrying the refused ones, and writes no row twice', async () => {
    const activeStates = await sql<{ state: string; games: number }[]>`
      select state, count(*)::int as games from public.games where is_active
      group by state order by state`
    expect(activeStates.length).toBeGreaterThanOrEqual(12)
    const gamesOf = new Map(activeStates.map((row) => [row.state, row.games]))

    const first = await sql.unsafe(await cronCommand(sql, 'score-games-nightly'))
    expect(first.length, 'the first wave is max_in_flight (8) requests').toBe(8)
    const dispatches = await dispatchUntilSettled(sql, {
      predictionDate: tonight,
      timeoutMs: 90_000,
    })
    expect(dispatches).toBeGreaterThanOrEqual(2)

    // Every state: one succeeded cron run, for tonight, that scored exactly its active games.
    const runs = await sql<
      { state: string; status: string; scored: number; predictions: number; runs: number }[]
    >`
      select run.scope -> 'states' ->> 0 as state, run.status::text, run.scored_count as scored,
        (select count(*)::int from public.predictions where run_id = run.id) as predictions,
        count(*) over (partition by run.scope)::int as runs
      from public.scoring_runs as run
      where run.trigger = 'cron' and run.prediction_date = ${tonight}::date
        and run.status <> 'failed'
      order by 1`
    expect(runs.map((run) => run.state)).toEqual(activeStates.map((row) => row.state))
    for (const run of runs) {
      expect(run, run.state).toEqual({
        state: run.state,
        status: 'succeeded',
        scored: gamesOf.get(run.state),
        predictions: gamesOf.get(run.state),
        runs: 1,
      })
    }
    const [written] = await sql<{ rows: number; games: number }[]>`
      select count(*)::int as rows, count(distinct game_id)::int as games
      from public.predictions where prediction_date = ${tonight}::date`
    const totalGames = activeStates.reduce((sum, row) => sum + row.games, 0)
    expect(written).toEqual({ rows: totalGames, games: totalGames })

    // The function refused some requests at first; the dispatcher retried them, within bounds.
    const requests = await sql<
      {
        state: string
        attempt: number
        status_code: number | null
        outcome: string
        run: boolean
      }[]
    >`
      select request.state, request.attempt, request.status_code, request.outcome,
        request.run_id is not distinct from run.id and run.id is not null as run
      from private.scoring_requests as request
      left join public.scoring_runs as run on run.request_token = request.token
      where request.prediction_date = ${tonight}::date
      order by request.state, request.attempt`
    expect(requests.filter((request) => request.status_code === 429).length).toBeGreaterThan(0)
    expect(Math.max(...requests.map((request) => request.attempt))).toBeLessThanOrEqual(5)
    for (const request of requests) {
      if (request.outcome === 'ok') {
        expect(request, 'a 200 names the run its token started').toMatchObject({ run: true })
      } else {
        expect(request.status_code, `${request.state} #${request.attempt}`).toBe(429)
      }
    }
    for (const row of activeStates) {
      expect(requests.filter((request) => request.state === row.state && request.outcome === 'ok'))
        .toHaveLength(1)
    }

    for (const state of await health(sql)) {
      expect(state, `scoring_health of ${state.state}`).toMatchObject({
        night_status: 'done',
        last_request_status: 'succeeded',
        last_request_http_status: 200,
        stale: false,
        healthy: true,
        problem: null,
      })
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
      const answered = await healthOnceAnswered(sql, {
        state: state.state,
        netRequestId: netRequestId ?? 0,
        timeoutMs: answerTimeoutMs,
      })
      expect(answered).toMatchObject({
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
