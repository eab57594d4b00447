/**
 * Histogram-based gradient boosting of regression trees, in plain TypeScript.
 *
 * Features are binned once (at most 256 bins, `Uint8Array`, row-major); each tree grows level by
 * level to `maxDepth`, finding splits from per-node gradient histograms (the larger child's
 * histogram is the parent's minus the smaller child's). Losses: squared error (point estimate) and
 * pinball loss for a quantile, whose leaves are refitted to the quantile of the residuals.
 * Row and feature subsampling draw from a seeded generator, so a seed fixes the model.
 */
import { binMatrix, type BinnedMatrix, computeFeatureBins, type FeatureBins } from './binning.ts'
import {
  type BoostingLoss,
  emptyTree,
  type FeatureMatrix,
  type GradientBoostedTrees,
  type RegressionTree,
} from './model.ts'
import { createRandom } from '../../lib/random.ts'

/** Rows to learn from: features and the value to predict for each row. */
export interface TrainingSet {
  features: FeatureMatrix
  target: Float32Array | Float64Array
}

/** A training set binned once, to train several models on the same data. */
export interface PreparedTrainingSet {
  featureBins: FeatureBins
  binned: BinnedMatrix
  target: Float64Array
}

/** How to bin features in {@link prepareTrainingSet}. */
export interface BinningSettings {
  /** Bins per feature, 2..256. */
  maxBins: number
  /** Rows sampled to place bin edges. */
  binSampleRows: number
  seed: number
}

/** Settings of one boosted model. */
export interface BoostingOptions {
  loss: BoostingLoss
  /** Number of trees. */
  trees: number
  /** Maximum depth of a tree (root at depth 0; up to 2^maxDepth leaves). */
  maxDepth: number
  learningRate: number
  /** Fewest sampled rows a leaf may hold. */
  minRowsPerLeaf: number
  /** Fraction of rows drawn (without replacement) for each tree. */
  rowSubsample: number
  /** Fraction of features considered by each tree. */
  featureSubsample: number
  /** L2 penalty on leaf values (squared error) and in split gains. */
  l2Regularization: number
  /** A split must improve the loss by more than this. */
  minSplitGain: number
  seed: number
  /** Called after every tree. */
  onProgress?: (progress: BoostingProgress) => void
}

/** Reported after each tree. */
export interface BoostingProgress {
  treesBuilt: number
  trees: number
  /** Mean loss (squared error or pinball) over all training rows. */
  trainingLoss: number
}

/** Defaults sized for ~200k rows x ~30 features. */
export const DEFAULT_BOOSTING_OPTIONS: Readonly<Omit<BoostingOptions, 'loss' | 'onProgress'>> = {
  trees: 300,
  maxDepth: 6,
  learningRate: 0.1,
  minRowsPerLeaf: 20,
  rowSubsample: 0.8,
  featureSubsample: 1,
  l2Regularization: 1,
  minSplitGain: 0,
  seed: 1,
}

/** Default binning: 256 bins placed from up to 100k rows. */
export const DEFAULT_BINNING: Readonly<BinningSettings> = {
  maxBins: 256,
  binSampleRows: 100_000,
  seed: 1,
}

/** Bins the features once; checks that the target is finite and matches the row count. */
export function prepareTrainingSet(
  data: TrainingSet,
  binning: BinningSettings = DEFAULT_BINNING,
): PreparedTrainingSet {
  const { features, target } = data
  if (target.length !== features.rowCount) {
    throw new RangeError(
      `Cannot train: ${target.length} targets for ${features.rowCount} feature rows`,
    )
  }
  if (features.rowCount === 0) throw new RangeError('Cannot train: no rows')
  for (let i = 0; i < target.length; i++) {
    if (!Number.isFinite(target[i])) {
      throw new RangeError(`Cannot train: target of row ${i} is not finite`)
    }
  }
  const featureBins = computeFeatureBins(features, {
    maxBins: binning.maxBins,
    sampleRows: binning.binSampleRows,
    seed: binning.seed,
  })
  return {
    featureBins,
    binned: binMatrix(features, featureBins),
    target: Float64Array.from(target),
  }
}

const BIN_STRIDE = 256

/** Trains one boosted model; `options` override {@link DEFAULT_BOOSTING_OPTIONS}. */
export function trainGradientBoostedTrees(
  data: PreparedTrainingSet,
  options: Partial<BoostingOptions> & { loss: BoostingLoss },
): GradientBoostedTrees {
  const settings: BoostingOptions = { ...DEFAULT_BOOSTING_OPTIONS, ...options }
  validateOptions(settings)
  const { binned, target, featureBins } = data
  const { rowCount, featureCount } = binned
  const random = createRandom(settings.seed).float
  const baseValue = Math.fround(initialValue(target, settings.loss))

  const prediction = new Float64Array(rowCount).fill(baseValue)
  const gradient = new Float64Array(rowCount)
  const rowIndex = new Uint32Array(rowCount)
  const partitionScratch = new Uint32Array(rowCount)
  const residualScratch = new Float64Array(rowCount)
  const histograms = new HistogramPool(featureCount)
  const trees: RegressionTree[] = []
  const featureGain = new Array<number>(featureCount).fill(0)

  for (let treeNumber = 0; treeNumber < settings.trees; treeNumber++) {
    computeGradients(settings.loss, target, prediction, gradient)
    const sampledRows = sampleRows(rowIndex, rowCount, settings.rowSubsample, random)
    const activeFeatures = sampleFeatures(featureCount, settings.featureSubsample, random)
    const grown = growTree({
      binned,
      featureBins,
      gradient,
      target,
      prediction,
      rowIndex,
      sampledRows,
      partitionScratch,
      residualScratch,
      activeFeatures,
      histograms,
      settings,
      featureGain,
    })
    trees.push(grown.tree)
    applyTree(grown, binned, prediction)
    settings.onProgress?.({
      treesBuilt: treeNumber + 1,
      trees: settings.trees,
      trainingLoss: meanLoss(settings.loss, target, prediction),
    })
  }
  return { loss: settings.loss, featureCount, baseValue, trees, featureGain }
}

function validateOptions(settings: BoostingOptions): void {
  const checks: Array<[boolean, string]> = [
    [
      Number.isInteger(settings.trees) && settings.trees >= 0,
      'trees must be a non-negative integer',
    ],
    [
      Number.isInteger(settings.maxDepth) && settings.maxDepth >= 1 && settings.maxDepth <= 16,
      'maxDepth must be an integer in 1..16',
    ],
    [settings.learningRate > 0 && settings.learningRate <= 1, 'learningRate must be in (0, 1]'],
    [
      Number.isInteger(settings.minRowsPerLeaf) && settings.minRowsPerLeaf >= 1,
      'minRowsPerLeaf must be a positive integer',
    ],
    [settings.rowSubsample > 0 && settings.rowSubsample <= 1, 'rowSubsample must be in (0, 1]'],
    [
      settings.featureSubsample > 0 && settings.featureSubsample <= 1,
      'featureSubsample must be in (0, 1]',
    ],
    [settings.l2Regularization >= 0, 'l2Regularization must be >= 0'],
    [settings.minSplitGain >= 0, 'minSplitGain must be >= 0'],
    [
      settings.loss.kind !== 'quantile' ||
      (settings.loss.quantile > 0 && settings.loss.quantile < 1),
      'quantile must be in (0, 1)',
    ],
  ]
  for (const [ok, message] of checks) {
    if (!ok) throw new RangeError(`Invalid boosting options: ${message}`)
  }
}

function initialValue(target: Float64Array, loss: BoostingLoss): number {
  if (loss.kind === 'squared_error') {
    let sum = 0
    for (let i = 0; i < target.length; i++) sum += target[i] as number
    return sum / target.length
  }
  return quantileOfSorted(Float64Array.from(target).sort(), loss.quantile)
}

/** Linear-interpolated quantile (type 7) of ascending values. */
export function quantileOfSorted(sorted: Float64Array, quantile: number): number {
  if (sorted.length === 0) return 0
  const position = (sorted.length - 1) * quantile
  const lower = Math.floor(position)
  const upper = Math.min(lower + 1, sorted.length - 1)
  const fraction = position - lower
  return (sorted[lower] as number) * (1 - fraction) + (sorted[upper] as number) * fraction
}

function computeGradients(
  loss: BoostingLoss,
  target: Float64Array,
  prediction: Float64Array,
  gradient: Float64Array,
): void {
  if (loss.kind === 'squared_error') {
    for (let i = 0; i < target.length; i++) {
      gradient[i] = (prediction[i] as number) - (target[i] as number)
    }
    return
  }
  const below = -loss.quantile
  const above = 1 - loss.quantile
  for (let i = 0; i < target.length; i++) {
    gradient[i] = (target[i] as number) > (prediction[i] as number) ? below : above
  }
}

function meanLoss(loss: BoostingLoss, target: Float64Array, prediction: Float64Array): number {
  let sum = 0
  if (loss.kind === 'squared_error') {
    for (let i = 0; i < target.length; i++) {
      const error = (target[i] as number) - (prediction[i] as number)
      sum += error * error
    }
  } else {
    for (let i = 0; i < target.length; i++) {
      const error = (target[i] as number) - (prediction[i] as number)
      sum += error >= 0 ? loss.quantile * error : (loss.quantile - 1) * error
    }
  }
  return sum / target.length
}

function sampleRows(
  rowIndex: Uint32Array,
  rowCount: number,
  fraction: number,
  random: () => number,
): number {
  let count = 0
  for (let row = 0; row < rowCount; row++) {
    if (fraction >= 1 || random() < fraction) rowIndex[count++] = row
  }
  return count
}

function sampleFeatures(featureCount: number, fraction: number, random: () => number): Int32Array {
  const all = new Int32Array(featureCount)
  for (let f = 0; f < featureCount; f++) all[f] = f
  if (fraction >= 1) return all
  const keep = Math.max(1, Math.round(featureCount * fraction))
  for (let i = 0; i < keep; i++) {
    const j = i + Math.floor(random() * (featureCount - i))
    const swap = all[i] as number
    all[i] = all[j] as number
    all[j] = swap
  }
  return all.subarray(0, keep).sort()
}

/** Reuses gradient histograms (sum of gradients and row count per feature and bin). */
class HistogramPool {
  readonly #free: Float64Array[] = []
  readonly #size: number
  constructor(featureCount: number) {
    this.#size = featureCount * BIN_STRIDE * 2
  }
  take(): Float64Array {
    return this.#free.pop() ?? new Float64Array(this.#size)
  }
  give(histogram: Float64Array): void {
    this.#free.push(histogram)
  }
}

interface GrowContext {
  binned: BinnedMatrix
  featureBins: FeatureBins
  gradient: Float64Array
  target: Float64Array
  prediction: Float64Array
  rowIndex: Uint32Array
  sampledRows: number
  partitionScratch: Uint32Array
  residualScratch: Float64Array
  activeFeatures: Int32Array
  histograms: HistogramPool
  settings: BoostingOptions
  featureGain: number[]
}

/** A node waiting to be split: its rows are `rowIndex[start..end)`. */
interface OpenNode {
  id: number
  start: number
  end: number
  depth: number
  gradientSum: number
  /** Present when the node may still be split. */
  histogram: Float64Array | undefined
}

interface GrownTree {
  tree: RegressionTree
  /** Split bin per node (bin <= splitBin goes to the true child); -1 for leaves. */
  splitBin: Int32Array
}

interface SplitCandidate {
  gain: number
  feature: number
  bin: number
  leftGradient: number
  leftCount: number
}

function growTree(context: GrowContext): GrownTree {
  const { settings, rowIndex, histograms } = context
  const tree = emptyTree()
  const splitBins: number[] = []
  const addNode = (): number => {
    tree.featureIndex.push(-1)
    tree.threshold.push(0)
    tree.trueChild.push(-1)
    tree.falseChild.push(-1)
    tree.leafValue.push(0)
    splitBins.push(-1)
    return tree.featureIndex.length - 1
  }

  const rootHistogram = histograms.take()
  buildHistogram(context, rootHistogram, 0, context.sampledRows)
  let rootGradient = 0
  for (let i = 0; i < context.sampledRows; i++) {
    rootGradient += context.gradient[rowIndex[i] as number] as number
  }
  const queue: OpenNode[] = [{
    id: addNode(),
    start: 0,
    end: context.sampledRows,
    depth: 0,
    gradientSum: rootGradient,
    histogram: rootHistogram,
  }]

  for (let next = 0; next < queue.length; next++) {
    const node = queue[next] as OpenNode
    const split = node.histogram && node.depth < settings.maxDepth
      ? findBestSplit(context, node)
      : undefined
    if (!split) {
      if (node.histogram) histograms.give(node.histogram)
      tree.leafValue[node.id] = leafValue(context, node)
      continue
    }
    const parentHistogram = node.histogram as Float64Array
    const middle = partitionRows(context, node, split)
    const leftId = addNode()
    const rightId = addNode()
    tree.featureIndex[node.id] = split.feature
    tree.threshold[node.id] =
      (context.featureBins.edges[split.feature] as Float32Array)[split.bin] as number
    tree.trueChild[node.id] = leftId
    tree.falseChild[node.id] = rightId
    splitBins[node.id] = split.bin
    context.featureGain[split.feature] = (context.featureGain[split.feature] as number) + split.gain

    const childDepth = node.depth + 1
    const childrenSplittable = childDepth < settings.maxDepth
    let leftHistogram: Float64Array | undefined
    let rightHistogram: Float64Array | undefined
    if (childrenSplittable) {
      const leftSmaller = middle - node.start <= node.end - middle
      const small = histograms.take()
      if (leftSmaller) buildHistogram(context, small, node.start, middle)
      else buildHistogram(context, small, middle, node.end)
      subtractHistogram(context.activeFeatures, parentHistogram, small)
      leftHistogram = leftSmaller ? small : parentHistogram
      rightHistogram = leftSmaller ? parentHistogram : small
    } else {
      histograms.give(parentHistogram)
    }
    const rightGradient = node.gradientSum - split.leftGradient
    queue.push({
      id: leftId,
      start: node.start,
      end: middle,
      depth: childDepth,
      gradientSum: split.leftGradient,
      histogram: leftHistogram,
    })
    queue.push({
      id: rightId,
      start: middle,
      end: node.end,
      depth: childDepth,
      gradientSum: rightGradient,
      histogram: rightHistogram,
    })
  }
  return { tree, splitBin: Int32Array.from(splitBins) }
}

function buildHistogram(
  context: GrowContext,
  histogram: Float64Array,
  start: number,
  end: number,
): void {
  const { activeFeatures, rowIndex, gradient } = context
  const { bins, featureCount } = context.binned
  for (let k = 0; k < activeFeatures.length; k++) {
    const from = (activeFeatures[k] as number) * BIN_STRIDE * 2
    histogram.fill(0, from, from + BIN_STRIDE * 2)
  }
  const active = activeFeatures.length
  for (let i = start; i < end; i++) {
    const row = rowIndex[i] as number
    const rowGradient = gradient[row] as number
    const offset = row * featureCount
    for (let k = 0; k < active; k++) {
      const feature = activeFeatures[k] as number
      const slot = (feature * BIN_STRIDE + (bins[offset + feature] as number)) * 2
      histogram[slot] = (histogram[slot] as number) + rowGradient
      histogram[slot + 1] = (histogram[slot + 1] as number) + 1
    }
  }
}

/** `parent -= child` over the active features: the parent buffer becomes the sibling's. */
function subtractHistogram(
  activeFeatures: Int32Array,
  parent: Float64Array,
  child: Float64Array,
): void {
  for (let k = 0; k < activeFeatures.length; k++) {
    const from = (activeFeatures[k] as number) * BIN_STRIDE * 2
    for (let slot = from; slot < from + BIN_STRIDE * 2; slot++) {
      parent[slot] = (parent[slot] as number) - (child[slot] as number)
    }
  }
}

function findBestSplit(context: GrowContext, node: OpenNode): SplitCandidate | undefined {
  const { settings, activeFeatures, featureBins } = context
  const histogram = node.histogram as Float64Array
  const count = node.end - node.start
  const minLeaf = settings.minRowsPerLeaf
  if (count < 2 * minLeaf) return undefined
  const lambda = settings.l2Regularization
  const parentScore = (node.gradientSum * node.gradientSum) / (count + lambda)
  let best: SplitCandidate | undefined
  for (let k = 0; k < activeFeatures.length; k++) {
    const feature = activeFeatures[k] as number
    const edgeCount = (featureBins.edges[feature] as Float32Array).length
    const from = feature * BIN_STRIDE * 2
    let leftGradient = 0
    let leftCount = 0
    for (let bin = 0; bin < edgeCount; bin++) {
      leftGradient += histogram[from + bin * 2] as number
      leftCount += histogram[from + bin * 2 + 1] as number
      if (leftCount < minLeaf) continue
      const rightCount = count - leftCount
      if (rightCount < minLeaf) break
      const rightGradient = node.gradientSum - leftGradient
      const gain = (leftGradient * leftGradient) / (leftCount + lambda) +
        (rightGradient * rightGradient) / (rightCount + lambda) - parentScore
      if (gain > settings.minSplitGain && (best === undefined || gain > best.gain)) {
        best = { gain, feature, bin, leftGradient, leftCount }
      }
    }
  }
  return best
}

/** Reorders `rowIndex[start..end)` so rows going to the true child come first; returns the cut. */
function partitionRows(context: GrowContext, node: OpenNode, split: SplitCandidate): number {
  const { rowIndex, partitionScratch } = context
  const { bins, featureCount } = context.binned
  let left = node.start
  let right = 0
  for (let i = node.start; i < node.end; i++) {
    const row = rowIndex[i] as number
    if ((bins[row * featureCount + split.feature] as number) <= split.bin) rowIndex[left++] = row
    else partitionScratch[right++] = row
  }
  rowIndex.set(partitionScratch.subarray(0, right), left)
  return left
}

function leafValue(context: GrowContext, node: OpenNode): number {
  const { settings } = context
  const count = node.end - node.start
  if (count === 0) return 0
  if (settings.loss.kind === 'squared_error') {
    return Math.fround(
      -settings.learningRate * node.gradientSum / (count + settings.l2Regularization),
    )
  }
  const residuals = context.residualScratch.subarray(0, count)
  for (let i = 0; i < count; i++) {
    const row = context.rowIndex[node.start + i] as number
    residuals[i] = (context.target[row] as number) - (context.prediction[row] as number)
  }
  residuals.sort()
  return Math.fround(settings.learningRate * quantileOfSorted(residuals, settings.loss.quantile))
}

function applyTree(grown: GrownTree, binned: BinnedMatrix, prediction: Float64Array): void {
  const { tree, splitBin } = grown
  const { bins, featureCount, rowCount } = binned
  const featureIndex = Int32Array.from(tree.featureIndex)
  const trueChild = Int32Array.from(tree.trueChild)
  const falseChild = Int32Array.from(tree.falseChild)
  const leafValues = Float64Array.from(tree.leafValue)
  for (let row = 0; row < rowCount; row++) {
    const offset = row * featureCount
    let node = 0
    let feature = featureIndex[0] as number
    while (feature >= 0) {
      node = (bins[offset + feature] as number) <= (splitBin[node] as number)
        ? trueChild[node] as number
        : falseChild[node] as number
      feature = featureIndex[node] as number
    }
    prediction[row] = (prediction[row] as number) + (leafValues[node] as number)
  }
}
