/** The tiny fixture model, registered as the active model for a test file and removed after. */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type postgres from 'postgres'
import { repoRoot } from '../../scripts/local-stack/config.ts'
import { registerAndActivate } from '../../scripts/models/registry.ts'
import { FEATURE_NAMES } from '../../supabase/functions/_shared/scoring/features.ts'
import { sha256Hex } from '../../supabase/functions/_shared/run/model-store.ts'

/** The fixture model file, relative to the repository root (a `local_file` model). */
export const FIXTURE_MODEL_PATH = 'tests/fixtures/tiny-model.onnx'

/** Registers the fixture model under `version` and makes it the active one. */
export async function activateFixtureModel(sql: postgres.Sql, version: string): Promise<void> {
  const bytes = new Uint8Array(readFileSync(join(repoRoot, FIXTURE_MODEL_PATH)))
  await registerAndActivate(sql, {
    version,
    storageKind: 'local_file',
    storageBucket: 'models',
    storagePath: FIXTURE_MODEL_PATH,
    sha256: await sha256Hex(bytes),
    featureNames: FEATURE_NAMES,
    metrics: {},
    trainedAt: null,
  })
}

/** Removes the model and its predictions, leaving no active model behind for other files. */
export async function removeModel(sql: postgres.Sql, version: string): Promise<void> {
  await sql`delete from public.predictions where model_version = ${version}`
  await sql`delete from public.ml_models where version = ${version}`
}
