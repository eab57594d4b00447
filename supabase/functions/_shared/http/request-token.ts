/**
 * The per-request token of the nightly job's requests: `X-Scoring-Request-Token: <uuid>`, sent by
 * the database with each request (private.send_scoring_requests), recorded on the run the request
 * starts and echoed on every answer, so the database ties an answer to the request that caused
 * it even when pg_net reuses a request id after a crash. Other callers need not send one.
 */
import { ScoringError } from './errors.ts'

/** The header's name (HTTP header names are case-insensitive). */
export const REQUEST_TOKEN_HEADER = 'x-scoring-request-token'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** The token, lower-cased, when the header holds a UUID; null when it is absent or not one. */
export function requestTokenOf(headers: Headers): string | null {
  const value = headers.get(REQUEST_TOKEN_HEADER)?.trim().toLowerCase()
  return value !== undefined && UUID.test(value) ? value : null
}

/** Throws a 400 when the header is present but not a UUID. */
export function assertRequestTokenValid(headers: Headers): void {
  const value = headers.get(REQUEST_TOKEN_HEADER)
  if (value !== null && requestTokenOf(headers) === null) {
    throw new ScoringError(
      'invalid_request',
      400,
      `Invalid header X-Scoring-Request-Token: must be a UUID, got "${value.slice(0, 60)}"`,
    )
  }
}
