/**
 * The point-plus-interval model: a squared-error ensemble for the expected value and two
 * pinball-loss ensembles for the 10th and 90th percentiles, optionally recalibrated on held-out
 * rows (conformalized quantile regression) so the 80% interval covers about 80% of new rows.
 */
import {
  type GradientBoostedTrees,
  type IntervalModel,
  type IntervalPredictions,
  predictInterval,
} from './model.ts'
import { deriveSeed } from '../../lib/random.ts'
import {
  type BinningSettings,
  type BoostingOptions,
  type BoostingProgress,
  DEFAULT_BINNING,
  prepareTrainingSet,
  trainGradientBoostedTrees,
  type TrainingSet,
} from './train.ts'

/** Lower and upper quantiles of the interval. */
export const INTERVAL_QUANTILES = { p10: 0.1, p90: 0.9 } as const

/** Which of the three models a progress report is about. */
export type IntervalModelPart = keyof IntervalModel

/** Boosting settings shared by the three models, with optional per-model overrides. */
export type SharedBoostingOptions = Partial<Omit<BoostingOptions, 'loss' | 'seed' | 'onProgress'>>

/** Options of {@link trainIntervalModel}. */
export interface IntervalTrainingOptions {
  seed: number
  boosting?: SharedBoostingOptions
  /** Overrides for the expected-return model (e.g. more trees). */
  expectedReturn?: SharedBoostingOptions
  /** Overrides for both percentile models. */
  quantiles?: SharedBoostingOptions
  binning?: Partial<BinningSettings>
  onProgress?: (part: IntervalModelPart, progress: BoostingProgress) => void
}

/** Trains the three models on the same binned data, each with its own derived seed. */
export function trainIntervalModel(
  data: TrainingSet,
  options: IntervalTrainingOptions,
): IntervalModel {
  const prepared = prepareTrainingSet(data, {
    ...DEFAULT_BINNING,
    seed: deriveSeed(options.seed, 0),
    ...options.binning,
  })
  const train = (part: IntervalModelPart, stream: number, loss: BoostingOptions['loss']) => {
    const overrides = part === 'expectedReturn' ? options.expectedReturn : options.quantiles
    return trainGradientBoostedTrees(prepared, {
      ...options.boosting,
      ...overrides,
      loss,
      seed: deriveSeed(options.seed, stream),
      onProgress: options.onProgress && ((progress) => options.onProgress?.(part, progress)),
    })
  }
  return {
    expectedReturn: train('expectedReturn', 1, { kind: 'squared_error' }),
    p10: train('p10', 2, { kind: 'quantile', quantile: INTERVAL_QUANTILES.p10 }),
    p90: train('p90', 3, { kind: 'quantile', quantile: INTERVAL_QUANTILES.p90 }),
  }
}

/** Share of rows whose target lies within [p10, p90] (bounds reordered when they cross). */
export function intervalCoverage(
  predictions: Pick<IntervalPredictions, 'p10' | 'p90'>,
  target: ArrayLike<number>,
): number {
  if (target.length === 0) return Number.NaN
  let covered = 0
  for (let i = 0; i < target.length; i++) {
    const a = predictions.p10[i] as number
    const b = predictions.p90[i] as number
    const y = target[i] as number
    if (y >= Math.min(a, b) && y <= Math.max(a, b)) covered++
  }
  return covered / target.length
}

/** Result of {@link calibrateInterval}. */
export interface IntervalCalibration {
  model: IntervalModel
  /** Amount subtracted from p10 and added to p90 (negative narrows the interval). */
  widening: number
  coverageBefore: number
  coverageAfter: number
}

/**
 * Conformalized quantile regression: widens (or narrows) both bounds by the same amount so that
 * `coverage` of the calibration rows (never used for training) fall inside. The shift is folded
 * into the percentile models' base values, so the ONNX export carries it.
 */
export function calibrateInterval(
  model: IntervalModel,
  calibration: TrainingSet,
  coverage = 0.8,
): IntervalCalibration {
  const { features, target } = calibration
  if (target.length !== features.rowCount || target.length === 0) {
    throw new RangeError('Cannot calibrate: need one target per calibration row, and some rows')
  }
  const predictions = predictInterval(model, features)
  const scores = new Float64Array(target.length)
  for (let i = 0; i < target.length; i++) {
    const y = target[i] as number
    scores[i] = Math.max(
      (predictions.p10[i] as number) - y,
      y - (predictions.p90[i] as number),
    )
  }
  scores.sort()
  // Finite-sample rank ceil((n + 1) * coverage), as in split conformal prediction.
  const rank = Math.min(target.length, Math.ceil((target.length + 1) * coverage))
  const widening = Math.fround(scores[rank - 1] as number)
  const shifted = (trees: GradientBoostedTrees, by: number): GradientBoostedTrees => ({
    ...trees,
    baseValue: Math.fround(trees.baseValue + by),
  })
  const calibrated: IntervalModel = {
    expectedReturn: model.expectedReturn,
    p10: shifted(model.p10, -widening),
    p90: shifted(model.p90, widening),
  }
  return {
    model: calibrated,
    widening,
    coverageBefore: intervalCoverage(predictions, target),
    coverageAfter: intervalCoverage(predictInterval(calibrated, features), target),
  }
}

/** Mean absolute error of predictions against targets. */
export function meanAbsoluteError(predicted: ArrayLike<number>, target: ArrayLike<number>): number {
  let sum = 0
  for (let i = 0; i < target.length; i++) {
    sum += Math.abs((predicted[i] as number) - (target[i] as number))
  }
  return sum / target.length
}
