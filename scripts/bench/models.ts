/**
 * The model a benchmark scores with, registered as the active model for the run and the earlier
 * active model restored afterwards:
 * - `default`: the committed default model (`model/<version>.onnx`, its card the newest);
 * - `production-size`: a synthetic stand-in of the production model's size (3 x 300 complete
 *   trees of depth 6 over the code's feature list), for when no model is committed yet;
 * - `fixture`: the tiny test model (fast, for the smoke test);
 * - `auto`: `default` when a model is committed, else `production-size`.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import type { Sql } from 'postgres'
import { FEATURE_NAMES } from '../../supabase/functions/_shared/scoring/features.ts'
import { encodeIntervalModel } from '../training/gbm/export-onnx.ts'
import type { GradientBoostedTrees } from '../training/gbm/model.ts'
import { createRandom } from '../lib/random.ts'
import { randomCompleteEnsemble } from '../training/gbm/synthetic.ts'
import { sha256Hex } from '../../supabase/functions/_shared/run/model-store.ts'
import { readScoringModelMetadata } from '../../supabase/functions/_shared/onnx/metadata.ts'
import { localDir, repoRoot } from '../local-stack/config.ts'
import { listModelCards, modelDir } from '../models/model-cards.ts'
import { activateVersion, activeVersion, registerAndActivate } from '../models/registry.ts'
import { prepareFunctionAssets } from '../prepare-function-assets.ts'
import { removeBenchGames } from './games.ts'

/** Which model a benchmark uses. */
export type BenchModelChoice = 'auto' | 'default' | 'production-size' | 'fixture'

/** The model file a benchmark registers. */
export interface BenchModel {
  /** Registry version the benchmark registers it under. */
  version: string
  /** What it is, for the report. */
  description: string
  /** Path relative to the repository root (a `local_file` model). */
  path: string
  sizeBytes: number
}

const PRODUCTION_TREES = 300
const PRODUCTION_DEPTH = 6

function completeEnsemble(random: () => number, baseValue: number): GradientBoostedTrees {
  return randomCompleteEnsemble(random, {
    trees: PRODUCTION_TREES,
    depth: PRODUCTION_DEPTH,
    featureCount: FEATURE_NAMES.length,
    baseValue,
  })
}

/** Writes (once per feature list) the production-size synthetic model under `.local/bench/`. */
function productionSizeModel(): string {
  const file = join(localDir, 'bench', `production-size-${FEATURE_NAMES.length}f.onnx`)
  if (existsSync(file)) return file
  const random = createRandom(2026).float
  const bytes = encodeIntervalModel({
    expectedReturn: completeEnsemble(random, 0.7),
    p10: completeEnsemble(random, 0.5),
    p90: completeEnsemble(random, 0.9),
  }, {
    metadata: {
      featureNames: [...FEATURE_NAMES],
      featureSetVersion: 'bench',
      modelVersion: 'bench-production-size',
      metrics: {},
    },
    docString: 'Synthetic benchmark model: production size, random trees; scores mean nothing.',
  })
  mkdirSync(join(localDir, 'bench'), { recursive: true })
  writeFileSync(file, bytes)
  return file
}

/** Resolves a choice to a model file. Throws when `default` is asked and none is committed. */
export function benchModel(choice: BenchModelChoice): BenchModel {
  const committed = listModelCards()[0]
  const pick = choice === 'auto' ? (committed ? 'default' : 'production-size') : choice
  let file: string
  let description: string
  if (pick === 'default') {
    if (!committed) throw new Error('No model under model/: train one with npm run train')
    file = join(modelDir, committed.onnxFile.replace(/^model\//, ''))
    description = `committed default model ${committed.version}`
  } else if (pick === 'production-size') {
    file = productionSizeModel()
    description =
      `synthetic production-size model (3 x ${PRODUCTION_TREES} complete trees of depth ${PRODUCTION_DEPTH})`
  } else {
    file = join(repoRoot, 'tests', 'fixtures', 'tiny-model.onnx')
    description = 'tiny fixture model (3 x 12 trees of depth 3)'
  }
  const bytes = readFileSync(file)
  return {
    version: `bench-${pick}`,
    description,
    path: relative(repoRoot, file),
    sizeBytes: bytes.length,
  }
}

/**
 * Registers the benchmark's model as the active one; the returned function re-activates the
 * model that was active before (if any).
 */
export async function activateBenchModel(
  sql: Sql,
  model: BenchModel,
): Promise<() => Promise<void>> {
  const previous = await activeVersion(sql)
  const bytes = new Uint8Array(readFileSync(join(repoRoot, model.path)))
  await registerAndActivate(sql, {
    version: model.version,
    storageKind: 'local_file',
    storageBucket: 'models',
    storagePath: model.path,
    sha256: await sha256Hex(bytes),
    // The columns the model itself names (an older feature set's model too).
    featureNames: readScoringModelMetadata(bytes).featureNames,
    metrics: {},
    trainedAt: null,
  })
  return async () => {
    if (previous !== null && previous !== model.version) await activateVersion(sql, previous)
    else await sql`update public.ml_models set is_active = false where version = ${model.version}`
    await sql`delete from public.ml_models where version = ${model.version}`
  }
}

/**
 * The frame of every benchmark run: prepares the function's static assets, registers and
 * activates the benchmark's model, runs `work` with it, then, whatever happened, removes the
 * benchmark's games and puts the model registry back as it was.
 */
export async function withBenchModel<T>(
  sql: Sql,
  options: { model: BenchModelChoice; onProgress: (line: string) => void },
  work: (model: BenchModel) => Promise<T>,
): Promise<{ model: BenchModel; result: T }> {
  prepareFunctionAssets()
  const model = benchModel(options.model)
  options.onProgress(`model: ${model.description} (${model.path})`)
  const restoreModel = await activateBenchModel(sql, model)
  try {
    return { model, result: await work(model) }
  } finally {
    await removeBenchGames(sql)
    await restoreModel()
  }
}
