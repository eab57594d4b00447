/**
 * Builds the local database: the Supabase-compatibility bootstrap, every migration in order, then
 * the seed, each file in its own transaction through psql (which reports the failing line).
 */
import { execFileSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { join, relative } from 'node:path'
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

/** Runs one SQL file in a single transaction; throws with psql's message when it fails. */
export function applySqlFile(file: string, url = dbUrl): void {
  try {
    execFileSync(
      psqlPath,
      [url, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '--single-transaction', '-f', file],
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

/** Applies the migrations only (as `supabase db push` would). */
export function applyMigrations(url = dbUrl): void {
  for (const file of migrationFiles()) {
    progress(`applying ${relative(repoRoot, file)}`)
    applySqlFile(file, url)
  }
}

/** Bootstrap, migrations and seed, into an empty database. */
export function buildDatabase(url = dbUrl): void {
  progress('applying the Supabase-compatibility bootstrap (local stack only)')
  applySqlFile(bootstrapFile, url)
  applyMigrations(url)
  progress('applying supabase/seed.sql')
  applySqlFile(join(supabaseDir, 'seed.sql'), url)
}
