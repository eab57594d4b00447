/**
 * Serves the real score-games function with Deno on 127.0.0.1:54321, as the Supabase CLI stack
 * would, under Supabase Edge Runtime's restrictions (no SharedArrayBuffer, no shared wasm memory,
 * a 256 MB heap) applied by a preload before any module loads.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parseEnv } from 'node:util'
import { setTimeout as sleep } from 'node:timers/promises'
import { functionsPort, repoRoot } from './config.ts'
import { progress } from '../lib/progress.ts'

const functionDir = join(repoRoot, 'supabase', 'functions', 'score-games')
const denoBin = join(repoRoot, 'node_modules', '.bin', 'deno')

/** A served function process. */
export interface FunctionServer {
  url: string
  process: ChildProcess
  /** Everything the process printed so far (stdout and stderr). */
  output(): string
  stop(): Promise<void>
}

/** Reads `.env.local` (or the committed example) as key/value pairs. */
export function localFunctionEnv(): Record<string, string> {
  const file = existsSync(join(repoRoot, '.env.local'))
    ? join(repoRoot, '.env.local')
    : join(repoRoot, '.env.local.example')
  // Node's own dotenv parser: quotes, `export`, comments and multi-line values as Node reads them.
  const env = Object.fromEntries(
    Object.entries(parseEnv(readFileSync(file, 'utf8'))).filter(
      (entry): entry is [string, string] => entry[1] !== undefined,
    ),
  )
  if (env.SCORER_LOCAL_MODEL_ROOT) {
    env.SCORER_LOCAL_MODEL_ROOT = resolve(repoRoot, env.SCORER_LOCAL_MODEL_ROOT)
  }
  return env
}

/**
 * The deno command line that serves the function on the local stack. Its npm imports resolve
 * from the repository's `node_modules` (`--node-modules-dir=manual`), the versions package.json
 * pins (a test keeps them equal to the function's `deno.json`), so the stack runs offline; the
 * function's `deno.json` itself names no node_modules and resolves alone, as the Supabase CLI
 * bundles it (tests/cli-shaped-function.test.ts).
 */
export function denoServeArgs(): string[] {
  return [
    'run',
    '--quiet',
    '--node-modules-dir=manual',
    '--config',
    join(functionDir, 'deno.json'),
    '--preload',
    join(functionDir, 'edge-runtime-restrictions.ts'),
    '--v8-flags=--max-old-space-size=256',
    '--allow-net',
    '--allow-env',
    '--allow-read',
    '--allow-sys',
    join(functionDir, 'index.ts'),
  ]
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { method: 'GET', signal: AbortSignal.timeout(1000) })
    await response.body?.cancel()
    return true
  } catch {
    return false
  }
}

/** A function process just spawned, not yet known to answer. */
export interface SpawnedFunction extends FunctionServer {
  /** `performance.now()` right before the process was spawned. */
  spawnedAt: number
  /** Resolves once the function answers (a GET gives 405); rejects if it exits or times out. */
  answering(options?: { pollMs?: number; timeoutMs?: number }): Promise<void>
}

/** How to serve the function: its environment, port, and (default: the local stack's) Deno. */
export interface ServeOptions {
  env?: Record<string, string>
  port?: number
  /** The deno executable and its arguments; default node_modules/.bin/deno, {@link denoServeArgs}. */
  deno?: { command: string; args: string[]; cwd: string }
}

/**
 * Spawns the function without waiting for it (benchmarks time its start themselves). Throws when
 * the port already answers.
 */
export async function spawnFunction(options: ServeOptions = {}): Promise<SpawnedFunction> {
  const port = options.port ?? functionsPort
  const url = `http://127.0.0.1:${port}/functions/v1/score-games`
  if (await answers(url)) {
    throw new Error(`Cannot serve the function: port ${port} is already in use`)
  }
  const env = {
    ...process.env,
    ...localFunctionEnv(),
    ...options.env,
    SCORER_LOCAL_PORT: String(port),
  }
  const spawnedAt = performance.now()
  const deno = options.deno ?? { command: denoBin, args: denoServeArgs(), cwd: repoRoot }
  const child = spawn(deno.command, deno.args, {
    cwd: deno.cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise((resolveExit) => child.once('exit', resolveExit))
    child.kill('SIGTERM')
    await exited
  }
  const answering = async ({ pollMs = 100, timeoutMs = 60_000 } = {}) => {
    const deadline = Date.now() + timeoutMs
    while (!(await answers(url))) {
      if (child.exitCode !== null) {
        throw new Error(`The function exited with code ${child.exitCode}:\n${output}`)
      }
      if (Date.now() > deadline) {
        await stop()
        throw new Error(`The function did not answer within ${timeoutMs / 1000} s:\n${output}`)
      }
      await sleep(pollMs)
    }
  }
  return { url, process: child, output: () => output, stop, spawnedAt, answering }
}

/** Starts the function and waits until it answers (GET gives 405). */
export async function startFunctionServer(options: ServeOptions = {}): Promise<FunctionServer> {
  const server = await spawnFunction(options)
  await server.answering()
  progress(`score-games is served at ${server.url}`)
  return { url: server.url, process: server.process, output: server.output, stop: server.stop }
}
