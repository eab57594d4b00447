/**
 * The Docker-free local stack: `npm run db:start | db:reset | db:stop`.
 * Postgres, plus the pg_net stand-in worker that sends what net.http_post queues.
 * Every command ends by printing the database URL.
 */
import postgres from 'postgres'
import { dbUrl } from './local-stack/config.ts'
import { applyMigrations, buildDatabase, planMigrations } from './local-stack/migrate.ts'
import { destroyCluster, startPostgres, stopPostgres } from './local-stack/postgres.ts'
import { startPgNetWorker, stopPgNetWorker } from './local-stack/pg-net-worker-process.ts'
import { setLocalVaultSecrets } from './local-stack/vault.ts'
import { isMain } from './lib/cli.ts'
import { progress } from './lib/progress.ts'

/** True when the project's schema is already in the database. */
async function isBuilt(): Promise<boolean> {
  const sql = postgres(dbUrl, { max: 1, onnotice: () => {} })
  try {
    const [row] = await sql<{ built: boolean }[]>`
      select to_regclass('public.games') is not null as built`
    return row?.built ?? false
  } finally {
    await sql.end()
  }
}

/**
 * Starts the local stack, building the database the first time and bringing a database built by
 * an older checkout up to the migration files (the new migrations, or a rebuild when it cannot
 * be brought forward in order: local data is then replaced by the seed, and it says so).
 */
export async function start(): Promise<void> {
  startPostgres()
  if (!(await isBuilt())) build()
  else bringForward()
  startPgNetWorker()
}

function bringForward(): void {
  const plan = planMigrations()
  if (plan.kind === 'apply') {
    progress(`the local database lacks ${plan.files.length} new migration(s): applying them`)
    applyMigrations(undefined, plan.files)
  } else if (plan.kind === 'rebuild') {
    progress(`rebuilding the local database from the migrations and the seed: ${plan.reason}`)
    rebuild()
  }
}

/** Rebuilds the local database from nothing: new cluster, bootstrap, migrations, seed. */
export function reset(): void {
  stopPgNetWorker()
  rebuild()
  startPgNetWorker()
}

/** A new cluster, built. */
function rebuild(): void {
  destroyCluster()
  startPostgres()
  build()
}

/** Stops the local stack. */
export function stop(): void {
  stopPgNetWorker()
  stopPostgres()
}

/** The database, then the local Vault secrets the nightly schedule reads. */
function build(): void {
  buildDatabase()
  setLocalVaultSecrets()
}

async function main(command: string | undefined): Promise<void> {
  if (command === 'start') await start()
  else if (command === 'reset') reset()
  else if (command === 'stop') stop()
  else throw new Error(`Unknown command ${command ?? '(none)'}: use start, reset or stop`)
  progress(command === 'stop' ? 'stopped' : 'ready')
  console.log(dbUrl)
}

if (isMain(import.meta.url)) {
  await main(process.argv[2])
}
