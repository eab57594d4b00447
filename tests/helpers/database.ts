/** Connections and SQL helpers for integration tests against the local stack. */
import { execFileSync } from 'node:child_process'
import postgres from 'postgres'
import { dbUrl } from '../../scripts/local-stack/config.ts'
import { psqlPath } from '../../scripts/local-stack/postgres.ts'

/** A connection to the local database as its owner (postgres). */
export function connect(): postgres.Sql {
  return postgres(dbUrl, { max: 2, onnotice: () => {} })
}

/** Runs a SQL file with psql and returns what it printed (unaligned, tuples only). */
export function runSqlFile(file: string): string {
  return execFileSync(psqlPath, [
    dbUrl,
    '-X',
    '-A',
    '-t',
    '-q',
    '-v',
    'ON_ERROR_STOP=1',
    '-f',
    file,
  ], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  })
}

/**
 * The database's schema as pg_dump prints it, for comparing two builds. The `\restrict` lines
 * carry a random key per dump and are dropped.
 */
export function dumpSchema(): string {
  const dump = execFileSync(
    psqlPath.replace(/psql$/, 'pg_dump'),
    [dbUrl, '--schema-only', '--no-owner', '--exclude-schema=cron'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  )
  return dump.split('\n').filter((line) => !/^\\(un)?restrict /.test(line)).join('\n')
}
