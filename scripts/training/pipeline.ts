/**
 * Trains the scoring model: the expected return per $1 of a ticket bought today, with its 80%
 * interval, from simulated portfolios (both publication rules, training seeds only).
 *
 * - The point model is a median (pinball 0.5) boosted ensemble: the error that remains is
 *   dominated by prizes sold but not yet claimed, a skewed, lumpy quantity, and the median is
 *   what minimizes the absolute error the model is judged on.
 * - All three ensembles learn the residual from the claim-lag-corrected expected return
 *   (a feature); an offset tree placed first in each ensemble adds that feature back, so the
 *   exported model outputs the final values directly.
 * - p10 and p90 are pinball-loss ensembles, then shifted together (conformalized quantile
 *   regression) on calibration portfolios whose seeds are used for nothing else.
 *
 * Deterministic: the same configuration gives the same trees, hence the same ONNX bytes.
 */
import {
  FEATURE_NAMES,
  FEATURE_SET_VERSION,
  type FeatureName,
} from '../../supabase/functions/_shared/scoring/features.ts'
import { trainingSeeds } from '../evaluation/evaluation-set.ts'
import { encodeIntervalModel } from './gbm/export-onnx.ts'
import { calibrateInterval, INTERVAL_QUANTILES, type IntervalCalibration } from './gbm/interval.ts'
import {
  featureMatrix,
  type GradientBoostedTrees,
  type IntervalModel,
  predictTrees,
} from './gbm/model.ts'
import { deriveSeed } from '../lib/random.ts'
import {
  type BinningSettings,
  type BoostingOptions,
  DEFAULT_BINNING,
  prepareTrainingSet,
  trainGradientBoostedTrees,
} from './gbm/train.ts'
import type { PublicationRule } from '../market-sim/simulator.ts'
import { buildTrainingRows, type TrainingRows } from './data.ts'
import { buildOffsetTree } from './offset-tree.ts'
import { unionOfRanges } from './training-ranges.ts'
import type { TrainingRanges } from '../../supabase/functions/_shared/scoring/plausibility.ts'

/** Boosting settings of one of the three ensembles (the loss is fixed by its role). */
export type EnsembleSettings = Omit<BoostingOptions, 'loss' | 'seed' | 'onProgress'>

/** Everything that determines a trained model. */
export interface TrainingConfig {
  /** Model version, written into the ONNX metadata and the model card. */
  version: string
  /** Seed of every random choice of the trainer (bins, row and feature subsamples). */
  seed: number
  /** The first this many of `trainingSeeds()` simulate the training portfolios. */
  trainingPortfolioSeeds: number
  /** The next this many simulate the calibration portfolios (interval calibration only). */
  calibrationPortfolioSeeds: number
  rules: readonly PublicationRule[]
  /** Keep one game-day in this many for training (neighbouring days are nearly alike). */
  sampleEvery: number
  calibrationSampleEvery: number
  /** The feature the ensembles start from: they learn the truth's residual from it. */
  offsetFeature: FeatureName
  /** Steps of the offset tree. */
  offsetLeaves: number
  binning: Pick<BinningSettings, 'maxBins' | 'binSampleRows'>
  point: EnsembleSettings
  quantiles: EnsembleSettings
  /** Target coverage of the calibrated interval. */
  coverage: number
}

const SHARED_ENSEMBLE: EnsembleSettings = {
  trees: 400,
  maxDepth: 4,
  learningRate: 0.08,
  minRowsPerLeaf: 200,
  rowSubsample: 0.8,
  featureSubsample: 1,
  l2Regularization: 1,
  minSplitGain: 0,
}

/** The configuration of `npm run train`. */
export const DEFAULT_TRAINING_CONFIG: Readonly<TrainingConfig> = {
  version: 'gbm-v1',
  seed: 20_250_101,
  trainingPortfolioSeeds: 96,
  calibrationPortfolioSeeds: 16,
  rules: ['minnesota', 'all_tiers'],
  sampleEvery: 5,
  calibrationSampleEvery: 3,
  offsetFeature: 'lag_corrected_expected_return',
  offsetLeaves: 2048,
  binning: { maxBins: 256, binSampleRows: DEFAULT_BINNING.binSampleRows },
  point: SHARED_ENSEMBLE,
  quantiles: SHARED_ENSEMBLE,
  coverage: 0.8,
}

/** Which of the trainer's steps a progress message is about. */
export type TrainingProgress = (message: string) => void

/** What training produced, before export. */
export interface TrainedExpectedReturnModel {
  config: TrainingConfig
  model: IntervalModel
  calibration: Omit<IntervalCalibration, 'model'>
  data: {
    trainingSeeds: number[]
    calibrationSeeds: number[]
    trainingRows: number
    calibrationRows: number
    refusedGameDays: number
  }
  /** Total split gain per feature of the point model (importance). */
  featureGain: Record<FeatureName, number>
  /** Ranges of the guarded inputs over the training and calibration rows. */
  trainingRanges: TrainingRanges
  seconds: { data: number; boosting: number }
}

/** The seeds of the training and calibration portfolios (never held-out ones). */
export function portfolioSeedsOf(config: TrainingConfig) {
  const seeds = trainingSeeds(config.trainingPortfolioSeeds + config.calibrationPortfolioSeeds)
  return {
    training: seeds.slice(0, config.trainingPortfolioSeeds),
    calibration: seeds.slice(config.trainingPortfolioSeeds),
  }
}

function columnOf(rows: TrainingRows, feature: FeatureName): Float32Array {
  const index = FEATURE_NAMES.indexOf(feature)
  const column = new Float32Array(rows.rowCount)
  for (let row = 0; row < rows.rowCount; row++) {
    column[row] = rows.features[row * rows.featureCount + index] as number
  }
  return column
}

/** One pinball-loss ensemble to train on the residual. */
export interface ResidualEnsembleSpec {
  part: string
  quantile: number
  settings: EnsembleSettings
}

/**
 * Trains pinball-loss ensembles on the residual from `config.offsetFeature`, each with the offset
 * tree placed first so it predicts the truth itself. Rows may carry columns after the features
 * (analysis only); the offset feature is found by its index in {@link FEATURE_NAMES}.
 */
export function trainResidualEnsembles(
  training: TrainingRows,
  config: TrainingConfig,
  specs: readonly ResidualEnsembleSpec[],
  onProgress: TrainingProgress = () => {},
): GradientBoostedTrees[] {
  const features = featureMatrix(training.features, training.featureCount)
  const offsetTree = buildOffsetTree(columnOf(training, config.offsetFeature), {
    featureIndex: FEATURE_NAMES.indexOf(config.offsetFeature),
    leaves: config.offsetLeaves,
  })
  const offset = predictTrees({
    loss: { kind: 'squared_error' },
    featureCount: training.featureCount,
    baseValue: 0,
    trees: [offsetTree],
  }, features)
  const residual = training.target.map((truth, row) => truth - (offset[row] as number))
  const prepared = prepareTrainingSet({ features, target: residual }, {
    ...config.binning,
    seed: deriveSeed(config.seed, 0),
  })
  return specs.map(({ part, quantile, settings }, index) => {
    const ensemble = trainGradientBoostedTrees(prepared, {
      ...settings,
      loss: { kind: 'quantile', quantile },
      seed: deriveSeed(config.seed, index + 1),
      onProgress: ({ treesBuilt, trees, trainingLoss }) => {
        if (treesBuilt % 100 === 0 || treesBuilt === trees) {
          onProgress(
            `${part}: ${treesBuilt}/${trees} trees, training loss ${trainingLoss.toExponential(3)}`,
          )
        }
      },
    })
    return { ...ensemble, trees: [offsetTree, ...ensemble.trees] }
  })
}

/** Simulates the portfolios, trains the three ensembles and calibrates the interval. */
export function trainExpectedReturnModel(
  config: TrainingConfig,
  onProgress: TrainingProgress = () => {},
): TrainedExpectedReturnModel {
  const seeds = portfolioSeedsOf(config)
  const dataStart = performance.now()
  onProgress(
    `simulating ${seeds.training.length} training and ${seeds.calibration.length} calibration seeds x ${config.rules.length} rules`,
  )
  const training = buildTrainingRows({
    seeds: seeds.training,
    rules: config.rules,
    sampleEvery: config.sampleEvery,
    onProgress,
  })
  const calibration = buildTrainingRows({
    seeds: seeds.calibration,
    rules: config.rules,
    sampleEvery: config.calibrationSampleEvery,
    onProgress,
  })
  const dataSeconds = (performance.now() - dataStart) / 1000
  onProgress(
    `${training.rowCount} training rows, ${calibration.rowCount} calibration rows (${
      dataSeconds.toFixed(1)
    } s)`,
  )

  const boostingStart = performance.now()
  const [expectedReturn, p10, p90] = trainResidualEnsembles(training, config, [
    { part: 'expectedReturn', quantile: 0.5, settings: config.point },
    { part: 'p10', quantile: INTERVAL_QUANTILES.p10, settings: config.quantiles },
    { part: 'p90', quantile: INTERVAL_QUANTILES.p90, settings: config.quantiles },
  ], onProgress) as [GradientBoostedTrees, GradientBoostedTrees, GradientBoostedTrees]
  const raw: IntervalModel = { expectedReturn, p10, p90 }
  const calibrated = calibrateInterval(raw, {
    features: featureMatrix(calibration.features, calibration.featureCount),
    target: calibration.target,
  }, config.coverage)
  onProgress(
    `interval calibrated on ${calibration.rowCount} rows: coverage ${
      calibrated.coverageBefore.toFixed(3)
    } -> ${calibrated.coverageAfter.toFixed(3)} (bounds moved out by ${
      calibrated.widening.toExponential(2)
    })`,
  )
  const gain = raw.expectedReturn.featureGain ?? []
  const featureGain = Object.fromEntries(
    FEATURE_NAMES.map((name, index) => [name, gain[index] ?? 0]),
  ) as Record<FeatureName, number>
  const { model, ...calibrationSummary } = calibrated
  return {
    config,
    model,
    calibration: calibrationSummary,
    data: {
      trainingSeeds: seeds.training,
      calibrationSeeds: seeds.calibration,
      trainingRows: training.rowCount,
      calibrationRows: calibration.rowCount,
      refusedGameDays: training.refused + calibration.refused,
    },
    featureGain,
    trainingRanges: unionOfRanges(training.inputRanges, calibration.inputRanges),
    seconds: { data: dataSeconds, boosting: (performance.now() - boostingStart) / 1000 },
  }
}

/** Writes the trained model as ONNX bytes, with its version, features and metrics. */
export function encodeTrainedModel(
  trained: TrainedExpectedReturnModel,
  metrics: Record<string, number>,
): Uint8Array {
  return encodeIntervalModel(trained.model, {
    metadata: {
      featureNames: [...FEATURE_NAMES],
      featureSetVersion: FEATURE_SET_VERSION,
      modelVersion: trained.config.version,
      metrics,
      trainingRanges: trained.trainingRanges,
    },
    producerVersion: trained.config.version,
    docString:
      'Expected return per $1 of a scratch ticket bought today (median) and its calibrated 80% ' +
      'interval (p10, p90); gradient-boosted trees trained on simulated portfolios.',
  })
}
