/**
 * Which database failures a caller should simply retry: the connection was refused, dropped or
 * never made (Postgres restarting, a network cut), the server is shutting down or out of
 * connections, or a statement ran past the function's statement timeout. Each becomes a 503 with
 * a code and a `Retry-After`; anything else stays what it was (a bug, answered as a generic 500).
 */
import { ScoringError } from '../http/errors.ts'

/** postgres.js's own connection errors, and the socket errors it passes on. */
const CONNECTION_ERROR_CODES = new Set([
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
])

/** Deno's names for the same socket failures, when they surface as Deno errors. */
const CONNECTION_ERROR_NAMES = new Set([
  'ConnectionRefused',
  'ConnectionReset',
  'ConnectionAborted',
  'BrokenPipe',
  'NotConnected',
  'TimedOut',
])

/**
 * SQLSTATEs of a server that is going away or cannot take us: class 08 (connection exception),
 * 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now, 53300
 * too_many_connections.
 */
function isServerUnavailable(sqlState: string): boolean {
  return sqlState.startsWith('08') || ['57P01', '57P02', '57P03', '53300'].includes(sqlState)
}

/** 57014 query_canceled: the statement timeout the function sets on its connections. */
const STATEMENT_TIMEOUT = '57014'

/** Seconds a caller is told to wait before retrying after a database failure. */
export const DATABASE_RETRY_AFTER_SECONDS = 10

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined
  const code = (error as { code: unknown }).code
  return typeof code === 'string' ? code : undefined
}

/**
 * The 503 a caller gets for a database failure worth retrying, or null when `error` is something
 * else. The message names what happened, never the SQL.
 */
export function databaseFailure(error: unknown): ScoringError | null {
  if (error instanceof ScoringError) return null
  const code = codeOf(error)
  const name = error instanceof Error ? error.name : undefined
  const details = { retry_after_seconds: DATABASE_RETRY_AFTER_SECONDS }
  if (code === STATEMENT_TIMEOUT) {
    return new ScoringError(
      'database_timeout',
      503,
      'The database did not finish a statement of this run in time; retry later',
      details,
    )
  }
  const isPostgresError = name === 'PostgresError'
  if (
    (code !== undefined && CONNECTION_ERROR_CODES.has(code)) ||
    (name !== undefined && CONNECTION_ERROR_NAMES.has(name)) ||
    (isPostgresError && code !== undefined && isServerUnavailable(code))
  ) {
    return new ScoringError(
      'database_unavailable',
      503,
      `The database connection failed (${code ?? name}); retry once the database is back`,
      details,
    )
  }
  return null
}
