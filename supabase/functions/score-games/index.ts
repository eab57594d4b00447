/**
 * score-games: scores every active game in scope with the active ONNX model and writes one
 * prediction per game. Thin: reads the environment, wires Postgres and Storage, and serves the
 * handler from `_shared/http/handler.ts`.
 *
 * On Supabase (and `supabase functions serve`) the platform routes requests here. On the
 * Docker-free local stack, SCORER_LOCAL_PORT makes it listen on 127.0.0.1 itself and answer at
 * /functions/v1/score-games, the Supabase CLI stack's URL.
 */
import type { SupabaseClient } from '@supabase/supabase-js'
import postgres from 'postgres'
import { loadConfig } from '../_shared/http/config.ts'
import { createHandler } from '../_shared/http/handler.ts'
import { ScoringError } from '../_shared/http/errors.ts'
import { createAdmission } from '../_shared/run/admission.ts'
import { createDatabasePool } from '../_shared/run/database-pool.ts'
import type { ModelSource } from '../_shared/run/model-store.ts'

const config = loadConfig(Deno.env.toObject())

/** A statement running longer fails the run with 503 `database_timeout`. */
const STATEMENT_TIMEOUT_MS = 60_000

/** What a caller refused as busy is told to wait, in seconds. */
const BUSY_RETRY_AFTER_SECONDS = 5

/**
 * Seconds the statements of a client retired after a run's deadline get to finish before its
 * sockets are destroyed (database-pool.ts).
 */
const RETIRED_CLIENT_GRACE_SECONDS = 5

// Every run's database call is one statement on this pool (never `reserve()` or `begin()`:
// postgres.js 3.4.9 writes a reserved or transaction connection's later statements, e.g. the
// ROLLBACK after a failure, to its socket even once the server has closed it, and the null socket
// throws from a timer: `Cannot read properties of null (reading 'write')`, an uncaught error that
// ended the process when Postgres stopped mid-run). A run whose deadline passed retires the
// client (its socket may be stuck for good) and later runs get a fresh one.
const openClient = () =>
  postgres(config.databaseUrl, {
    max: 4,
    idle_timeout: 20,
    connect_timeout: 10,
    onnotice: () => {},
    connection: {
      application_name: 'score-games',
      // The run's queries are few and large: JIT compiling their plans costs more than it saves
      // (~150 ms on the 5,000-game read).
      jit: 'off',
      // No statement may hold a caller for good (a lock never released, a server that is slow);
      // a server that stops answering altogether is the run's deadline's business.
      statement_timeout: STATEMENT_TIMEOUT_MS,
    },
  })

type StorageClient = SupabaseClient['storage']

let storage: Promise<StorageClient> | undefined

/**
 * The Storage client, created on first use: supabase-js adds ~60 ms to every cold start, and a
 * warm instance downloads the model once (local-file models never need it).
 */
function storageClient(): Promise<StorageClient> {
  storage ??= import('@supabase/supabase-js').then(({ createClient }) =>
    createClient(config.supabaseUrl, config.storageKey, {
      auth: { persistSession: false, autoRefreshToken: false },
    }).storage
  )
  return storage
}

async function readFileOrNull(path: string | URL): Promise<Uint8Array | null> {
  try {
    return await Deno.readFile(path)
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null
    throw error
  }
}

const localRoot = config.localModelRoot

/**
 * Reads a `local_file` model (a path model-store.ts has checked: relative, no `..`), refusing one
 * whose real location, symbolic links resolved, is outside the local model root.
 */
async function readLocalModel(root: string, path: string): Promise<Uint8Array | null> {
  let file: string
  try {
    file = await Deno.realPath(`${root}/${path}`)
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null
    throw error
  }
  const realRoot = await Deno.realPath(root)
  if (!file.startsWith(realRoot.endsWith('/') ? realRoot : `${realRoot}/`)) {
    throw new ScoringError(
      'model_path_refused',
      503,
      `Cannot load model: local_file path ${path} leads outside the local model root`,
    )
  }
  return await readFileOrNull(file)
}

/** onnxruntime-web's wasm, shipped beside this file as a static file (config.toml). */
function ortWasmFile(): URL {
  const file = new URL('./wasm/ort-wasm-simd.wasm', import.meta.url)
  try {
    Deno.statSync(file)
  } catch {
    throw new Error(
      `Cannot start score-games: ${file.pathname} is missing (npm run function:assets)`,
    )
  }
  return file
}

const models: ModelSource = {
  async fromStorage(bucket, path) {
    const { data, error } = await (await storageClient()).from(bucket).download(path)
    if (error || !data) return null
    return new Uint8Array(await data.arrayBuffer())
  },
  fromLocalFile: localRoot === null ? undefined : (path) => readLocalModel(localRoot, path),
  engine: config.modelEngine,
  wasmFile: config.modelEngine === 'onnxruntime-web' ? ortWasmFile() : undefined,
}

const MIB = 1_048_576

/** The isolate's memory when a log line is written, in MiB (the benchmark reads it). */
function memoryMb(): Record<string, number> {
  const { rss, heapTotal, heapUsed, external } = Deno.memoryUsage()
  const mb = (bytes: number) => Math.round((bytes / MIB) * 10) / 10
  return {
    rss: mb(rss),
    heap_total: mb(heapTotal),
    heap_used: mb(heapUsed),
    external: mb(external),
  }
}

/** Writes one structured log line. */
function log(entry: Record<string, unknown>): void {
  console.log(JSON.stringify({ function: 'score-games', ...entry, memory_mb: memoryMb() }))
}

/** The function's request handler (exported for tests). */
export const handler = createHandler({
  database: createDatabasePool(openClient, { graceSeconds: RETIRED_CLIENT_GRACE_SECONDS, log }),
  models,
  historyDays: config.historyDays,
  secretKeys: config.secretKeys,
  admission: createAdmission({
    maxRuns: config.maxRunsInFlight,
    maxGames: config.maxGamesInFlight,
    retryAfterSeconds: BUSY_RETRY_AFTER_SECONDS,
  }),
  leaseSeconds: config.runLeaseSeconds,
  deadlineSeconds: config.runDeadlineSeconds,
  log,
})

const localPort = Deno.env.get('SCORER_LOCAL_PORT')
if (localPort) {
  Deno.serve({ hostname: '127.0.0.1', port: Number(localPort), onListen: () => {} }, (request) => {
    const { pathname } = new URL(request.url)
    if (pathname === '/functions/v1/score-games') return handler(request)
    return Response.json({ error: { code: 'not_found', message: `No function at ${pathname}` } }, {
      status: 404,
    })
  })
} else {
  Deno.serve(handler)
}
