/**
 * Who may rescore: only callers holding one of the project's secret keys (the legacy
 * service_role JWT in SUPABASE_SERVICE_ROLE_KEY, or an `sb_secret_...` key listed in
 * SUPABASE_SECRET_KEYS). The publishable/anon key and user JWTs are refused.
 */
import { ScoringError } from './errors.ts'

/** The key a caller presented: `Authorization: Bearer <key>`, else the `apikey` header. */
export function presentedKey(headers: Headers): string | null {
  const authorization = headers.get('authorization')
  const bearer = authorization?.match(/^Bearer\s+(.+)$/i)?.[1]?.trim()
  if (bearer) return bearer
  return headers.get('apikey')?.trim() || null
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

/** Throws a 401 ScoringError unless the request carries one of the secret keys. */
export async function authorize(headers: Headers, secretKeys: readonly string[]): Promise<void> {
  const key = presentedKey(headers)
  if (key === null) {
    throw new ScoringError('unauthorized', 401, 'Missing API key: send the service role key')
  }
  let matched = false
  // Compare against every key (no early exit) so timing does not tell which one matched.
  for (const secret of secretKeys) matched = (await constantTimeEquals(key, secret)) || matched
  if (!matched) {
    throw new ScoringError('unauthorized', 401, 'Only the project secret key may rescore games')
  }
}
