/**
 * Builds the tiny fixture model `tests/fixtures/tiny-model.onnx` for fast tests: three small
 * boosted ensembles (expected return, p10, p90) trained on seeded synthetic data, so the same
 * inputs always give the same bytes. Feature names default to the code's feature list
 * (`FEATURE_NAMES` of `_shared/scoring/features.ts`), so the fixture passes the function's feature check;
 * pass others to build a model for a different list:
 *
 *   npx tsx scripts/build-fixture-model.ts [--feature-names a,b,c,d,e] [--out path.onnx]
 *
 * Tests rebuild the model in memory with the feature names stored in the committed file and
 * check the bytes match, so re-run this after changing the trainer or the encoder.
 */
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { FEATURE_NAMES } from '../supabase/functions/_shared/scoring/features.ts'
import { encodeIntervalModel } from './training/gbm/export-onnx.ts'
import { trainIntervalModel } from './training/gbm/interval.ts'
import type { IntervalModel } from './training/gbm/model.ts'
import { syntheticRegressionData } from './training/gbm/synthetic.ts'
import { parseCli, runMain } from './lib/cli.ts'
import { progress } from './lib/progress.ts'

/** Where the committed fixture lives. */
export const FIXTURE_MODEL_PATH = new URL('../tests/fixtures/tiny-model.onnx', import.meta.url)

/** The fixture's ONNX bytes and the trained ensembles they encode. */
export interface FixtureModel {
  bytes: Uint8Array
  model: IntervalModel
}

/**
 * Trains and encodes the fixture model (deterministic; needs at least 5 feature names).
 * `modelVersion` (default `fixture-tiny`) goes into the metadata, e.g. to publish a second version.
 */
export function buildFixtureModel(
  featureNames: readonly string[],
  options: { modelVersion?: string } = {},
): FixtureModel {
  const data = syntheticRegressionData({
    rows: 2_000,
    featureCount: featureNames.length,
    noise: 0.3,
    seed: 20_261_127,
  })
  const model = trainIntervalModel(data, {
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
    },
    producerVersion: 'fixture',
    docString: 'Tiny fixture model trained on synthetic data; not a real scoring model.',
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
