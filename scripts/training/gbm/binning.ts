/**
 * Quantile binning of a float32 feature matrix into at most 256 bins per feature.
 *
 * Bin edges are float32 values and a value's bin is the first edge it is `<=` to, so a split
 * "bin <= b" is exactly "value <= edges[b]" in float32 — the test onnxruntime applies.
 * NaN compares false with every edge and lands in the last bin, which is also where it goes at
 * prediction time (the false branch).
 */
import type { FeatureMatrix } from './model.ts'
import { createRandom } from '../../lib/random.ts'

/** Per-feature ascending float32 bin edges; feature `f` has `edges[f].length + 1` bins. */
export interface FeatureBins {
  edges: Float32Array[]
}

/** Binned matrix: `bins[r * featureCount + f]`, row-major like the input. */
export interface BinnedMatrix {
  bins: Uint8Array
  rowCount: number
  featureCount: number
}

/** Options for {@link computeFeatureBins}. */
export interface BinningOptions {
  /** Bins per feature, 2..256. */
  maxBins: number
  /** Rows sampled to place the edges (all rows when fewer). */
  sampleRows: number
  seed: number
}

/** Places up to `maxBins - 1` edges per feature at quantiles of a seeded row sample. */
export function computeFeatureBins(matrix: FeatureMatrix, options: BinningOptions): FeatureBins {
  if (!Number.isInteger(options.maxBins) || options.maxBins < 2 || options.maxBins > 256) {
    throw new RangeError(`Invalid maxBins ${options.maxBins}: must be an integer in 2..256`)
  }
  const sample = sampleRowIndexes(matrix.rowCount, options.sampleRows, options.seed)
  const column = new Float32Array(sample.length)
  const edges: Float32Array[] = []
  for (let feature = 0; feature < matrix.featureCount; feature++) {
    let finite = 0
    for (const row of sample) {
      const value = matrix.values[row * matrix.featureCount + feature] as number
      if (!Number.isNaN(value)) column[finite++] = value
    }
    const sorted = column.subarray(0, finite).sort()
    edges.push(edgesFromSorted(sorted, options.maxBins - 1))
  }
  return { edges }
}

function sampleRowIndexes(rowCount: number, sampleRows: number, seed: number): Uint32Array {
  const indexes = new Uint32Array(rowCount)
  for (let i = 0; i < rowCount; i++) indexes[i] = i
  if (rowCount <= sampleRows) return indexes
  const random = createRandom(seed).float
  // Partial Fisher-Yates: the first `sampleRows` entries become a uniform sample.
  for (let i = 0; i < sampleRows; i++) {
    const j = i + Math.floor(random() * (rowCount - i))
    const swap = indexes[i] as number
    indexes[i] = indexes[j] as number
    indexes[j] = swap
  }
  return indexes.subarray(0, sampleRows)
}

/**
 * Edges between distinct values: all of them when there are few, else at evenly spaced ranks.
 * An edge is the float32 midpoint of two neighbouring distinct values (or the lower value when
 * the midpoint rounds up to the upper one), so both values stay on their own side.
 */
function edgesFromSorted(sorted: Float32Array, maxEdges: number): Float32Array {
  const distinct: number[] = []
  const upToRank: number[] = []
  for (let i = 0; i < sorted.length; i++) {
    const value = sorted[i] as number
    if (distinct.length === 0 || value !== distinct[distinct.length - 1]) {
      distinct.push(value)
      upToRank.push(i + 1)
    } else {
      upToRank[upToRank.length - 1] = i + 1
    }
  }
  const cut = (lower: number, upper: number): number => {
    const middle = Math.fround(lower + (upper - lower) / 2)
    return middle >= upper || middle < lower ? lower : middle
  }
  if (distinct.length - 1 <= maxEdges) {
    const edges = new Float32Array(Math.max(0, distinct.length - 1))
    for (let i = 0; i + 1 < distinct.length; i++) {
      edges[i] = cut(distinct[i] as number, distinct[i + 1] as number)
    }
    return edges
  }
  // Cut after the distinct value whose cumulative rank first reaches each target rank.
  const chosen: number[] = []
  let valueIndex = 0
  for (let k = 1; k <= maxEdges; k++) {
    const targetRank = (k * sorted.length) / (maxEdges + 1)
    while (valueIndex < distinct.length - 1 && (upToRank[valueIndex] as number) < targetRank) {
      valueIndex++
    }
    if (valueIndex >= distinct.length - 1) break
    const edge = cut(distinct[valueIndex] as number, distinct[valueIndex + 1] as number)
    if (chosen.length === 0 || edge > (chosen[chosen.length - 1] as number)) chosen.push(edge)
  }
  return Float32Array.from(chosen)
}

/** Bin of one value: the index of the first edge it is `<=` to, else the last bin. */
export function binOf(edges: Float32Array, value: number): number {
  let low = 0
  let high = edges.length
  while (low < high) {
    const middle = (low + high) >>> 1
    if (value <= (edges[middle] as number)) high = middle
    else low = middle + 1
  }
  return low
}

/** Bins every value of the matrix. */
export function binMatrix(matrix: FeatureMatrix, featureBins: FeatureBins): BinnedMatrix {
  const { rowCount, featureCount, values } = matrix
  if (featureBins.edges.length !== featureCount) {
    throw new RangeError(
      `Cannot bin: ${featureBins.edges.length} binned features, matrix has ${featureCount}`,
    )
  }
  const bins = new Uint8Array(rowCount * featureCount)
  for (let feature = 0; feature < featureCount; feature++) {
    const edges = featureBins.edges[feature] as Float32Array
    for (let row = 0; row < rowCount; row++) {
      const index = row * featureCount + feature
      bins[index] = binOf(edges, values[index] as number)
    }
  }
  return { bins, rowCount, featureCount }
}
