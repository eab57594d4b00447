/**
 * Builds the local database: the Supabase-compatibility bootstrap, every migration in order, then
 * the seed, each file in its own transaction through psql (which reports the failing line). Each
 * migration is recorded in `supabase_migrations.schema_migrations` in the same transaction, as
 * the Supabase CLI records it, so a database built by an older checkout is brought forward by
 * applying only the migrations it lacks (`planMigrations`).
 */
import { execFileSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { basename, join, relative } from 'node:path'
import { dbUrl, repoRoot, supabaseDir } from './config.ts'
import { psqlPath } from './postgres.ts'
import { progress } from '../lib/progress.ts'

/** The bootstrap that makes plain Postgres look like Supabase's (local stack only). */
export const bootstrapFile = join(repoRoot, 'scripts', 'local-stack', 'bootstrap.sql')

/** Migration files, oldest first (their names start with a timestamp). */
export function migrationFiles(): string[] {
  const dir = join(supabaseDir, 'migrations')
  return readdirSync(dir).filter((name) => name.endsWith('.sql')).sort().map((name) =>
    join(dir, name)
  )
}

/**
 * Runs one SQL file in a single transaction, with psql variables (`:name` in the file) and, with
 * `then`, a statement run after it in the same transaction; throws with psql's message when it
 * fails.
 */
export function applySqlFile(
  file: string,
  url = dbUrl,
  options: { then?: string; variables?: Record<string, string> } = {},
): void {
  const variables = Object.entries(options.variables ?? {}).flatMap(([name, value]) => [
    '-v',
    `${name}=${value}`,
  ])
  const then = options.then ? ['-c', options.then] : []
  try {
    execFileSync(
      psqlPath,
      [
        url,
        '-X',
        '-q',
        '-v',
        'ON_ERROR_STOP=1',
        '--single-transaction',
        ...variables,
        '-f',
        file,
        ...then,
      ],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, PGOPTIONS: '--client-min-messages=warning' },
      },
    )
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? String(error)
    throw new Error(`Cannot apply ${relative(repoRoot, file)}: ${stderr.trim()}`)
  }
}

/** A migration's version (the timestamp its name starts with) and name, as the CLI splits them. */
export function migrationId(file: string): { version: string; name: string } {
  const match = /^(\d+)_(.*)\.sql$/.exec(basename(file))
  if (!match) {
    throw new Error(`Cannot read migration ${file}: its name must be <timestamp>_<name>.sql`)
  }
  return { version: match[1] ?? '', name: match[2] ?? '' }
}

/** Applies one migration and records it in the same transaction. */
function applyMigration(file: string, url: string): void {
  const { version, name } = migrationId(file)
  progress(`applying ${relative(repoRoot, file)}`)
  applySqlFile(file, url, {
    then:
      `insert into supabase_migrations.schema_migrations (version, name) values ('${version}', '${
        name.replaceAll("'", "''")
      }')`,
  })
}

/** Applies the given migrations in order (by default every one, as `supabase db push` would). */
export function applyMigrations(url = dbUrl, files = migrationFiles()): void {
  for (const file of files) applyMigration(file, url)
}

/**
 * What an existing database needs to match the migration files: nothing, the new migrations
 * (every one newer than all it has applied), or a rebuild, with the reason, when it cannot be
 * brought forward in order: it predates the recorded history, it has a migration no file holds
 * (built on another branch), or a file older than its newest migration is missing from it (a
 * merge put one in between).
 */
export type MigrationPlan =
  | { kind: 'current' }
  | { kind: 'apply'; files: string[] }
  | { kind: 'rebuild'; reason: string }

/** Compares the recorded migrations of the database at `url` with the migration files. */
export function planMigrations(url = dbUrl, files = migrationFiles()): MigrationPlan {
  const recorded = recordedVersions(url)
  if (recorded === null) {
    return { kind: 'rebuild', reason: 'it was built before migrations were recorded' }
  }
  const known = new Set(files.map((file) => migrationId(file).version))
  const unknown = recorded.filter((version) => !known.has(version))
  if (unknown.length > 0) {
    return { kind: 'rebuild', reason: `it has migrations no file holds (${unknown.join(', ')})` }
  }
  const applied = new Set(recorded)
  const newest = recorded.reduce((max, version) => (version > max ? version : max), '')
  const pending = files.filter((file) => !applied.has(migrationId(file).version))
  const older = pending.filter((file) => migrationId(file).version < newest)
  if (older.length > 0) {
    const names = older.map((file) => basename(file)).join(', ')
    return { kind: 'rebuild', reason: `it lacks migrations older than its newest (${names})` }
  }
  return pending.length === 0 ? { kind: 'current' } : { kind: 'apply', files: pending }
}

/** The versions recorded in the database, or null when it has no migration history table. */
function recordedVersions(url: string): string[] | null {
  const query = (statement: string) =>
    execFileSync(psqlPath, [url, '-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-c', statement], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    }).split('\n').filter((line) => line !== '')
  const [history] = query(`select to_regclass('supabase_migrations.schema_migrations') is not null`)
  if (history !== 't') return null
  return query('select version from supabase_migrations.schema_migrations order by version')
}

/** Bootstrap, migrations and seed, into an empty database. */
export function buildDatabase(url = dbUrl): void {
  progress('applying the Supabase-compatibility bootstrap (local stack only)')
  applySqlFile(bootstrapFile, url)
  applyMigrations(url)
  progress('applying supabase/seed.sql')
  applySqlFile(join(supabaseDir, 'seed.sql'), url)
}
