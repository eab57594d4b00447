/**
 * The model card `model/<version>.json`: what the model was trained on, with which features and
 * settings, how it did on the held-out portfolios, and how long training took. `version`,
 * `trainedAt` and `onnxFile` are what the publishing tools read (`model-card.ts`).
 */
import {
  FEATURE_NAMES,
  FEATURE_SET_VERSION,
} from '../../supabase/functions/_shared/scoring/features.ts'
import { EVALUATION_DAYS, HELD_OUT_SEEDS } from '../evaluation/evaluation-set.ts'
import type { EvaluationReport } from '../evaluation/evaluation.ts'
import type { ModelEvaluation } from '../evaluation/model-evaluation.ts'
import type { TrainedExpectedReturnModel } from './pipeline.ts'

/** The targets of the scoring model (issue 4). */
export const MODEL_TARGETS = {
  maeRatioAtMost: 0.5,
  spearmanAtLeast: 0.9,
  coverage80Between: [0.75, 0.85],
  onnxMaxAbsDiffAtMost: 1e-4,
} as const

/** Whether each target is met by the overall held-out metrics. */
export function targetsMet(metrics: Record<string, number>) {
  const coverage = metrics.coverage80 ?? Number.NaN
  return {
    mae: (metrics.model_mae ?? Infinity) <=
      MODEL_TARGETS.maeRatioAtMost * (metrics.baseline_mae ?? 0),
    spearman: (metrics.spearman ?? 0) >= MODEL_TARGETS.spearmanAtLeast,
    coverage80: coverage >= MODEL_TARGETS.coverage80Between[0] &&
      coverage <= MODEL_TARGETS.coverage80Between[1],
    onnxParity: (metrics.onnx_max_abs_diff ?? Infinity) <= MODEL_TARGETS.onnxMaxAbsDiffAtMost,
  }
}

const round = (value: number, digits = 6) => Math.round(value * 10 ** digits) / 10 ** digits

function reportSummary(report: EvaluationReport) {
  return {
    publication: report.publication,
    gameDays: report.gameDays,
    refused: report.refused,
    mae: round(report.meanAbsoluteError),
    bias: round(report.meanError),
    spearman: round(report.meanSpearman ?? Number.NaN, 4),
    coverage80: round(report.coverage80, 4),
    intervalWidth: round(report.meanIntervalWidth),
    soldShareMae: report.fractionSoldMeanAbsoluteError === null
      ? null
      : round(report.fractionSoldMeanAbsoluteError),
  }
}

/** Builds the card's JSON object. */
export function modelCard(context: {
  trained: TrainedExpectedReturnModel
  evaluation: ModelEvaluation
  metrics: Record<string, number>
  onnxFile: string
  plotFile: string
  sha256: string
  sizeBytes: number
  trainedAt: string
  seconds: { data: number; boosting: number; evaluation: number; total: number }
  commit: string | null
}) {
  const { trained, evaluation, metrics } = context
  const { config } = trained
  const gainTotal = Object.values(trained.featureGain).reduce((sum, gain) => sum + gain, 0)
  return {
    version: config.version,
    trainedAt: context.trainedAt,
    onnxFile: context.onnxFile,
    plotFile: context.plotFile,
    featureSetVersion: FEATURE_SET_VERSION,
    sha256: context.sha256,
    sizeBytes: context.sizeBytes,
    trainerCommit: context.commit,
    predicts: 'Expected return per $1 of a ticket bought today (median) with a calibrated 80% ' +
      'interval (p10, p90); ONNX outputs expected_return, expected_return_p10, expected_return_p90.',
    data: {
      source: 'simulated portfolios (scripts/market-sim/simulator.ts), ' +
        `${EVALUATION_DAYS} observed days, about 40 games on sale`,
      rules: config.rules,
      trainingSeeds: trained.data.trainingSeeds,
      calibrationSeeds: trained.data.calibrationSeeds,
      heldOutSeeds: HELD_OUT_SEEDS,
      sampleEvery: config.sampleEvery,
      calibrationSampleEvery: config.calibrationSampleEvery,
      trainingRows: trained.data.trainingRows,
      calibrationRows: trained.data.calibrationRows,
      refusedGameDays: trained.data.refusedGameDays,
      target: 'true expected return per $1 of a ticket bought that day (observations.ts gameTruth)',
    },
    trainingRanges: trained.trainingRanges,
    trainingRangesNote: 'Smallest and largest value of each input the function guards ' +
      '(supabase/functions/_shared/scoring/plausibility.ts) over the training and calibration ' +
      'rows; also in the ONNX metadata as training_ranges. A game outside them (by more than ' +
      "the guard's tolerance) is skipped as out_of_range instead of scored.",
    features: FEATURE_NAMES.map((name) => ({
      name,
      pointModelGainShare: round(gainTotal > 0 ? trained.featureGain[name] / gainTotal : 0, 4),
    })),
    model: {
      kind: 'gradient-boosted regression trees (supabase/functions/_shared/gbm), ' +
        'ONNX ai.onnx.ml TreeEnsembleRegressor x3',
      pointLoss: 'pinball 0.5 (median)',
      intervalLoss: 'pinball 0.1 and 0.9, then conformal shift on the calibration seeds',
      offset: {
        feature: config.offsetFeature,
        leaves: config.offsetLeaves,
        note: 'first tree of each ensemble reproduces this feature; the boosted trees learn ' +
          'the residual',
      },
      seed: config.seed,
      binning: config.binning,
      point: config.point,
      quantiles: config.quantiles,
      coverageTarget: config.coverage,
      calibration: {
        shift: round(trained.calibration.widening, 8),
        coverageBefore: round(trained.calibration.coverageBefore, 4),
        coverageAfter: round(trained.calibration.coverageAfter, 4),
      },
    },
    metrics: {
      heldOut: Object.fromEntries(
        Object.entries(metrics).map(([key, value]) => [key, round(value, 8)]),
      ),
      model: evaluation.model.map(reportSummary),
      baseline: evaluation.baseline.map(reportSummary),
      parityRows: evaluation.parity.rows,
      targets: MODEL_TARGETS,
      targetsMet: targetsMet(metrics),
    },
    limits: 'Most of the remaining error is prizes sold but not yet claimed: published counts ' +
      'cannot tell them from unsold ones. scripts/training-ceiling.ts measures it: knowing the ' +
      'hidden true share sold barely helps, knowing the hidden share of top prizes unsold ' +
      'cuts the error several-fold. Features assume mean claim lags by kind of tier ' +
      '(features.ts assumedClaimLag); on real data these should be measured from claims.',
    trainingSeconds: Object.fromEntries(
      Object.entries(context.seconds).map(([key, value]) => [key, round(value, 1)]),
    ),
  }
}
