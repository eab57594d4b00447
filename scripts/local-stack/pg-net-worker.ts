/**
 * STAND-IN for pg_net's background worker, for the Docker-free local stack only.
 *
 * On Supabase, pg_net's worker sends the requests that `net.http_post`/`net.http_get` queued in
 * `net.http_request_queue` once the calling transaction has committed, and records each outcome
 * in `net._http_response` (kept for `pg_net.ttl`, 6 hours). The local stand-in extension
 * (pg_net-standin/) queues the same way and NOTIFYs `pg_net_standin`; a NOTIFY is delivered only
 * on commit, so this process, LISTENing, sends after commit as pg_net does. It also drains the
 * queue at start and every few seconds, in case a notification was missed. Like pg_net it takes a
 * batch off the queue before sending it: a request in flight when it stops is lost.
 *
 * Started and stopped by scripts/db.ts (see pg-net-worker-process.ts). `--db-url` overrides the
 * local database URL.
 */
import postgres from 'postgres'
import { z } from 'zod'
import { dbUrl } from './config.ts'
import { parseCli, runMain } from '../lib/cli.ts'

/** pg_net's defaults: `pg_net.batch_size`, `pg_net.max_timeout_ms`, `pg_net.ttl`. */
const batchSize = 200
const maxTimeoutMs = 600_000
const responseTtl = '6 hours'
const pollIntervalMs = 2_000
const channel = 'pg_net_standin'

const queuedRequestSchema = z.object({
  id: z.coerce.bigint(),
  method: z.enum(['GET', 'POST', 'DELETE']),
  url: z.string(),
  headers: z.record(z.string(), z.unknown()),
  body: z.instanceof(Uint8Array).nullable(),
  timeout_milliseconds: z.number().int(),
})

/** A request taken off `net.http_request_queue`. */
type QueuedRequest = z.infer<typeof queuedRequestSchema>

/** A row of `net._http_response`, as pg_net writes it. */
interface RecordedResponse {
  id: string
  status_code: number | null
  content_type: string | null
  headers: Record<string, string> | null
  content: string | null
  timed_out: boolean | null
  error_msg: string | null
}

function log(message: string): void {
  process.stderr.write(`${new Date().toISOString()} [pg_net stand-in] ${message}\n`)
}

/** What curl would say for the network errors fetch reports as `TypeError: fetch failed`. */
function describeFetchError(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined
  const code = cause instanceof Error && 'code' in cause ? String(cause.code) : undefined
  if (code === 'ECONNREFUSED') return "Couldn't connect to server"
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return "Couldn't resolve host name"
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') {
    return 'Failure when receiving data from the peer'
  }
  const detail = cause instanceof Error ? cause.message : undefined
  return [error instanceof Error ? error.message : String(error), detail].filter(Boolean).join(': ')
}

/** Sends one request as pg_net does (timeout, redirects followed) and describes the outcome. */
async function send(request: QueuedRequest): Promise<RecordedResponse> {
  const id = request.id.toString()
  const none = { status_code: null, content_type: null, headers: null, content: null }
  const timeoutMs = request.timeout_milliseconds
  if (timeoutMs < 1 || timeoutMs > maxTimeoutMs) {
    const message = `timeout_milliseconds must be between 1 and ${maxTimeoutMs} ` +
      `(pg_net.max_timeout_ms), got ${timeoutMs}`
    return { id, ...none, timed_out: false, error_msg: message }
  }
  const headers = new Headers({ 'User-Agent': 'pg_net/stand-in' })
  for (const [name, value] of Object.entries(request.headers)) {
    headers.set(name, typeof value === 'string' ? value : JSON.stringify(value))
  }
  const started = performance.now()
  try {
    const response = await fetch(request.url, {
      method: request.method,
      headers,
      body: request.method === 'GET' ? undefined : request.body ?? undefined,
      redirect: 'follow',
      signal: AbortSignal.timeout(timeoutMs),
    })
    const content = await response.text()
    const responseHeaders: Record<string, string> = {}
    response.headers.forEach((value, name) => {
      responseHeaders[name] = value
    })
    return {
      id,
      status_code: response.status,
      content_type: response.headers.get('content-type'),
      headers: responseHeaders,
      content: content === '' ? null : content,
      timed_out: false,
      error_msg: null,
    }
  } catch (error) {
    if (error instanceof DOMException && error.name === 'TimeoutError') {
      const total = (performance.now() - started).toFixed(3)
      const message = `Timeout of ${timeoutMs} ms reached. Total time: ${total} ms`
      return { id, ...none, timed_out: true, error_msg: message }
    }
    return { id, ...none, timed_out: false, error_msg: describeFetchError(error) }
  }
}

/** Runs the worker until SIGTERM or SIGINT. */
export async function runPgNetWorker(url: string): Promise<void> {
  const sql = postgres(url, {
    max: 4,
    onnotice: () => {},
    connection: { application_name: 'pg_net stand-in' },
  })
  const inFlight = new Set<Promise<void>>()
  let draining: Promise<void> | null = null

  async function record(response: RecordedResponse): Promise<void> {
    await sql`
      insert into net._http_response (
        id, status_code, content_type, headers, content, timed_out, error_msg
      )
      values (
        ${response.id}::bigint, ${response.status_code}, ${response.content_type},
        ${response.headers === null ? null : sql.json(response.headers)}::jsonb,
        ${response.content}, ${response.timed_out}, ${response.error_msg}
      )`
  }

  function dispatch(request: QueuedRequest): void {
    const started = performance.now()
    const task = send(request)
      .then(async (response) => {
        await record(response)
        const outcome = response.status_code ?? response.error_msg
        const elapsed = Math.round(performance.now() - started)
        log(`${request.method} ${request.url} (#${response.id}) -> ${outcome} in ${elapsed} ms`)
      })
      .catch((error: unknown) => log(`cannot record response #${request.id}: ${String(error)}`))
      .finally(() => inFlight.delete(task))
    inFlight.add(task)
  }

  /** Takes batches off the queue (as pg_net does: delete ... returning) until it is empty. */
  async function drainQueue(): Promise<void> {
    for (;;) {
      const rows = await sql`
        with batch as (
          select id from net.http_request_queue order by id limit ${batchSize}
        )
        delete from net.http_request_queue as queue
        using batch
        where queue.id = batch.id
        returning queue.id, queue.method, queue.url, queue.headers, queue.body,
          queue.timeout_milliseconds`
      for (const row of rows) dispatch(queuedRequestSchema.parse(row))
      if (rows.length < batchSize) break
    }
    await sql`delete from net._http_response where created < now() - ${responseTtl}::interval`
  }

  /** One drain at a time; a call while one runs waits for it and drains again. */
  function drain(): Promise<void> {
    const previous = draining ?? Promise.resolve()
    const next = previous.then(drainQueue).catch((error: unknown) => {
      log(`cannot read the request queue: ${String(error)}`)
    })
    draining = next
    return next
  }

  await sql.listen(channel, () => void drain(), () => void drain())
  const timer = setInterval(() => void drain(), pollIntervalMs)
  log(`listening on ${channel}`)

  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve)
    process.once('SIGINT', resolve)
  })
  clearInterval(timer)
  log(`stopping (${inFlight.size} request(s) in flight are dropped, as pg_net drops its queue)`)
  await sql.end({ timeout: 2 })
}

await runMain(import.meta.url, async (args) => {
  const options = parseCli(args, { 'db-url': { type: 'string' } })
  await runPgNetWorker(options['db-url'] ?? dbUrl)
  process.exit(0)
})
