/**
 * An "offset tree": one regression tree that reproduces a feature's own value as a fine
 * staircase. Boosting then learns only the residual (truth − that feature), and the ensemble —
 * offset tree first, then the boosted trees — still outputs the final expected return directly,
 * as a plain ONNX `TreeEnsembleRegressor` with no extra graph nodes.
 */
import { emptyTree, type RegressionTree } from './gbm/model.ts'

/** Options of {@link buildOffsetTree}. */
export interface OffsetTreeOptions {
  featureIndex: number
  /** Number of steps (leaves); a power of two keeps the tree balanced. */
  leaves: number
}

/**
 * Builds a balanced tree on one feature whose leaves hold the mean feature value of the training
 * rows falling into them, with step edges at quantiles of those values (float32). Rows beyond
 * the outer edges fall into the outer leaves.
 */
export function buildOffsetTree(
  values: Float32Array,
  options: OffsetTreeOptions,
): RegressionTree {
  if (values.length === 0) throw new RangeError('Cannot build an offset tree from no values')
  const sorted = Float32Array.from(values).sort()
  // Distinct float32 edges at evenly spaced ranks; each step holds the rows <= its edge.
  const edges: number[] = []
  for (let k = 1; k < options.leaves; k++) {
    const value = sorted[Math.floor((k * sorted.length) / options.leaves)] as number
    if (edges.length === 0 || value > (edges[edges.length - 1] as number)) edges.push(value)
  }
  // Mean of the values in each step: steps[i] covers (edges[i-1], edges[i]].
  const sums = new Float64Array(edges.length + 1)
  const counts = new Float64Array(edges.length + 1)
  let step = 0
  for (const value of sorted) {
    while (step < edges.length && value > (edges[step] as number)) step++
    sums[step] = (sums[step] as number) + value
    counts[step] = (counts[step] as number) + 1
  }
  const stepValue = (i: number): number => {
    const count = counts[i] as number
    if (count > 0) return Math.fround((sums[i] as number) / count)
    return Math.fround(edges[Math.min(i, edges.length - 1)] as number)
  }
  const tree = emptyTree()
  // Steps [from, to] under one node; pre-order ids, so children come after their parent.
  const grow = (from: number, to: number): number => {
    const id = tree.featureIndex.length
    tree.featureIndex.push(-1)
    tree.threshold.push(0)
    tree.trueChild.push(-1)
    tree.falseChild.push(-1)
    tree.leafValue.push(0)
    if (from === to) {
      tree.leafValue[id] = stepValue(from)
      return id
    }
    const middle = (from + to) >>> 1
    tree.featureIndex[id] = options.featureIndex
    tree.threshold[id] = edges[middle] as number
    tree.trueChild[id] = grow(from, middle)
    tree.falseChild[id] = grow(middle + 1, to)
    return id
  }
  grow(0, edges.length)
  return tree
}
