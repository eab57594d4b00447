/**
 * The score-games HTTP handler: POST only, the project's secret key only, a zod-validated body,
 * then one run. Errors are answered as `{ "error": { "code", "message" } }` by {@link errorBody}
 * (with `Retry-After` when the caller should try again); unexpected ones are logged with their
 * stack and answered with a generic 500. A request's X-Scoring-Request-Token is echoed on every
 * answer.
 */
import { authorize } from './auth.ts'
import { errorBody, ScoringError } from './errors.ts'
import { parseScoringRequest } from './request.ts'
import { assertRequestTokenValid, REQUEST_TOKEN_HEADER, requestTokenOf } from './request-token.ts'
import { executeRun, type RunContext } from '../run/run.ts'

/** What the handler needs besides a run context. */
export interface HandlerContext extends RunContext {
  secretKeys: readonly string[]
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  })
}

/** Builds the request handler of the score-games function. */
export function createHandler(context: HandlerContext): (request: Request) => Promise<Response> {
  return async (request) => {
    const started = Date.now()
    const requestToken = requestTokenOf(request.headers)
    const echo: Record<string, string> = requestToken
      ? { [REQUEST_TOKEN_HEADER]: requestToken }
      : {}
    try {
      if (request.method !== 'POST') {
        throw new ScoringError(
          'method_not_allowed',
          405,
          `Method ${request.method} not allowed: use POST`,
        )
      }
      await authorize(request.headers, context.secretKeys)
      assertRequestTokenValid(request.headers)
      const scoringRequest = parseScoringRequest(await request.text())
      const result = await executeRun(scoringRequest, context, { requestToken })
      context.log({
        event: 'score_games_run',
        status: result.skipped.length > 0 ? 'partial' : 'succeeded',
        run_id: result.run_id,
        trigger: scoringRequest.trigger,
        states: scoringRequest.states,
        game_ids: scoringRequest.gameIds?.length ?? null,
        dry_run: result.dry_run,
        model_version: result.model_version,
        prediction_date: result.prediction_date,
        scored: result.scored,
        skipped: result.skipped.length,
        request_token: requestToken,
        timings_ms: result.timings_ms,
      })
      return json(200, result, echo)
    } catch (error) {
      const { status, body, headers } = errorBody(error)
      context.log({
        event: 'score_games_error',
        status,
        code: body.error.code,
        message: body.error.message,
        run_id: body.error.run_id ?? null,
        request_token: requestToken,
        elapsed_ms: Date.now() - started,
        ...(error instanceof ScoringError ? {} : { stack: stackOf(error) }),
      })
      return json(status, body, {
        ...headers,
        ...echo,
        ...(status === 405 ? { allow: 'POST' } : {}),
      })
    }
  }
}

function stackOf(error: unknown): string {
  return error instanceof Error ? error.stack ?? error.message : String(error)
}
