/**
 * A real HTTP server on 127.0.0.1 (a free port) standing in for the score-games endpoint in the
 * nightly schedule's failure-mode tests: it records every request and answers as told, including
 * not at all. The end-to-end test uses the real function instead.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'

/** A request as the endpoint received it. */
export interface ReceivedRequest {
  method: string
  path: string
  headers: IncomingHttpHeaders
  body: string
}

/** How the endpoint answers: a status and body, or never ('hang'). */
export type EndpointAnswer = { status: number; body: string } | 'hang'

/** The running endpoint. */
export interface RecordingEndpoint {
  /** Base URL to store as the Vault secret project_url. */
  projectUrl: string
  /** Every request received so far, oldest first. */
  received: ReceivedRequest[]
  /** Sets the answer to the next requests. */
  answerWith(answer: EndpointAnswer): void
  /** Resolves with the first request received after `count` requests, or rejects after `timeoutMs`. */
  waitForRequest(options: { after: number; timeoutMs: number }): Promise<ReceivedRequest>
  /** Closes the server and every connection it holds open. */
  stop(): Promise<void>
}

/** Starts a recording endpoint answering 200 `{"ok":true}` until told otherwise. */
export async function startRecordingEndpoint(): Promise<RecordingEndpoint> {
  const received: ReceivedRequest[] = []
  const waiters = new Set<() => void>()
  let answer: EndpointAnswer = { status: 200, body: '{"ok":true}' }

  const server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      received.push({
        method: request.method ?? '',
        path: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      })
      for (const wake of waiters) wake()
      if (answer === 'hang') return
      response.writeHead(answer.status, { 'content-type': 'application/json' })
      response.end(answer.body)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo

  return {
    projectUrl: `http://127.0.0.1:${port}`,
    received,
    answerWith(next) {
      answer = next
    },
    waitForRequest({ after, timeoutMs }) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const request = received[after]
          if (request === undefined) return false
          clearTimeout(timer)
          waiters.delete(wake)
          resolve(request)
          return true
        }
        const wake = (): void => void check()
        const timer = setTimeout(() => {
          waiters.delete(wake)
          reject(new Error(`No request reached the endpoint within ${timeoutMs} ms`))
        }, timeoutMs)
        waiters.add(wake)
        check()
      })
    },
    async stop() {
      server.closeAllConnections()
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve()))
      )
    },
  }
}
