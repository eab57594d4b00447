/**
 * The scorer's environment, read and validated once. Fails naming the missing or bad key.
 * Supabase sets SUPABASE_URL, SUPABASE_DB_URL and SUPABASE_SERVICE_ROLE_KEY (and, on projects
 * with the new API keys, SUPABASE_SECRET_KEYS) in every Edge Function.
 */
import { z } from 'zod'
import { ScoringError } from './errors.ts'

const envSchema = z.object({
  SUPABASE_URL: z.url(),
  SUPABASE_DB_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL'),
  SUPABASE_SERVICE_ROLE_KEY: z.string().min(1).optional(),
  // A JSON object of named secret keys ({"default": "sb_secret_..."}) or a comma-separated list.
  SUPABASE_SECRET_KEYS: z.string().min(1).optional(),
  // Local stack only: the folder that `local_file` models are read from (the repository root).
  SCORER_LOCAL_MODEL_ROOT: z.string().min(1).optional(),
  // What runs the model's ONNX graph (see model-store.ts).
  SCORER_MODEL_ENGINE: z.enum(['tree-ensemble', 'onnxruntime-web']).default('tree-ensemble'),
  // How many days of snapshots a run reads per game (features look back 30 days).
  SCORER_HISTORY_DAYS: z.coerce.number().int().min(1).max(366).default(35),
  // Runs (dry or not) one instance has in flight at once; more are refused with 429.
  SCORER_MAX_RUNS_IN_FLIGHT: z.coerce.number().int().min(1).max(64).default(8),
  // Active games in scope of one instance's runs together (memory grows with them); a request
  // over it alone is refused with 422, one that does not fit beside the others with 429.
  SCORER_MAX_GAMES_IN_FLIGHT: z.coerce.number().int().min(1).max(1_000_000).default(6_000),
  // How long a run stays `running` without its function renewing it (every third of it).
  SCORER_RUN_LEASE_SECONDS: z.coerce.number().int().min(3).max(3_600).default(60),
  // How long a run may take before the caller gets 503 run_timeout, whatever it still waits for
  // (a frozen connection, a network partition): keep it below the Edge Functions wall clock
  // (150 s on the free plan).
  SCORER_RUN_DEADLINE_SECONDS: z.coerce.number().int().min(1).max(390).default(90),
})

/** Every environment variable the scorer reads (README and .env.local.example list them all). */
export const CONFIG_KEYS: readonly string[] = Object.keys(envSchema.shape)

/** Validated scorer configuration. */
export interface ScorerConfig {
  supabaseUrl: string
  databaseUrl: string
  /** Every key that may rescore. Never empty. */
  secretKeys: string[]
  /** The key the function itself uses for Storage: the service role key, else a secret key. */
  storageKey: string
  localModelRoot: string | null
  historyDays: number
  modelEngine: 'tree-ensemble' | 'onnxruntime-web'
  maxRunsInFlight: number
  maxGamesInFlight: number
  runLeaseSeconds: number
  runDeadlineSeconds: number
}

/** Parses SUPABASE_SECRET_KEYS: a JSON object or array of keys, or a comma-separated list. */
export function parseSecretKeys(raw: string | undefined): string[] {
  if (raw === undefined) return []
  const text = raw.trim()
  if (text.startsWith('{') || text.startsWith('[')) {
    const parsed: unknown = JSON.parse(text)
    const values = Array.isArray(parsed) ? parsed : Object.values(parsed as Record<string, unknown>)
    return values.filter((value): value is string => typeof value === 'string' && value !== '')
  }
  return text.split(',').map((key) => key.trim()).filter((key) => key !== '')
}

/** Reads the configuration from an environment record (e.g. `Deno.env.toObject()`). */
export function loadConfig(env: Record<string, string | undefined>): ScorerConfig {
  const result = envSchema.safeParse(env)
  if (!result.success) {
    const issue = result.error.issues[0]
    const key = issue?.path.join('.') ?? 'environment'
    throw new ScoringError(
      'misconfigured',
      500,
      `Invalid environment variable ${key}: ${issue?.message ?? 'invalid'}`,
    )
  }
  const parsed = result.data
  let secretKeys: string[]
  try {
    secretKeys = parseSecretKeys(parsed.SUPABASE_SECRET_KEYS)
  } catch {
    throw new ScoringError(
      'misconfigured',
      500,
      'Invalid environment variable SUPABASE_SECRET_KEYS',
    )
  }
  if (parsed.SUPABASE_SERVICE_ROLE_KEY) secretKeys.push(parsed.SUPABASE_SERVICE_ROLE_KEY)
  const storageKey = parsed.SUPABASE_SERVICE_ROLE_KEY ?? secretKeys[0]
  if (storageKey === undefined) {
    throw new ScoringError(
      'misconfigured',
      500,
      'Missing environment variable SUPABASE_SERVICE_ROLE_KEY (or SUPABASE_SECRET_KEYS)',
    )
  }
  return {
    supabaseUrl: parsed.SUPABASE_URL,
    databaseUrl: parsed.SUPABASE_DB_URL,
    secretKeys,
    storageKey,
    localModelRoot: parsed.SCORER_LOCAL_MODEL_ROOT ?? null,
    historyDays: parsed.SCORER_HISTORY_DAYS,
    modelEngine: parsed.SCORER_MODEL_ENGINE,
    maxRunsInFlight: parsed.SCORER_MAX_RUNS_IN_FLIGHT,
    maxGamesInFlight: parsed.SCORER_MAX_GAMES_IN_FLIGHT,
    runLeaseSeconds: parsed.SCORER_RUN_LEASE_SECONDS,
    runDeadlineSeconds: parsed.SCORER_RUN_DEADLINE_SECONDS,
  }
}
