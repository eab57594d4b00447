/** Serving the real score-games function (Deno, 127.0.0.1) for integration tests. */
import {
  type FunctionServer,
  startFunctionServer,
} from '../../scripts/local-stack/function-server.ts'
import { localAnonKey, localServiceRoleKey } from '../../scripts/local-stack/config.ts'
import { prepareFunctionAssets } from '../../scripts/prepare-function-assets.ts'

export { localAnonKey, localServiceRoleKey }

/** Starts the function with the local environment (plus overrides), by default on 54321. */
export async function serveFunction(
  env: Record<string, string> = {},
  port?: number,
): Promise<FunctionServer> {
  prepareFunctionAssets()
  return await startFunctionServer({ env, port })
}

/** POSTs a JSON body (or raw text) with a key; returns status and parsed JSON body. */
export async function post(
  url: string,
  body: unknown,
  options: { key?: string | null; header?: 'authorization' | 'apikey'; raw?: boolean } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const key = options.key === undefined ? localServiceRoleKey : options.key
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (key !== null) {
    if (options.header === 'apikey') headers.apikey = key
    else headers.authorization = `Bearer ${key}`
  }
  const response = await fetch(url, {
    method: 'POST',
    headers,
    body: options.raw ? String(body) : JSON.stringify(body),
  })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}
