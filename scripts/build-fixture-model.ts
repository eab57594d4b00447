/**
 * Builds the tiny fixture model `tests/fixtures/tiny-model.onnx` for fast tests: three small
 * boosted ensembles (expected return, p10, p90) trained on the simulated game-days of one
 * training state (both publication rules), so it answers like a scoring model (close to the
 * standard estimator, passing the plausibility guards and `model:publish`'s sanity checks) and
 * the same inputs always give the same bytes. Feature names default to the code's feature list
 * (`FEATURE_NAMES` of `_shared/scoring/features.ts`), so the fixture passes the function's feature
 * check; pass others to build a model for a different list (a name the code does not know gets a
 * column of zeros):
 *
 *   npx tsx scripts/build-fixture-model.ts [--feature-names a,b,c,d,e] [--out path.onnx]
 *
 * It records no training ranges (the function holds it to the documented defaults), unless given
 * some. Tests rebuild the model in memory with the feature names stored in the committed file and
 * check the bytes match, so re-run this after changing the trainer, the encoder, the features or
 * the simulator.
 */
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { FEATURE_NAMES } from '../supabase/functions/_shared/scoring/features.ts'
import type { TrainingRanges } from '../supabase/functions/_shared/scoring/plausibility.ts'
import { encodeIntervalModel } from './training/gbm/export-onnx.ts'
import { trainIntervalModel } from './training/gbm/interval.ts'
import { featureMatrix, type IntervalModel } from './training/gbm/model.ts'
import { buildTrainingRows, type TrainingRows } from './training/data.ts'
import { trainingWorlds } from './evaluation/world-set.ts'
import { parseCli, runMain } from './lib/cli.ts'
import { progress } from './lib/progress.ts'

/** Where the committed fixture lives. */
export const FIXTURE_MODEL_PATH = new URL('../tests/fixtures/tiny-model.onnx', import.meta.url)

/** The fixture's ONNX bytes and the trained ensembles they encode. */
export interface FixtureModel {
  bytes: Uint8Array
  model: IntervalModel
}

let simulatedRows: TrainingRows | undefined

/** The fixture's training data: one training state's game-days, every 3rd, both rules. */
function fixtureTrainingRows(): TrainingRows {
  simulatedRows ??= buildTrainingRows({
    worlds: trainingWorlds(1),
    rules: ['minnesota', 'all_tiers'],
    sampleEvery: 3,
  })
  return simulatedRows
}

/** The rows' columns named `featureNames`, in that order; unknown names give zeros. */
function columnsNamed(rows: TrainingRows, featureNames: readonly string[]): Float32Array {
  const sources = featureNames.map((name) => FEATURE_NAMES.indexOf(name as never))
  const values = new Float32Array(rows.rowCount * featureNames.length)
  for (let row = 0; row < rows.rowCount; row++) {
    sources.forEach((source, column) => {
      if (source >= 0) {
        values[row * featureNames.length + column] = rows
          .features[row * rows.featureCount + source] as number
      }
    })
  }
  return values
}

/**
 * Trains and encodes the fixture model (deterministic). `modelVersion` (default `fixture-tiny`)
 * goes into the metadata, e.g. to publish a second version; `trainingRanges`, when given, too.
 */
export function buildFixtureModel(
  featureNames: readonly string[],
  options: { modelVersion?: string; trainingRanges?: TrainingRanges } = {},
): FixtureModel {
  const rows = fixtureTrainingRows()
  const model = trainIntervalModel({
    features: featureMatrix(columnsNamed(rows, featureNames), featureNames.length),
    target: rows.target,
  }, {
    seed: 11,
    boosting: { trees: 12, maxDepth: 3, learningRate: 0.3, minRowsPerLeaf: 10, rowSubsample: 0.9 },
    binning: { maxBins: 64 },
  })
  const bytes = encodeIntervalModel(model, {
    metadata: {
      featureNames: [...featureNames],
      featureSetVersion: 'fixture',
      modelVersion: options.modelVersion ?? 'fixture-tiny',
      metrics: {},
      ...(options.trainingRanges ? { trainingRanges: options.trainingRanges } : {}),
    },
    producerVersion: 'fixture',
    docString: 'Tiny fixture model trained on one simulated state; not a real scoring model.',
  })
  return { bytes, model }
}

await runMain(import.meta.url, (args) => {
  const options = parseCli(args, { 'feature-names': { type: 'string' }, out: { type: 'string' } })
  const names = options['feature-names']?.split(',').map((name) => name.trim()) ?? FEATURE_NAMES
  const out = options.out ?? fileURLToPath(FIXTURE_MODEL_PATH)
  const { bytes } = buildFixtureModel(names)
  writeFileSync(out, bytes)
  progress(`wrote ${out} (${bytes.length} bytes, ${names.length} features)`)
})
