/**
 * Where the Docker-free local stack lives and how to reach it. The ports and credentials are the
 * Supabase CLI stack's, so the same URLs and keys work with either stack.
 */
import { resolve } from 'node:path'

/** Repository root. */
export const repoRoot = resolve(import.meta.dirname, '..', '..')

/** Everything the local stack writes, git-ignored. */
export const localDir = resolve(repoRoot, '.local')

/** Postgres listens here, as `supabase start` does. */
export const dbPort = 54322
export const dbHost = '127.0.0.1'

/** The local database URL (the Supabase CLI stack's default credentials). */
export const dbUrl = `postgresql://postgres:postgres@${dbHost}:${dbPort}/postgres`

/** The score-games function is served here, the Supabase CLI stack's functions URL. */
export const functionsPort = 54321
export const functionUrl = `http://127.0.0.1:${functionsPort}/functions/v1/score-games`

/**
 * Local-only API keys. The Supabase CLI stack prints its own; these are stand-ins for the local
 * stack and are never valid anywhere else.
 */
export const localServiceRoleKey = 'local-service-role-key-not-a-secret'
export const localAnonKey = 'local-anon-key-not-a-secret'

/** Directory of the supabase project (migrations, seed, functions). */
export const supabaseDir = resolve(repoRoot, 'supabase')
