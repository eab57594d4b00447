/**
 * Which database failures a caller should simply retry: the connection was refused, dropped or
 * never made (Postgres restarting, a network cut), the server is shutting down or out of
 * connections, or a statement ran past the function's statement timeout. Each becomes a 503 with
 * a code and a `Retry-After`; anything else stays what it was (a bug, answered as a generic 500).
 */
import { ScoringError } from '../http/errors.ts'

/**
 * postgres.js's own errors, the socket errors it passes on and Deno's names for them, of a
 * connection that could not be made: the database is down or out of reach.
 */
const UNREACHABLE = new Set([
  'CONNECTION_ENDED',
  'CONNECT_TIMEOUT',
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ConnectionRefused',
])

/** The same, of a connection that was made and then lost (the database may well be up). */
const LOST = new Set([
  'CONNECTION_CLOSED',
  'CONNECTION_DESTROYED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ConnectionReset',
  'ConnectionAborted',
  'BrokenPipe',
  'NotConnected',
  'TimedOut',
])

/**
 * How a server refuses or ends our connection, by SQLSTATE: 57P03 cannot_connect_now and 53300
 * too_many_connections refuse it; class 08 (connection exception), 57P01 admin_shutdown (a
 * shutdown, or this one backend terminated) and 57P02 crash_shutdown end it.
 */
function serverFailure(sqlState: string): 'unreachable' | 'lost' | null {
  if (['57P03', '53300'].includes(sqlState)) return 'unreachable'
  if (sqlState.startsWith('08') || ['57P01', '57P02'].includes(sqlState)) return 'lost'
  return null
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
  const failure = (code !== undefined && name === 'PostgresError')
    ? serverFailure(code)
    : [code, name].some((key) => key !== undefined && UNREACHABLE.has(key))
    ? 'unreachable'
    : [code, name].some((key) => key !== undefined && LOST.has(key))
    ? 'lost'
    : null
  if (failure === null) return null
  return new ScoringError(
    'database_unavailable',
    503,
    failure === 'lost'
      ? `The database connection was lost during the run (${code ?? name}); retry`
      : `The database cannot be reached (${code ?? name}); retry once the database is back`,
    details,
  )
}
