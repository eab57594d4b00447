/**
 * Trained gradient-boosted regression trees and their pure-TypeScript prediction.
 *
 * Thresholds, leaf values and the base value are float32 numbers and prediction compares and
 * sums in float32, exactly like onnxruntime's `TreeEnsembleRegressor` with float attributes, so
 * the exported ONNX model and this code agree to float32 rounding.
 */

/**
 * One tree as parallel arrays indexed by node id; node 0 is the root and children always have
 * larger ids than their parent. A leaf has `featureIndex` -1.
 */
export interface RegressionTree {
  featureIndex: number[]
  /** Rows with `features[featureIndex] <= threshold` (float32 compare) go to `trueChild`. */
  threshold: number[]
  trueChild: number[]
  falseChild: number[]
  /** Leaf output (learning rate applied); 0 for internal nodes. */
  leafValue: number[]
}

/** What a boosted model was trained to predict. */
export type BoostingLoss =
  | { kind: 'squared_error' }
  | { kind: 'quantile'; quantile: number }

/** A tree with no nodes yet, to grow by pushing nodes. */
export function emptyTree(): RegressionTree {
  return { featureIndex: [], threshold: [], trueChild: [], falseChild: [], leafValue: [] }
}

/** A trained ensemble: prediction = baseValue + sum of one leaf value per tree. */
export interface GradientBoostedTrees {
  loss: BoostingLoss
  featureCount: number
  baseValue: number
  trees: RegressionTree[]
  /** Total split gain per feature over all trees (importance; not used to predict). */
  featureGain?: number[]
}

/** Point estimate plus the 10th and 90th percentile models. */
export interface IntervalModel {
  expectedReturn: GradientBoostedTrees
  p10: GradientBoostedTrees
  p90: GradientBoostedTrees
}

/** Row-major float32 feature matrix: value of feature `f` of row `r` at `values[r * featureCount + f]`. */
export interface FeatureMatrix {
  values: Float32Array
  rowCount: number
  featureCount: number
}

/** Wraps row-major values, checking that they fill whole rows. */
export function featureMatrix(values: Float32Array, featureCount: number): FeatureMatrix {
  if (!Number.isInteger(featureCount) || featureCount <= 0) {
    throw new RangeError(`Invalid feature count ${featureCount}`)
  }
  if (values.length % featureCount !== 0) {
    throw new RangeError(
      `Invalid feature matrix: ${values.length} values is not a multiple of ${featureCount} features`,
    )
  }
  return { values, rowCount: values.length / featureCount, featureCount }
}

/** Index of the leaf a row (starting at `offset` in `values`) falls into. */
export function leafIndex(tree: RegressionTree, values: Float32Array, offset: number): number {
  let node = 0
  let feature = tree.featureIndex[0] as number
  while (feature >= 0) {
    node = (values[offset + feature] as number) <= (tree.threshold[node] as number)
      ? tree.trueChild[node] as number
      : tree.falseChild[node] as number
    feature = tree.featureIndex[node] as number
  }
  return node
}

/** Predicts every row of `matrix`, summing in float32 in tree order like onnxruntime. */
export function predictTrees(model: GradientBoostedTrees, matrix: FeatureMatrix): Float32Array {
  if (matrix.featureCount !== model.featureCount) {
    throw new RangeError(
      `Cannot predict: model expects ${model.featureCount} features, matrix has ${matrix.featureCount}`,
    )
  }
  const predictions = new Float32Array(matrix.rowCount)
  const base = Math.fround(model.baseValue)
  for (let row = 0; row < matrix.rowCount; row++) {
    const offset = row * matrix.featureCount
    let sum = 0
    for (const tree of model.trees) {
      sum = Math.fround(sum + (tree.leafValue[leafIndex(tree, matrix.values, offset)] as number))
    }
    predictions[row] = Math.fround(sum + base)
  }
  return predictions
}

/** Point and interval predictions for every row. */
export interface IntervalPredictions {
  expectedReturn: Float32Array
  p10: Float32Array
  p90: Float32Array
}

/** Predicts the point estimate and both percentiles (raw model outputs, not reordered). */
export function predictInterval(model: IntervalModel, matrix: FeatureMatrix): IntervalPredictions {
  return {
    expectedReturn: predictTrees(model.expectedReturn, matrix),
    p10: predictTrees(model.p10, matrix),
    p90: predictTrees(model.p90, matrix),
  }
}
