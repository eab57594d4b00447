/**
 * The `ml_models` registry, written through a direct Postgres connection (the local stack's, or a
 * hosted project's SUPABASE_DB_URL). Registering and activating happen in one transaction, so
 * there is never a moment with no active model or two.
 */
import type { Sql } from 'postgres'

/** A model file's registry entry. */
export interface ModelEntry {
  version: string
  storageKind: 'storage' | 'local_file'
  storageBucket: string
  storagePath: string
  sha256: string
  featureNames: readonly string[]
  metrics: Record<string, number>
  trainedAt: string | null
}

/** Registers a model (or refreshes the entry of the same version) and makes it the active one. */
export async function registerAndActivate(sql: Sql, entry: ModelEntry): Promise<void> {
  await sql.begin(async (transaction) => {
    await transaction`update public.ml_models set is_active = false where is_active`
    await transaction`
      insert into public.ml_models (
        version, storage_kind, storage_bucket, storage_path, sha256, feature_names, metrics,
        trained_at, is_active, activated_at
      ) values (
        ${entry.version}, ${entry.storageKind}, ${entry.storageBucket}, ${entry.storagePath},
        ${entry.sha256}, ${[...entry.featureNames]}::text[], ${
      transaction.json(entry.metrics)
    }::jsonb,
        ${entry.trainedAt}::timestamptz, true, now()
      )
      on conflict (version) do update set
        storage_kind = excluded.storage_kind,
        storage_bucket = excluded.storage_bucket,
        storage_path = excluded.storage_path,
        sha256 = excluded.sha256,
        feature_names = excluded.feature_names,
        metrics = excluded.metrics,
        trained_at = excluded.trained_at,
        is_active = true,
        activated_at = now()`
  })
}

/**
 * Makes an already registered version the active model (rollback), in one transaction.
 * Throws naming the version when it is not registered.
 */
export async function activateVersion(sql: Sql, version: string): Promise<void> {
  await sql.begin(async (transaction) => {
    const [target] = await transaction`select id from public.ml_models where version = ${version}`
    if (!target) {
      throw new Error(`Cannot activate model ${version}: no such version in ml_models`)
    }
    await transaction`update public.ml_models set is_active = false where is_active`
    await transaction`
      update public.ml_models set is_active = true, activated_at = now()
      where version = ${version}`
  })
}

/** The active model's version, or null. */
export async function activeVersion(sql: Sql): Promise<string | null> {
  const [row] = await sql<{ version: string }[]>`
    select version from public.ml_models where is_active`
  return row?.version ?? null
}

/** True when a version is in the registry (active or not). */
export async function isRegistered(sql: Sql, version: string): Promise<boolean> {
  const rows = await sql`select 1 from public.ml_models where version = ${version}`
  return rows.length > 0
}
