/** The tiny fixture model, registered as the active model for a test file and removed after. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type postgres from 'postgres'
import { repoRoot } from '../../scripts/local-stack/config.ts'
import { registerAndActivate } from '../../scripts/models/registry.ts'
import { FEATURE_NAMES } from '../../supabase/functions/_shared/scoring/features.ts'
import { sha256Hex } from '../../supabase/functions/_shared/run/model-store.ts'
import {
  readScoringModelMetadata,
  scoringModelMetadataProps,
} from '../../supabase/functions/_shared/onnx/metadata.ts'
import {
  MODEL_INPUT_NAME,
  MODEL_OUTPUT_NAMES,
} from '../../supabase/functions/_shared/onnx/model-io.ts'
import { encodeTreeEnsembleModel } from '../../scripts/training/onnx/encode.ts'

/** The fixture model file, relative to the repository root (a `local_file` model). */
export const FIXTURE_MODEL_PATH = 'tests/fixtures/tiny-model.onnx'

/** Registers the fixture model under `version` and makes it the active one. */
export async function activateFixtureModel(sql: postgres.Sql, version: string): Promise<void> {
  await activateLocalModel(sql, { version, path: FIXTURE_MODEL_PATH })
}

/** Removes the model and its predictions, leaving no active model behind for other files. */
export async function removeModel(sql: postgres.Sql, version: string): Promise<void> {
  await sql`delete from public.predictions where model_version = ${version}`
  await sql`delete from public.ml_models where version = ${version}`
}

/** Where tests write model files of their own (inside the repository: `local_file` models). */
export const TEST_MODEL_DIR = '.local/test-models'

/**
 * Writes a scoring model whose three outputs are constants, whatever the game (e.g. 3 per $1:
 * a model that calls every game a strong buy), under {@link TEST_MODEL_DIR}; returns its
 * repository-relative path.
 */
export function writeConstantModel(
  version: string,
  outputs: { expectedReturn: number; p10: number; p90: number },
): string {
  const constant = (outputName: string, value: number) => ({
    outputName,
    baseValue: value,
    trees: [{ nodes: [{ kind: 'leaf' as const, weight: 0 }] }],
  })
  const bytes = encodeTreeEnsembleModel({
    inputName: MODEL_INPUT_NAME,
    featureCount: FEATURE_NAMES.length,
    producerName: 'test',
    producerVersion: '0',
    graphName: 'constant',
    metadataProps: scoringModelMetadataProps({
      featureNames: [...FEATURE_NAMES],
      featureSetVersion: 'test',
      modelVersion: version,
      metrics: {},
    }),
    regressors: [
      constant(MODEL_OUTPUT_NAMES.expectedReturn, outputs.expectedReturn),
      constant(MODEL_OUTPUT_NAMES.p10, outputs.p10),
      constant(MODEL_OUTPUT_NAMES.p90, outputs.p90),
    ],
  })
  mkdirSync(join(repoRoot, TEST_MODEL_DIR), { recursive: true })
  const path = `${TEST_MODEL_DIR}/${version}.onnx`
  writeFileSync(join(repoRoot, path), bytes)
  return path
}

/** Registers (and activates) a `local_file` model file of the repository under `version`. */
export async function activateLocalModel(
  sql: postgres.Sql,
  options: { version: string; path: string },
): Promise<void> {
  const bytes = new Uint8Array(readFileSync(join(repoRoot, options.path)))
  await registerAndActivate(sql, {
    version: options.version,
    storageKind: 'local_file',
    storageBucket: 'models',
    storagePath: options.path,
    sha256: await sha256Hex(bytes),
    // The columns the model names (a features-v2 model such as gbm-v1 has its own).
    featureNames: readScoringModelMetadata(bytes).featureNames,
    metrics: {},
    trainedAt: null,
  })
}
