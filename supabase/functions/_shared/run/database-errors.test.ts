import { describe, expect, it } from 'vitest'
import { ScoringError } from '../http/errors.ts'
import { databaseFailure } from './database-errors.ts'

function withCode(code: string, name = 'Error'): Error {
  const error = new Error(`failure ${code}`)
  error.name = name
  return Object.assign(error, { code })
}

describe('databaseFailure', () => {
  it.each([
    [
      'postgres.js: the server closed the connection',
      withCode('CONNECTION_CLOSED'),
      'database_unavailable',
    ],
    ['postgres.js: connect timeout', withCode('CONNECT_TIMEOUT'), 'database_unavailable'],
    ['socket: connection refused', withCode('ECONNREFUSED'), 'database_unavailable'],
    ['socket: connection reset', withCode('ECONNRESET'), 'database_unavailable'],
    ['Postgres: admin shutdown', withCode('57P01', 'PostgresError'), 'database_unavailable'],
    ['Postgres: crash shutdown', withCode('57P02', 'PostgresError'), 'database_unavailable'],
    [
      'Postgres: connection exception class 08',
      withCode('08006', 'PostgresError'),
      'database_unavailable',
    ],
    ['Postgres: too many connections', withCode('53300', 'PostgresError'), 'database_unavailable'],
    ['Postgres: statement timeout', withCode('57014', 'PostgresError'), 'database_timeout'],
    [
      'Deno: connection refused',
      Object.assign(new Error('x'), { name: 'ConnectionRefused' }),
      'database_unavailable',
    ],
  ])('%s is a 503 with Retry-After (%s)', (_name, error, code) => {
    const failure = databaseFailure(error)
    expect(failure).toBeInstanceOf(ScoringError)
    expect(failure).toMatchObject({ code, status: 503, details: { retry_after_seconds: 10 } })
    expect(failure?.message).not.toContain('select')
  })

  it.each([
    ['postgres.js: the server closed the connection', withCode('CONNECTION_CLOSED')],
    ['socket: connection reset', withCode('ECONNRESET')],
    ['Postgres: this backend terminated (or a shutdown)', withCode('57P01', 'PostgresError')],
  ])('%s says the connection was lost, not that the database is down', (_name, error) => {
    const message = databaseFailure(error)?.message ?? ''
    expect(message).toMatch(/^The database connection was lost during the run \(\w+\); retry$/)
    expect(message).not.toContain('back')
  })

  it.each([
    ['socket: connection refused', withCode('ECONNREFUSED')],
    ['postgres.js: connect timeout', withCode('CONNECT_TIMEOUT')],
    ['Postgres: starting up', withCode('57P03', 'PostgresError')],
  ])('%s says the database cannot be reached, retry once it is back', (_name, error) => {
    expect(databaseFailure(error)?.message).toMatch(
      /^The database cannot be reached \(\w+\); retry once the database is back$/,
    )
  })

  it.each([
    ['a constraint violation', withCode('23505', 'PostgresError')],
    ['a syntax error', withCode('42601', 'PostgresError')],
    ['a plain bug', new TypeError('x is undefined')],
    ['an error the scorer already explained', new ScoringError('no_active_model', 503, 'none')],
    ['not an error at all', 'text'],
  ])('%s is not a database failure', (_name, error) => {
    expect(databaseFailure(error)).toBeNull()
  })
})
