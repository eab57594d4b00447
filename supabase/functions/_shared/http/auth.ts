/**
 * Who may rescore: only callers holding one of the project's secret keys (the legacy
 * service_role JWT in SUPABASE_SERVICE_ROLE_KEY, or an `sb_secret_...` key listed in
 * SUPABASE_SECRET_KEYS). The publishable/anon key and user JWTs are refused.
 */
import { ScoringError } from './errors.ts'

/**
 * The keys a caller presented: `Authorization: Bearer <key>` and the `apikey` header (Supabase
 * clients send a secret key in `apikey`, with a user JWT or the same key as the bearer).
 */
export function presentedKeys(headers: Headers): string[] {
  const authorization = headers.get('authorization')
  const bearer = authorization?.match(/^Bearer\s+(.+)$/i)?.[1]?.trim()
  const apikey = headers.get('apikey')?.trim()
  return [...new Set([bearer, apikey].filter((key): key is string => Boolean(key)))]
}

async function digest(text: string): Promise<Uint8Array> {
  const bytes = new TextEncoder().encode(text)
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))
}

/**
 * Compares two strings in time independent of where they differ (and of their lengths, by
 * comparing SHA-256 digests).
 */
export async function constantTimeEquals(a: string, b: string): Promise<boolean> {
  const [left, right] = await Promise.all([digest(a), digest(b)])
  let difference = 0
  for (let i = 0; i < left.length; i++) difference |= (left[i] ?? 0) ^ (right[i] ?? 0)
  return difference === 0
}

/** Throws a 401 ScoringError unless either header carries one of the secret keys. */
export async function authorize(headers: Headers, secretKeys: readonly string[]): Promise<void> {
  const keys = presentedKeys(headers)
  if (keys.length === 0) {
    throw new ScoringError('unauthorized', 401, 'Missing API key: send the service role key')
  }
  let matched = false
  // Compare every pair (no early exit) so timing does not tell which one matched.
  for (const key of keys) {
    for (const secret of secretKeys) matched = (await constantTimeEquals(key, secret)) || matched
  }
  if (!matched) {
    throw new ScoringError('unauthorized', 401, 'Only the project secret key may rescore games')
  }
}
