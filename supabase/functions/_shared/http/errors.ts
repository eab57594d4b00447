/**
 * The one error type of the scorer: a machine-readable code, an HTTP status and a message that
 * is safe to show a caller (no SQL, no stack, no secret). Rendered in one place: {@link errorBody}.
 */
export class ScoringError extends Error {
  /** Machine-readable code, e.g. `invalid_request`, `model_unavailable`. */
  readonly code: string
  /** HTTP status to answer with. */
  readonly status: number
  /** Extra safe fields for the answer, e.g. the id of the run this error closed. */
  details: Record<string, string | number | null>

  constructor(
    code: string,
    status: number,
    message: string,
    details: Record<string, string | number | null> = {},
  ) {
    super(message)
    this.name = 'ScoringError'
    this.code = code
    this.status = status
    this.details = details
  }
}

/** The JSON body of an error answer: `{ "error": { "code", "message", ...details } }`. */
export interface ErrorBody {
  error: { code: string; message: string; [detail: string]: string | number | null }
}

/** An error answer: its status, body and headers. */
export interface ErrorAnswer {
  status: number
  body: ErrorBody
  /** `Retry-After` (seconds) when the error says when to try again. */
  headers: Record<string, string>
}

/**
 * Turns any thrown value into a status, a body and headers; unknown errors become a generic 500.
 * A `retry_after_seconds` detail (refusals, an unreachable database) is also sent as the
 * `Retry-After` header.
 */
export function errorBody(error: unknown): ErrorAnswer {
  if (error instanceof ScoringError) {
    const retryAfter = error.details.retry_after_seconds
    return {
      status: error.status,
      body: { error: { ...error.details, code: error.code, message: error.message } },
      headers: typeof retryAfter === 'number' ? { 'retry-after': String(retryAfter) } : {},
    }
  }
  return {
    status: 500,
    body: { error: { code: 'internal_error', message: 'The scorer failed unexpectedly' } },
    headers: {},
  }
}
