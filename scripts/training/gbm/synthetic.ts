/**
 * Seeded synthetic regression data with a known signal and heteroscedastic noise, for trainer
 * tests, benchmarks and the tiny fixture model; and random complete ensembles, the shape of a
 * large model, for runtime parity tests and benchmarks. Not used for the real model.
 */
import { emptyTree, featureMatrix, type GradientBoostedTrees } from './model.ts'
import { createRandom } from '../../lib/random.ts'
import type { TrainingSet } from './train.ts'

/** Options of {@link syntheticRegressionData}. */
export interface SyntheticDataOptions {
  rows: number
  /** At least 5; features beyond the fifth carry no signal. */
  featureCount: number
  /** Standard deviation of the noise at feature 4 = 0.5 (it scales with feature 4). */
  noise: number
  seed: number
}

/** The noise-free signal: what a perfect model predicts for the mean. */
export function syntheticSignal(row: ArrayLike<number>): number {
  const [a = 0, b = 0, c = 0, d = 0] = [row[0], row[1], row[2], row[3]]
  return Math.sin(a * 3) + 2 * b * c + (d > 0.5 ? 1 : 0)
}

/**
 * Features uniform on [0, 1); target = {@link syntheticSignal} + normal noise whose standard
 * deviation is `noise * (0.5 + feature4)`.
 */
export function syntheticRegressionData(options: SyntheticDataOptions): TrainingSet {
  const { rows, featureCount, noise } = options
  if (featureCount < 5) throw new RangeError('Synthetic data needs at least 5 features')
  const random = createRandom(options.seed).float
  const values = new Float32Array(rows * featureCount)
  const target = new Float64Array(rows)
  const row = new Float32Array(featureCount)
  for (let r = 0; r < rows; r++) {
    for (let f = 0; f < featureCount; f++) row[f] = random()
    values.set(row, r * featureCount)
    // Box-Muller normal from two uniforms (1 - u avoids log(0)).
    const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())
    target[r] = syntheticSignal(row) + noise * (0.5 + (row[4] as number)) * normal
  }
  return { features: featureMatrix(values, featureCount), target }
}

/** Options of {@link randomCompleteEnsemble}. */
export interface RandomEnsembleOptions {
  trees: number
  depth: number
  featureCount: number
  /** Drawn at random when not given. */
  baseValue?: number
}

/**
 * Complete trees of the given depth splitting on random features at random thresholds in [0, 1),
 * with small random leaves: a model the size and shape of a large trained one whose outputs mean
 * nothing (runtime parity tests, benchmarks).
 */
export function randomCompleteEnsemble(
  random: () => number,
  options: RandomEnsembleOptions,
): GradientBoostedTrees {
  const nodeCount = 2 ** (options.depth + 1) - 1
  const baseValue = options.baseValue ?? Math.fround(random())
  const randomTree = () => {
    const tree = emptyTree()
    for (let node = 0; node < nodeCount; node++) {
      const leaf = 2 * node + 1 >= nodeCount
      tree.featureIndex.push(leaf ? -1 : Math.floor(random() * options.featureCount))
      tree.threshold.push(leaf ? 0 : Math.fround(random()))
      tree.trueChild.push(leaf ? -1 : 2 * node + 1)
      tree.falseChild.push(leaf ? -1 : 2 * node + 2)
      tree.leafValue.push(leaf ? Math.fround((random() - 0.5) * 0.02) : 0)
    }
    return tree
  }
  return {
    loss: { kind: 'squared_error' },
    featureCount: options.featureCount,
    baseValue,
    trees: Array.from({ length: options.trees }, randomTree),
  }
}
