/**
 * The local PostgreSQL 15 cluster: installed from Debian when missing, kept under `.local/`,
 * listening on 127.0.0.1:54322 with pg_cron preloaded. When run as root, the server runs as the
 * `postgres` OS user (Postgres refuses to run as root).
 */
import { execFileSync, spawnSync } from 'node:child_process'
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { createHash } from 'node:crypto'
import { join, resolve } from 'node:path'
import { dbHost, dbPort, localDir, repoRoot } from './config.ts'
import { progress } from '../lib/progress.ts'

const pgBin = '/usr/lib/postgresql/15/bin'
const requiredPackages = ['postgresql-15', 'postgresql-15-cron', 'postgresql-15-pgtap']
const isRoot = process.getuid?.() === 0

/**
 * The cluster's folder: `.local/postgres` in the repository. When run as root from a folder the
 * `postgres` OS user cannot enter (say, under /root), a per-repository folder under
 * /var/lib/postgresql is used instead, and said so.
 */
export const clusterDir = chooseClusterDir()
const dataDir = join(clusterDir, 'data')
const socketDir = join(clusterDir, 'run')
const logFile = join(clusterDir, 'postgres.log')

function chooseClusterDir(): string {
  const preferred = resolve(localDir, 'postgres')
  if (!isRoot) return preferred
  const reachable = spawnSync('runuser', ['-u', 'postgres', '--', 'test', '-x', repoRoot], {
    stdio: 'ignore',
  })
  if (reachable.status === 0) return preferred
  const id = createHash('sha256').update(repoRoot).digest('hex').slice(0, 12)
  const fallback = `/var/lib/postgresql/scratch-oracle-${id}`
  progress(`the postgres user cannot enter ${repoRoot}; using ${fallback} for the cluster`)
  return fallback
}

/** The command line that runs `command` as the postgres user when we are root. */
function asPostgresUser(command: string, args: string[]): [string, string[]] {
  return isRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args]
}

function run(command: string, args: string[], options: { asPostgres?: boolean } = {}): string {
  const [file, argv] = options.asPostgres ? asPostgresUser(command, args) : [command, args]
  return execFileSync(file, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
}

function sharedir(): string {
  return run(join(pgBin, 'pg_config'), ['--sharedir']).trim()
}

function hasFile(path: string): boolean {
  return existsSync(path)
}

/** True when the server binaries, pg_cron and pgTAP are all installed. */
export function isInstalled(): boolean {
  if (!hasFile(join(pgBin, 'postgres')) || !hasFile(join(pgBin, 'pg_config'))) return false
  const share = sharedir()
  return hasFile(join(share, 'extension', 'pg_cron.control')) &&
    hasFile(join(share, 'extension', 'pgtap.control'))
}

/** Installs PostgreSQL 15, pg_cron and pgTAP from Debian when any is missing. */
export function ensureInstalled(): void {
  if (isInstalled()) return
  if (!isRoot) {
    throw new Error(
      `Cannot install ${requiredPackages.join(', ')}: not root. ` +
        `Run: sudo apt-get install -y ${requiredPackages.join(' ')}`,
    )
  }
  progress(`installing ${requiredPackages.join(', ')} with apt-get (once)`)
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env })
  execFileSync('apt-get', ['install', '-y', '-qq', ...requiredPackages], { stdio: 'inherit', env })
}

/** Installs the local pg_net stand-in extension files (see pg_net-standin/). */
function installPgNetStandIn(): void {
  const target = join(sharedir(), 'extension')
  const source = resolve(repoRoot, 'scripts', 'local-stack', 'pg_net-standin')
  for (const file of readdirSync(source)) cpSync(join(source, file), join(target, file))
}

/** True when a server answers on the local port. */
export function isRunning(): boolean {
  const result = spawnSync(join(pgBin, 'pg_isready'), ['-h', dbHost, '-p', String(dbPort)], {
    stdio: 'ignore',
  })
  return result.status === 0
}

/** Creates an empty cluster (postgres/postgres, scram on TCP) unless one exists. */
function initCluster(): void {
  if (existsSync(join(dataDir, 'PG_VERSION'))) return
  progress(`creating a cluster in ${dataDir}`)
  mkdirSync(socketDir, { recursive: true })
  const passwordFile = join(clusterDir, 'pwfile')
  writeFileSync(passwordFile, 'postgres\n')
  if (isRoot) run('chown', ['-R', 'postgres:postgres', clusterDir])
  chmodSync(clusterDir, 0o755)
  run(join(pgBin, 'initdb'), [
    '-D',
    dataDir,
    '-U',
    'postgres',
    '--pwfile',
    passwordFile,
    '--auth-local=trust',
    '--auth-host=scram-sha-256',
    '--encoding=UTF8',
    '--locale=C.UTF-8',
  ], { asPostgres: true })
  rmSync(passwordFile)
  const settings = [
    `listen_addresses = '${dbHost}'`,
    `port = ${dbPort}`,
    `unix_socket_directories = '${socketDir}'`,
    `shared_preload_libraries = 'pg_cron'`,
    `cron.database_name = 'postgres'`,
    // Jobs run in background workers: no libpq login from pg_cron to the server needed.
    `cron.use_background_workers = on`,
    `max_worker_processes = 32`,
    `timezone = 'UTC'`,
    `fsync = off`,
    `synchronous_commit = off`,
    `full_page_writes = off`,
  ]
  const conf = join(dataDir, 'postgresql.auto.conf')
  run('sh', ['-c', `cat >> '${conf}' <<'EOF'\n${settings.join('\n')}\nEOF`], { asPostgres: true })
}

/** Starts the cluster (installing and creating it first when needed). Idempotent. */
export function startPostgres(): void {
  ensureInstalled()
  installPgNetStandIn()
  if (isRunning()) {
    assertServesThisCluster()
    return
  }
  initCluster()
  progress('starting postgres on 127.0.0.1:54322')
  run(join(pgBin, 'pg_ctl'), ['-D', dataDir, '-l', logFile, '-w', '-t', '60', 'start'], {
    asPostgres: true,
  })
}

/**
 * Refuses to use a server on the port that is not this repository's cluster (another clone's,
 * say): its schema and data are not ours to reset.
 */
function assertServesThisCluster(): void {
  const served = spawnSync(
    join(pgBin, 'psql'),
    [`postgresql://postgres:postgres@${dbHost}:${dbPort}/postgres`, '-XAtc', 'show data_directory'],
    { encoding: 'utf8' },
  ).stdout?.trim()
  if (served && served !== dataDir) {
    throw new Error(
      `Cannot start the local stack: ${dbHost}:${dbPort} is served by another cluster (${served}). ` +
        'Stop it first (npm run db:stop in its repository).',
    )
  }
}

/**
 * True when this cluster's postmaster process is alive (`pg_ctl status`: 0 running, 3 not). A
 * `postmaster.pid` left by a killed server or a reboot names no live process: not running.
 */
function clusterProcessRuns(): boolean {
  if (!existsSync(join(dataDir, 'postmaster.pid'))) return false
  const [file, argv] = asPostgresUser(join(pgBin, 'pg_ctl'), ['status', '-D', dataDir])
  return spawnSync(file, argv, { stdio: 'ignore' }).status === 0
}

/** Stops the cluster if it runs. */
export function stopPostgres(): void {
  if (!clusterProcessRuns()) return
  progress('stopping postgres')
  run(join(pgBin, 'pg_ctl'), ['-D', dataDir, '-m', 'fast', '-w', 'stop'], { asPostgres: true })
}

/**
 * Stops the cluster the way a crash does (`pg_ctl stop -m immediate`: no checkpoint, every
 * connection cut, crash recovery at the next start, pg_net's unlogged queue lost). For fault
 * tests; `startPostgres()` brings it back.
 */
export function stopPostgresImmediately(): void {
  if (!clusterProcessRuns()) return
  progress('stopping postgres immediately (as a crash would)')
  run(join(pgBin, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', '-w', 'stop'], { asPostgres: true })
}

/** Stops the cluster and deletes it. */
export function destroyCluster(): void {
  stopPostgres()
  rmSync(clusterDir, { recursive: true, force: true })
}

/** Path of psql. */
export const psqlPath = join(pgBin, 'psql')
