/**
 * Starts and stops the local pg_net STAND-IN worker (pg-net-worker.ts) as a detached background
 * process, so that `db:start`/`db:reset` leave it running with the database and `db:stop` ends it.
 * Its pid is in `.local/pg-net-worker.pid`, its log in `.local/pg-net-worker.log`.
 * Synchronous on purpose: scripts/db.ts `reset()` is called synchronously from vitest's setup.
 */
import { spawn } from 'node:child_process'
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { join } from 'node:path'
import { localDir, repoRoot } from './config.ts'
import { progress } from '../lib/progress.ts'

/** The worker's entry point. */
const workerScript = join(repoRoot, 'scripts', 'local-stack', 'pg-net-worker.ts')

/** Pid file of the running worker. */
export const pgNetWorkerPidFile = join(localDir, 'pg-net-worker.pid')

/** Log of the worker (one line per request sent), rewritten at each start. */
export const pgNetWorkerLogFile = join(localDir, 'pg-net-worker.log')

function sleep(milliseconds: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, milliseconds)
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  // A pid file can outlive its process (reboot): only a process running our script counts.
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('pg-net-worker.ts')
  } catch {
    // The process ended between the two checks (or there is no /proc): not alive.
    return false
  }
}

/** The pid of the running worker, or null. */
export function pgNetWorkerPid(): number | null {
  if (!existsSync(pgNetWorkerPidFile)) return null
  const pid = Number(readFileSync(pgNetWorkerPidFile, 'utf8').trim())
  return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : null
}

/** Starts the worker in the background unless it runs already. */
export function startPgNetWorker(): void {
  if (pgNetWorkerPid() !== null) return
  mkdirSync(localDir, { recursive: true })
  const log = openSync(pgNetWorkerLogFile, 'w')
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', workerScript], {
      cwd: repoRoot,
      detached: true,
      stdio: ['ignore', log, log],
    })
    if (child.pid === undefined) throw new Error(`Cannot start ${workerScript}: spawn failed`)
    child.unref()
    writeFileSync(pgNetWorkerPidFile, `${child.pid}\n`)
    progress(`pg_net stand-in worker started (pid ${child.pid}, log ${pgNetWorkerLogFile})`)
  } finally {
    closeSync(log)
  }
}

/** Stops the worker if it runs (SIGTERM, then SIGKILL after 5 s). */
export function stopPgNetWorker(): void {
  const pid = pgNetWorkerPid()
  if (pid !== null) {
    progress(`stopping the pg_net stand-in worker (pid ${pid})`)
    process.kill(pid, 'SIGTERM')
    for (let waited = 0; waited < 5_000 && isAlive(pid); waited += 50) sleep(50)
    if (isAlive(pid)) {
      try {
        process.kill(pid, 'SIGKILL')
      } catch {
        // It ended on its own in the meantime.
      }
    }
  }
  rmSync(pgNetWorkerPidFile, { force: true })
}
