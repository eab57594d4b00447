/**
 * Conformal calibration of the 80% interval by regime (Mondrian conformalized quantile
 * regression): the calibration rows, from held-out simulated states, are split into regimes by a
 * few features, and each regime's bounds move out (or in) by the amount that puts `coverage` of
 * its rows inside. The shifts travel in the ONNX model as one more tree in each percentile
 * ensemble, whose leaves are the regimes.
 */
import { emptyTree, type FeatureMatrix, type RegressionTree } from './gbm/model.ts'

/** One feature that splits the regimes, at these edges (a row goes left when value <= edge). */
export interface RegimeSplit {
  featureIndex: number
  edges: readonly number[]
}

/** The regimes and each one's shift. */
export interface RegimeCalibration {
  splits: readonly RegimeSplit[]
  /** Shift per regime, in regime order (the first split varies slowest). */
  shifts: number[]
  /** Calibration rows per regime. */
  rows: number[]
  /** Shift used for regimes with too few rows to calibrate alone. */
  pooledShift: number
}

/** Regimes with fewer calibration rows take the pooled shift. */
export const MIN_REGIME_ROWS = 300

/** The regime of row `row` of the matrix. */
export function regimeOf(splits: readonly RegimeSplit[], matrix: FeatureMatrix, row: number) {
  let regime = 0
  for (const split of splits) {
    const value = matrix.values[row * matrix.featureCount + split.featureIndex] as number
    let bin = 0
    while (bin < split.edges.length && value > Math.fround(split.edges[bin] as number)) bin++
    regime = regime * (split.edges.length + 1) + bin
  }
  return regime
}

/** Edges at the given quantiles of a feature over the rows (float32, distinct). */
export function quantileEdges(
  matrix: FeatureMatrix,
  featureIndex: number,
  quantiles: readonly number[],
): number[] {
  const values = new Float32Array(matrix.rowCount)
  for (let row = 0; row < matrix.rowCount; row++) {
    values[row] = matrix.values[row * matrix.featureCount + featureIndex] as number
  }
  values.sort()
  const edges: number[] = []
  for (const q of quantiles) {
    const edge = values[Math.min(values.length - 1, Math.floor(q * values.length))] as number
    if (edges.length === 0 || edge > (edges.at(-1) as number)) edges.push(edge)
  }
  return edges
}

/** The finite-sample conformal quantile of nonconformity scores: rank ⌈(n + 1)·coverage⌉. */
export function conformalShift(scores: Float64Array, coverage: number): number {
  const sorted = Float64Array.from(scores).sort()
  const rank = Math.min(sorted.length, Math.ceil((sorted.length + 1) * coverage))
  return sorted[rank - 1] as number
}

/**
 * Per-regime shifts from the calibration rows' nonconformity scores
 * max(p10 − y, y − p90): the bounds move out by the regime's conformal quantile.
 */
export function calibrateRegimes(
  matrix: FeatureMatrix,
  scores: Float64Array,
  options: { splits: readonly RegimeSplit[]; coverage: number },
): RegimeCalibration {
  const regimeCount = options.splits.reduce((count, split) => count * (split.edges.length + 1), 1)
  const byRegime: number[][] = Array.from({ length: regimeCount }, () => [])
  for (let row = 0; row < matrix.rowCount; row++) {
    byRegime[regimeOf(options.splits, matrix, row)]?.push(scores[row] as number)
  }
  const pooledShift = conformalShift(scores, options.coverage)
  return {
    splits: options.splits,
    shifts: byRegime.map((regimeScores) =>
      regimeScores.length >= MIN_REGIME_ROWS
        ? conformalShift(Float64Array.from(regimeScores), options.coverage)
        : pooledShift
    ),
    rows: byRegime.map((regimeScores) => regimeScores.length),
    pooledShift,
  }
}

/**
 * A tree whose leaves are the regimes, each holding `sign` × its shift (float32): appended to a
 * percentile ensemble it moves that bound by the regime's shift.
 */
export function regimeTree(calibration: RegimeCalibration, sign: 1 | -1): RegressionTree {
  const tree = emptyTree()
  const node = () => {
    tree.featureIndex.push(-1)
    tree.threshold.push(0)
    tree.trueChild.push(-1)
    tree.falseChild.push(-1)
    tree.leafValue.push(0)
    return tree.featureIndex.length - 1
  }
  const grow = (depth: number, regimePrefix: number): number => {
    const split = calibration.splits[depth]
    if (!split) {
      const leaf = node()
      tree.leafValue[leaf] = Math.fround(sign * (calibration.shifts[regimePrefix] ?? 0))
      return leaf
    }
    const bins = split.edges.length + 1
    if (bins === 1) return grow(depth + 1, regimePrefix)
    // A chain of "value <= edge" tests, one per edge; the last false branch is the last bin.
    const first = node()
    let test = first
    for (let bin = 0; bin < bins - 1; bin++) {
      tree.featureIndex[test] = split.featureIndex
      tree.threshold[test] = Math.fround(split.edges[bin] as number)
      tree.trueChild[test] = grow(depth + 1, regimePrefix * bins + bin)
      if (bin === bins - 2) {
        tree.falseChild[test] = grow(depth + 1, regimePrefix * bins + bin + 1)
      } else {
        const next = node()
        tree.falseChild[test] = next
        test = next
      }
    }
    return first
  }
  grow(0, 0)
  return tree
}
