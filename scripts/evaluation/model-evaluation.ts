/**
 * Judges an ONNX scoring model on the held-out portfolios, side by side with the standard
 * estimator: the model runs in onnxruntime-web exactly as the scorer runs it (features from
 * `computeFeatures`, one batch per state-day, the interval ordered around the point), and both
 * go through the shared evaluation harness. Also checks ONNX parity: onnxruntime-web against
 * the trainer's own TypeScript prediction of the same trees on 1,000 held-out rows.
 */
import { FEATURE_NAMES } from '../../supabase/functions/_shared/scoring/features.ts'
import {
  evaluateReturnPredictor,
  type EvaluationReport,
  type ReturnPrediction,
  type ReturnPredictor,
  standardEstimatorPredictor,
} from './evaluation.ts'
import { HELD_OUT_PORTFOLIOS } from './evaluation-set.ts'
import { featureMatrix, type IntervalModel, predictInterval } from '../training/gbm/model.ts'
import {
  createModelSession,
  type ModelSession,
  predictBatch,
  releaseModelSession,
} from '../../supabase/functions/_shared/onnx/runtime.ts'
import {
  orderedInterval,
  prepareBatch,
} from '../../supabase/functions/_shared/scoring/scoring-pipeline.ts'
import type { PortfolioOptions, PublicationRule } from '../market-sim/simulator.ts'
import { readIntervalModelFromOnnx } from '../training/onnx/read-trees.ts'

/** Rows compared in the parity check. */
export const PARITY_ROWS = 1_000

/** One held-out game-day as predicted by the model and the baseline. */
export interface ScoredGameDay {
  publication: PublicationRule
  truth: number
  model: ReturnPrediction
  baseline: number
}

/** Metrics over both rules together, weighted by predicted game-days (state-days for Spearman). */
export interface OverallMetrics {
  meanAbsoluteError: number
  meanSpearman: number
  coverage80: number
}

/** The evaluation of one model. */
export interface ModelEvaluation {
  model: EvaluationReport[]
  baseline: EvaluationReport[]
  overall: { model: OverallMetrics; baseline: OverallMetrics }
  parity: { rows: number; maxAbsDiff: number }
  /** Every held-out game-day the model scored, for plots. */
  scored: ScoredGameDay[]
}

/**
 * The model as a predictor, run as the scorer runs it: features of the state-day's games, one
 * batch through onnxruntime-web, the interval ordered around the point (non-negative,
 * low <= point <= high). Keeps the feature rows (parity check) and every scored game-day (plots).
 */
function onnxPredictor(
  session: ModelSession,
  sink: { rows: Float32Array[]; scored: ScoredGameDay[]; publication: PublicationRule },
): ReturnPredictor {
  const lagCorrectedSold = FEATURE_NAMES.indexOf('lag_corrected_fraction_sold')
  return async (gameDays) => {
    const batch = prepareBatch(gameDays.map((gameDay) => gameDay.observation))
    const outputs = await predictBatch(session, batch.matrix, batch.prepared.length)
    sink.rows.push(batch.matrix)
    const byGame = new Map<number, { prediction: ReturnPrediction; baseline: number }>()
    batch.prepared.forEach(({ observation, features }, row) => {
      const interval = orderedInterval(
        outputs.expectedReturn[row] as number,
        outputs.p10[row] as number,
        outputs.p90[row] as number,
      )
      byGame.set(observation.game.id, {
        prediction: {
          estimate: interval.expectedReturn,
          low: interval.expectedReturnLow,
          high: interval.expectedReturnHigh,
          fractionSold: features.values[lagCorrectedSold] as number,
        },
        baseline: features.estimate.expectedReturnPerDollar.estimate,
      })
    })
    return gameDays.map(({ observation, truth }) => {
      const scored = byGame.get(observation.game.id)
      if (!scored) return null
      sink.scored.push({
        publication: sink.publication,
        truth: truth.trueReturnPerDollar,
        model: scored.prediction,
        baseline: scored.baseline,
      })
      return scored.prediction
    })
  }
}

function overall(reports: readonly EvaluationReport[]): OverallMetrics {
  let predicted = 0
  let stateDays = 0
  let error = 0
  let coverage = 0
  let spearman = 0
  for (const report of reports) {
    const rows = report.gameDays - report.refused
    predicted += rows
    error += report.meanAbsoluteError * rows
    coverage += report.coverage80 * rows
    stateDays += report.stateDays
    spearman += (report.meanSpearman ?? 0) * report.stateDays
  }
  return {
    meanAbsoluteError: error / predicted,
    meanSpearman: spearman / stateDays,
    coverage80: coverage / predicted,
  }
}

/** Evenly spaced rows of the concatenated batches. */
function parityRows(batches: readonly Float32Array[], count: number): Float32Array {
  const width = FEATURE_NAMES.length
  const all = new Float32Array(batches.reduce((sum, batch) => sum + batch.length, 0))
  let offset = 0
  for (const batch of batches) {
    all.set(batch, offset)
    offset += batch.length
  }
  const rowCount = all.length / width
  const take = Math.min(count, rowCount)
  const rows = new Float32Array(take * width)
  for (let i = 0; i < take; i++) {
    const source = Math.floor((i * rowCount) / take)
    rows.set(all.subarray(source * width, (source + 1) * width), i * width)
  }
  return rows
}

/** Largest |onnxruntime − TypeScript| over the three outputs of `rows`. */
async function parityCheck(session: ModelSession, reference: IntervalModel, rows: Float32Array) {
  const rowCount = rows.length / FEATURE_NAMES.length
  const onnx = await predictBatch(session, rows, rowCount)
  const own = predictInterval(reference, featureMatrix(rows, FEATURE_NAMES.length))
  let maxAbsDiff = 0
  for (const output of ['expectedReturn', 'p10', 'p90'] as const) {
    for (let row = 0; row < rowCount; row++) {
      const diff = Math.abs((onnx[output][row] as number) - (own[output][row] as number))
      maxAbsDiff = Math.max(maxAbsDiff, Number.isNaN(diff) ? Infinity : diff)
    }
  }
  return { rows: rowCount, maxAbsDiff }
}

/**
 * Evaluates ONNX model bytes on `portfolios` (default: the held-out ones). `reference` is the
 * trainer's in-memory model for the parity check; without it, the trees are read back from the
 * ONNX bytes and predicted by the trainer's TypeScript code.
 */
export async function evaluateOnnxModel(
  modelBytes: Uint8Array,
  options: {
    portfolios?: readonly PortfolioOptions[]
    reference?: IntervalModel
    onProgress?: (message: string) => void
  } = {},
): Promise<ModelEvaluation> {
  const portfolios = options.portfolios ?? HELD_OUT_PORTFOLIOS
  const session = await createModelSession(modelBytes)
  try {
    const rows: Float32Array[] = []
    const scored: ScoredGameDay[] = []
    const modelReports: EvaluationReport[] = []
    // One rule at a time, so each scored game-day knows its rule.
    for (const publication of new Set(portfolios.map((portfolio) => portfolio.publication))) {
      const predictor = onnxPredictor(session, { rows, scored, publication })
      const reports = await evaluateReturnPredictor(
        portfolios.filter((portfolio) => portfolio.publication === publication),
        { predictor, onProgress: (message) => options.onProgress?.(`model: ${message}`) },
      )
      modelReports.push(...reports)
    }
    const baselineReports = await evaluateReturnPredictor(portfolios, {
      predictor: standardEstimatorPredictor,
      onProgress: (message) => options.onProgress?.(`baseline: ${message}`),
    })
    const reference = options.reference ??
      readIntervalModelFromOnnx(modelBytes, FEATURE_NAMES.length)
    const parity = await parityCheck(session, reference, parityRows(rows, PARITY_ROWS))
    return {
      model: modelReports,
      baseline: baselineReports,
      overall: { model: overall(modelReports), baseline: overall(baselineReports) },
      parity,
      scored,
    }
  } finally {
    await releaseModelSession(session)
  }
}

/** The flat metrics recorded in the ONNX metadata, the model card and `--json` output. */
export function evaluationMetrics(evaluation: ModelEvaluation): Record<string, number> {
  const metrics: Record<string, number> = {
    model_mae: evaluation.overall.model.meanAbsoluteError,
    baseline_mae: evaluation.overall.baseline.meanAbsoluteError,
    spearman: evaluation.overall.model.meanSpearman,
    coverage80: evaluation.overall.model.coverage80,
    onnx_max_abs_diff: evaluation.parity.maxAbsDiff,
    baseline_spearman: evaluation.overall.baseline.meanSpearman,
    baseline_coverage80: evaluation.overall.baseline.coverage80,
  }
  for (const report of evaluation.model) {
    metrics[`${report.publication}_model_mae`] = report.meanAbsoluteError
    metrics[`${report.publication}_spearman`] = report.meanSpearman ?? Number.NaN
    metrics[`${report.publication}_coverage80`] = report.coverage80
    metrics[`${report.publication}_interval_width`] = report.meanIntervalWidth
  }
  for (const report of evaluation.baseline) {
    metrics[`${report.publication}_baseline_mae`] = report.meanAbsoluteError
    metrics[`${report.publication}_baseline_spearman`] = report.meanSpearman ?? Number.NaN
    metrics[`${report.publication}_baseline_coverage80`] = report.coverage80
  }
  return metrics
}
