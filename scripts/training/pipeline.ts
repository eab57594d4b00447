/**
 * Trains the scoring model: the expected return per $1 of a ticket bought today, with its 80%
 * interval, from simulated states drawn from the family of worlds (`market-sim/world.ts`: the
 * ranges' core), each read under every publication rule.
 *
 * - The point model is a median (pinball 0.5) boosted ensemble: the error that remains is
 *   dominated by prizes sold but not yet claimed, a skewed, lumpy quantity, and the median is
 *   what minimizes the absolute error the model is judged on.
 * - All three ensembles learn the residual from the claim-lag-corrected expected return
 *   (a feature); an offset tree placed first in each ensemble adds that feature back, so the
 *   exported model outputs the final values directly.
 * - p10 and p90 are pinball-loss ensembles, then shifted by regime (Mondrian conformalized
 *   quantile regression, `regime-calibration.ts`) on calibration states drawn from the full
 *   ranges (worlds the training never saw, some beyond its core), used for nothing else; the
 *   same states calibrate probability_above_par (`above-par-calibration.ts`).
 *
 * Deterministic: the same configuration gives the same trees, hence the same ONNX bytes.
 */
import {
  FEATURE_NAMES,
  FEATURE_SET_VERSION,
  type FeatureName,
} from '../../supabase/functions/_shared/scoring/features.ts'
import type { AboveParCalibration } from '../../supabase/functions/_shared/scoring/above-par.ts'
import { rawAboveParProbability } from '../../supabase/functions/_shared/scoring/above-par.ts'
import { orderedInterval } from '../../supabase/functions/_shared/scoring/scoring-pipeline.ts'
import { calibrationWorlds, trainingWorlds, type WorldCase } from '../evaluation/world-set.ts'
import { encodeIntervalModel } from './gbm/export-onnx.ts'
import { INTERVAL_QUANTILES, intervalCoverage } from './gbm/interval.ts'
import {
  featureMatrix,
  type GradientBoostedTrees,
  type IntervalModel,
  predictInterval,
  predictTrees,
} from './gbm/model.ts'
import { fitAboveParCalibration } from './above-par-calibration.ts'
import {
  calibrateRegimes,
  quantileEdges,
  type RegimeCalibration,
  type RegimeSplit,
  regimeTree,
} from './regime-calibration.ts'
import { deriveSeed } from '../lib/random.ts'
import {
  type BinningSettings,
  type BoostingOptions,
  DEFAULT_BINNING,
  prepareTrainingSet,
  trainGradientBoostedTrees,
} from './gbm/train.ts'
import { PUBLICATION_RULES, type PublicationRule } from '../market-sim/simulator.ts'
import { buildTrainingRows, type TrainingRows } from './data.ts'
import { buildOffsetTree } from './offset-tree.ts'
import { unionOfRanges } from './training-ranges.ts'
import type { TrainingRanges } from '../../supabase/functions/_shared/scoring/plausibility.ts'

/** Boosting settings of one of the three ensembles (the loss is fixed by its role). */
export type EnsembleSettings = Omit<BoostingOptions, 'loss' | 'seed' | 'onProgress'>

/** How the calibration rows are split into regimes (each calibrated on its own). */
export interface RegimeSettings {
  /**
   * Quantiles of `publication_coverage` (share of the prize money whose counts are published)
   * over the rows that do not publish every tier; those that do are a regime of their own.
   */
  coverageQuantiles: readonly number[]
  /** Quantiles of `claim_pending_return_sd` (prize luck still pending) over the rows. */
  pendingQuantiles: readonly number[]
  /** Quantiles of `claim_lag_days` (how long the valuable remaining prizes stay unclaimed). */
  lagQuantiles: readonly number[]
}

/** Everything that determines a trained model. */
export interface TrainingConfig {
  /** Model version, written into the ONNX metadata and the model card. */
  version: string
  /** Seed of every random choice of the trainer (bins, row and feature subsamples). */
  seed: number
  /** Training states: the first this many of `trainingWorlds()` (core ranges). */
  trainingWorlds: number
  /** Calibration states: the first this many of `calibrationWorlds()` (full ranges). */
  calibrationWorlds: number
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
  regimes: RegimeSettings
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
  version: 'gbm-v2',
  seed: 20_261_203,
  trainingWorlds: 200,
  calibrationWorlds: 48,
  rules: PUBLICATION_RULES,
  sampleEvery: 12,
  calibrationSampleEvery: 5,
  offsetFeature: 'claim_corrected_expected_return',
  offsetLeaves: 2048,
  binning: { maxBins: 256, binSampleRows: DEFAULT_BINNING.binSampleRows },
  point: SHARED_ENSEMBLE,
  quantiles: SHARED_ENSEMBLE,
  coverage: 0.8,
  regimes: {
    coverageQuantiles: [1 / 3, 2 / 3],
    pendingQuantiles: [1 / 3, 2 / 3],
    lagQuantiles: [1 / 3, 2 / 3],
  },
}

/** Which of the trainer's steps a progress message is about. */
export type TrainingProgress = (message: string) => void

/** What training produced, before export. */
export interface TrainedExpectedReturnModel {
  config: TrainingConfig
  /** The calibrated model: the percentile ensembles end with their regime tree. */
  model: IntervalModel
  calibration: {
    regimes: RegimeCalibration
    coverageBefore: number
    coverageAfter: number
  }
  aboveParCalibration: AboveParCalibration
  data: {
    trainingWorlds: WorldCase[]
    calibrationWorlds: WorldCase[]
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

/** The training and calibration states (never held-out or stress ones). */
export function worldsOf(config: TrainingConfig) {
  return {
    training: trainingWorlds(config.trainingWorlds),
    calibration: calibrationWorlds(config.calibrationWorlds),
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

/** Coverage from which a game counts as publishing every tier (float32 of 0.999). */
const ALL_PUBLISHED = Math.fround(0.999)

/** The regime splits of `settings` over the calibration rows. */
function regimeSplits(matrix: ReturnType<typeof featureMatrix>, settings: RegimeSettings) {
  const index = (name: FeatureName) => FEATURE_NAMES.indexOf(name)
  const coverage = index('publication_coverage')
  const partial: number[] = []
  for (let row = 0; row < matrix.rowCount; row++) {
    const value = matrix.values[row * matrix.featureCount + coverage] as number
    if (value < ALL_PUBLISHED) partial.push(value)
  }
  const partialMatrix = featureMatrix(Float32Array.from(partial), 1)
  const splits: RegimeSplit[] = [
    {
      featureIndex: coverage,
      edges: [...quantileEdges(partialMatrix, 0, settings.coverageQuantiles), ALL_PUBLISHED],
    },
    {
      featureIndex: index('claim_pending_return_sd'),
      edges: quantileEdges(matrix, index('claim_pending_return_sd'), settings.pendingQuantiles),
    },
    {
      featureIndex: index('claim_lag_days'),
      edges: quantileEdges(matrix, index('claim_lag_days'), settings.lagQuantiles),
    },
  ]
  return splits
}

/**
 * Calibrates the raw model on the calibration rows: the interval by regime (a regime tree
 * appended to each percentile ensemble), then the probability_above_par map from the calibrated
 * interval.
 */
function calibrate(raw: IntervalModel, rows: TrainingRows, config: TrainingConfig) {
  const matrix = featureMatrix(rows.features, rows.featureCount)
  const before = predictInterval(raw, matrix)
  const scores = new Float64Array(rows.rowCount)
  for (let row = 0; row < rows.rowCount; row++) {
    const truth = rows.target[row] as number
    scores[row] = Math.max(
      (before.p10[row] as number) - truth,
      truth - (before.p90[row] as number),
    )
  }
  const regimes = calibrateRegimes(matrix, scores, {
    splits: regimeSplits(matrix, config.regimes),
    coverage: config.coverage,
  })
  const model: IntervalModel = {
    expectedReturn: raw.expectedReturn,
    p10: { ...raw.p10, trees: [...raw.p10.trees, regimeTree(regimes, -1)] },
    p90: { ...raw.p90, trees: [...raw.p90.trees, regimeTree(regimes, 1)] },
  }
  const after = predictInterval(model, matrix)
  const rawChances = new Float64Array(rows.rowCount)
  const abovePar: boolean[] = []
  for (let row = 0; row < rows.rowCount; row++) {
    const interval = orderedInterval(
      after.expectedReturn[row] as number,
      after.p10[row] as number,
      after.p90[row] as number,
    )
    rawChances[row] = rawAboveParProbability(interval)
    abovePar.push((rows.target[row] as number) >= 1)
  }
  return {
    model,
    calibration: {
      regimes,
      coverageBefore: intervalCoverage(before, rows.target),
      coverageAfter: intervalCoverage(after, rows.target),
    },
    aboveParCalibration: fitAboveParCalibration(rawChances, abovePar),
  }
}

/** Simulates the states, trains the three ensembles and calibrates the interval. */
export function trainExpectedReturnModel(
  config: TrainingConfig,
  onProgress: TrainingProgress = () => {},
): TrainedExpectedReturnModel {
  const worlds = worldsOf(config)
  const dataStart = performance.now()
  onProgress(
    `simulating ${worlds.training.length} training and ${worlds.calibration.length} calibration states x ${config.rules.length} rules`,
  )
  const training = buildTrainingRows({
    worlds: worlds.training,
    rules: config.rules,
    sampleEvery: config.sampleEvery,
    onProgress,
  })
  const calibrationRows = buildTrainingRows({
    worlds: worlds.calibration,
    rules: config.rules,
    sampleEvery: config.calibrationSampleEvery,
    onProgress,
  })
  const dataSeconds = (performance.now() - dataStart) / 1000
  onProgress(
    `${training.rowCount} training rows, ${calibrationRows.rowCount} calibration rows (${
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
  const calibrated = calibrate(raw, calibrationRows, config)
  onProgress(
    `interval calibrated by regime on ${calibrationRows.rowCount} rows of held-out states: coverage ${
      calibrated.calibration.coverageBefore.toFixed(3)
    } -> ${calibrated.calibration.coverageAfter.toFixed(3)} (shifts ${
      Math.min(...calibrated.calibration.regimes.shifts).toExponential(2)
    } to ${Math.max(...calibrated.calibration.regimes.shifts).toExponential(2)})`,
  )
  const gain = raw.expectedReturn.featureGain ?? []
  const featureGain = Object.fromEntries(
    FEATURE_NAMES.map((name, index) => [name, gain[index] ?? 0]),
  ) as Record<FeatureName, number>
  return {
    config,
    ...calibrated,
    data: {
      trainingWorlds: worlds.training,
      calibrationWorlds: worlds.calibration,
      trainingRows: training.rowCount,
      calibrationRows: calibrationRows.rowCount,
      refusedGameDays: training.refused + calibrationRows.refused,
    },
    featureGain,
    trainingRanges: unionOfRanges(training.inputRanges, calibrationRows.inputRanges),
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
      aboveParCalibration: trained.aboveParCalibration,
    },
    producerVersion: trained.config.version,
    docString:
      'Expected return per $1 of a scratch ticket bought today (median) and its calibrated 80% ' +
      'interval (p10, p90); gradient-boosted trees trained on simulated states of a family of ' +
      'worlds, the interval calibrated by regime on held-out worlds.',
  })
}
