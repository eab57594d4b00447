import { describe, expect, it } from 'vitest'
import { binMatrix, binOf, computeFeatureBins } from './binning.ts'
import {
  calibrateInterval,
  intervalCoverage,
  meanAbsoluteError,
  trainIntervalModel,
} from './interval.ts'
import { featureMatrix, predictInterval, predictTrees } from './model.ts'
import { syntheticRegressionData, syntheticSignal } from './synthetic.ts'
import { prepareTrainingSet, trainGradientBoostedTrees } from './train.ts'

const small = { trees: 60, maxDepth: 4, learningRate: 0.2, minRowsPerLeaf: 10 }

describe('binning', () => {
  it('puts each value in the first bin whose float32 edge it is <=, NaN in the last bin', () => {
    const edges = Float32Array.from([0.1, 0.5, 2])
    expect([-1, 0.1, 0.10001, 0.5, 1, 2, 3, Number.NaN].map((x) => binOf(edges, Math.fround(x))))
      .toEqual([0, 0, 1, 1, 2, 2, 3, 3])
  })

  it('keeps every distinct value of a low-cardinality feature on its own side of an edge', () => {
    const values = Float32Array.from([3, 1, 2, 1, 3, 0.1, 0.2, 2].flatMap((x) => [x, -x]))
    const matrix = featureMatrix(values, 2)
    const bins = computeFeatureBins(matrix, { maxBins: 256, sampleRows: 100, seed: 1 })
    expect(Array.from(bins.edges[0]!)).toHaveLength(4)
    const binned = binMatrix(matrix, bins)
    for (let row = 0; row < matrix.rowCount; row++) {
      const value = values[row * 2]!
      const bin = binned.bins[row * 2]!
      if (bin > 0) expect(value).toBeGreaterThan(bins.edges[0]![bin - 1]!)
      if (bin < 4) expect(value).toBeLessThanOrEqual(bins.edges[0]![bin]!)
    }
  })

  it('caps the number of bins', () => {
    const data = syntheticRegressionData({ rows: 5_000, featureCount: 5, noise: 0, seed: 3 })
    const bins = computeFeatureBins(data.features, { maxBins: 16, sampleRows: 5_000, seed: 1 })
    for (const edges of bins.edges) expect(edges.length).toBeLessThanOrEqual(15)
  })
})

describe('trainGradientBoostedTrees', () => {
  it('learns a known function: error close to the noise, far below predicting the mean', () => {
    const train = syntheticRegressionData({ rows: 8_000, featureCount: 6, noise: 0.1, seed: 1 })
    const test = syntheticRegressionData({ rows: 2_000, featureCount: 6, noise: 0, seed: 2 })
    const model = trainGradientBoostedTrees(prepareTrainingSet(train), {
      ...small,
      trees: 150,
      loss: { kind: 'squared_error' },
    })
    const predicted = predictTrees(model, test.features)
    const mean = Array.from(test.target).reduce((sum, y) => sum + y, 0) / test.target.length
    const baseline = meanAbsoluteError(new Float64Array(test.target.length).fill(mean), test.target)
    // Noise-free test targets: the error is the model's own.
    expect(meanAbsoluteError(predicted, test.target)).toBeLessThan(0.08)
    expect(meanAbsoluteError(predicted, test.target)).toBeLessThan(baseline / 8)
    // The signal lives in features 0-3; the trees should split mostly on them.
    const gain = model.featureGain!
    const signalGain = gain.slice(0, 4).reduce((a, b) => a + b, 0)
    expect(signalGain / gain.reduce((a, b) => a + b, 0)).toBeGreaterThan(0.95)
    expect(syntheticSignal([0, 0.5, 0.5, 1])).toBeCloseTo(1.5)
  })

  it('is deterministic for a seed and changes with the seed', () => {
    const data = prepareTrainingSet(
      syntheticRegressionData({ rows: 3_000, featureCount: 6, noise: 0.3, seed: 5 }),
    )
    const options = {
      ...small,
      trees: 20,
      rowSubsample: 0.7,
      featureSubsample: 0.6,
      loss: { kind: 'squared_error' } as const,
    }
    const first = trainGradientBoostedTrees(data, { ...options, seed: 42 })
    const again = trainGradientBoostedTrees(data, { ...options, seed: 42 })
    const other = trainGradientBoostedTrees(data, { ...options, seed: 43 })
    expect(JSON.stringify(again)).toBe(JSON.stringify(first))
    expect(JSON.stringify(other)).not.toBe(JSON.stringify(first))
  })

  it('stores float32-exact thresholds, leaf values and base value', () => {
    const data = syntheticRegressionData({ rows: 2_000, featureCount: 5, noise: 0.2, seed: 9 })
    const model = trainGradientBoostedTrees(prepareTrainingSet(data), {
      ...small,
      trees: 10,
      loss: { kind: 'quantile', quantile: 0.9 },
    })
    expect(Math.fround(model.baseValue)).toBe(model.baseValue)
    for (const tree of model.trees) {
      for (const value of [...tree.threshold, ...tree.leafValue]) {
        expect(Math.fround(value)).toBe(value)
      }
      tree.trueChild.forEach((child, node) => {
        if (child >= 0) expect(child).toBeGreaterThan(node)
      })
    }
  })

  it('respects maxDepth and minRowsPerLeaf', () => {
    const data = syntheticRegressionData({ rows: 1_000, featureCount: 5, noise: 0.2, seed: 4 })
    const model = trainGradientBoostedTrees(prepareTrainingSet(data), {
      trees: 5,
      maxDepth: 2,
      minRowsPerLeaf: 400,
      rowSubsample: 1,
      loss: { kind: 'squared_error' },
    })
    for (const tree of model.trees) {
      const leaves = tree.featureIndex.filter((feature) => feature < 0).length
      expect(leaves).toBeLessThanOrEqual(2) // 1000 rows hold at most two leaves of >= 400
    }
  })

  it.each([
    [{ trees: -1 }, /trees/],
    [{ maxDepth: 0 }, /maxDepth/],
    [{ learningRate: 0 }, /learningRate/],
    [{ rowSubsample: 1.5 }, /rowSubsample/],
  ])('rejects invalid options %j', (bad, message) => {
    const data = prepareTrainingSet(
      syntheticRegressionData({ rows: 50, featureCount: 5, noise: 0, seed: 1 }),
    )
    expect(() => trainGradientBoostedTrees(data, { ...bad, loss: { kind: 'squared_error' } }))
      .toThrow(message)
  })

  it('rejects non-finite targets and mismatched lengths', () => {
    const data = syntheticRegressionData({ rows: 10, featureCount: 5, noise: 0, seed: 1 })
    expect(() => prepareTrainingSet({ ...data, target: data.target.subarray(0, 9) })).toThrow(
      /9 targets for 10/,
    )
    const target = Float64Array.from(data.target)
    target[3] = Number.NaN
    expect(() => prepareTrainingSet({ ...data, target })).toThrow(/row 3/)
  })
})

describe('interval model', () => {
  const noisy = (rows: number, seed: number) =>
    syntheticRegressionData({ rows, featureCount: 6, noise: 0.5, seed })
  const model = trainIntervalModel(noisy(12_000, 1), {
    seed: 3,
    boosting: { ...small, trees: 80, learningRate: 0.1, minRowsPerLeaf: 40 },
  })
  const test = noisy(6_000, 2)

  it('covers about 80% of held-out rows between p10 and p90', () => {
    const predictions = predictInterval(model, test.features)
    const coverage = intervalCoverage(predictions, test.target)
    expect(coverage).toBeGreaterThan(0.72)
    expect(coverage).toBeLessThan(0.88)
    // Heteroscedastic noise: the interval must be wider where feature 4 (the noise scale) is high.
    let narrow = 0
    let wide = 0
    for (let row = 0; row < test.features.rowCount; row++) {
      const width = predictions.p90[row]! - predictions.p10[row]!
      if (test.features.values[row * 6 + 4]! < 0.2) narrow += width
      if (test.features.values[row * 6 + 4]! > 0.8) wide += width
    }
    expect(wide).toBeGreaterThan(narrow * 1.5)
  })

  it('calibrates on held-out rows to within 0.75..0.85 coverage on other rows', () => {
    const calibrated = calibrateInterval(model, noisy(4_000, 7), 0.8)
    expect(calibrated.coverageAfter).toBeCloseTo(0.8, 2)
    const coverage = intervalCoverage(predictInterval(calibrated.model, test.features), test.target)
    expect(coverage).toBeGreaterThan(0.77)
    expect(coverage).toBeLessThan(0.83)
    expect(calibrated.model.expectedReturn).toBe(model.expectedReturn)
    expect(calibrated.model.p10.baseValue).toBe(
      Math.fround(model.p10.baseValue - calibrated.widening),
    )
  })
})
