import { describe, expect, it } from 'vitest'
import { FEATURE_NAMES } from '../../supabase/functions/_shared/scoring/features.ts'
import { featureMatrix, predictInterval, predictTrees } from './gbm/model.ts'
import { readScoringModelMetadata } from '../../supabase/functions/_shared/onnx/metadata.ts'
import { buildTrainingRows } from './data.ts'
import { trainingWorlds, worldCase } from '../evaluation/world-set.ts'
import { buildOffsetTree } from './offset-tree.ts'
import { readIntervalModelFromOnnx } from './onnx/read-trees.ts'
import {
  DEFAULT_TRAINING_CONFIG,
  encodeTrainedModel,
  trainExpectedReturnModel,
  type TrainingConfig,
} from './pipeline.ts'

const tinyEnsemble = {
  ...DEFAULT_TRAINING_CONFIG.point,
  trees: 12,
  maxDepth: 3,
  minRowsPerLeaf: 20,
}

/** A few small states and a few small ensembles: seconds, not minutes. */
const smallConfig: TrainingConfig = {
  ...DEFAULT_TRAINING_CONFIG,
  version: 'determinism-test',
  trainingWorlds: 2,
  calibrationWorlds: 2,
  sampleEvery: 12,
  calibrationSampleEvery: 12,
  offsetLeaves: 64,
  binning: { maxBins: 64, binSampleRows: 5_000 },
  point: tinyEnsemble,
  quantiles: tinyEnsemble,
}

describe('trainExpectedReturnModel', () => {
  it('gives identical ONNX bytes for the same configuration, other bytes for another seed', () => {
    const first = encodeTrainedModel(trainExpectedReturnModel(smallConfig), { model_mae: 0.01 })
    const again = encodeTrainedModel(trainExpectedReturnModel(smallConfig), { model_mae: 0.01 })
    const otherSeed = encodeTrainedModel(
      trainExpectedReturnModel({ ...smallConfig, seed: smallConfig.seed + 1 }),
      { model_mae: 0.01 },
    )
    expect(Buffer.from(again).equals(Buffer.from(first))).toBe(true)
    expect(Buffer.from(otherSeed).equals(Buffer.from(first))).toBe(false)
    expect(readScoringModelMetadata(first)).toEqual({
      featureNames: [...FEATURE_NAMES],
      featureSetVersion: expect.any(String),
      modelVersion: 'determinism-test',
      metrics: { model_mae: 0.01 },
      trainingRanges: expect.objectContaining({ ticket_price: expect.any(Object) }),
      aboveParCalibration: { knots: expect.any(Array) },
    })
  }, 90_000)

  it('refuses to draw a training world from a held-out seed', () => {
    expect(() => worldCase(910_001, 'core')).toThrow('Cannot draw a world from held-out seed')
  })
})

describe('buildOffsetTree', () => {
  it('reproduces the feature to within one step, in float32', () => {
    const values = Float32Array.from(
      { length: 5_000 },
      (_, i) => 0.5 + ((i * 7919) % 5000) / 10_000,
    )
    const tree = buildOffsetTree(values, { featureIndex: 0, leaves: 256 })
    const predicted = predictTrees(
      { loss: { kind: 'squared_error' }, featureCount: 1, baseValue: 0, trees: [tree] },
      featureMatrix(values, 1),
    )
    // 5,000 evenly spread values in [0.5, 1) over 256 steps: each step spans about 0.002.
    let worst = 0
    values.forEach((value, i) => (worst = Math.max(worst, Math.abs(predicted[i]! - value))))
    expect(worst).toBeLessThan(0.002)
    expect(tree.featureIndex.filter((feature) => feature < 0)).toHaveLength(256)
  })
})

describe('readIntervalModelFromOnnx', () => {
  it('reads back trees that predict exactly what the trained model predicts', () => {
    const trained = trainExpectedReturnModel({ ...smallConfig, trainingWorlds: 1 })
    const rows = buildTrainingRows({
      worlds: trainingWorlds(1, 40),
      rules: ['minnesota'],
      sampleEvery: 20,
    })
    const matrix = featureMatrix(rows.features, rows.featureCount)
    const decoded = readIntervalModelFromOnnx(encodeTrainedModel(trained, {}), rows.featureCount)
    expect(predictInterval(decoded, matrix)).toEqual(predictInterval(trained.model, matrix))
  }, 90_000)
})
