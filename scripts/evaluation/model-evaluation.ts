/**
 * Judges an ONNX scoring model side by side with the standard estimator, the model run in
 * onnxruntime-web exactly as the scorer runs it (the columns its metadata names, features from
 * `computeFeatures` with the state's claim profile, one batch per state-day, the interval ordered
 * around the point, probability_above_par with the model's map):
 * - on the held-out portfolios of the base world (`evaluation-set.ts`): the existing metrics;
 * - on the stress set (`world-set.ts`): held-out worlds from the full ranges, every publication
 *   rule, by rule and by claim-lag tercile of the worlds, with false gains and the reliability of
 *   probability_above_par.
 * Also checks ONNX parity: onnxruntime-web against the trainer's own TypeScript prediction of the
 * same trees on 1,000 held-out rows.
 */
import type { ClaimProfile } from '../../supabase/functions/_shared/scoring/claim-profile.ts'
import {
  type FeatureColumns,
  featureColumns,
} from '../../supabase/functions/_shared/scoring/features.ts'
import type { AboveParCalibration } from '../../supabase/functions/_shared/scoring/above-par.ts'
import { probabilityAbovePar } from '../../supabase/functions/_shared/scoring/above-par.ts'
import { readScoringModelMetadata } from '../../supabase/functions/_shared/onnx/metadata.ts'
import {
  type EvaluatedGameDay,
  evaluateGameDays,
  type EvaluationReport,
  evaluationReport,
  type EvaluationState,
  reportsByRule,
  type ReturnPrediction,
  type ReturnPredictor,
  standardEstimatorPredictor,
} from './evaluation.ts'
import { HELD_OUT_PORTFOLIOS } from './evaluation-set.ts'
import { stressWorlds, type WorldCase, worldPortfolio } from './world-set.ts'
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
import { PUBLICATION_RULES, type PublicationRule } from '../market-sim/simulator.ts'
import { worldClaimLagIndex } from '../market-sim/world.ts'
import { simulateState } from '../market-sim/state-days.ts'
import { readIntervalModelFromOnnx } from '../training/onnx/read-trees.ts'
import { type ReliabilityBin, reliabilityTable } from '../training/above-par-calibration.ts'

/** Rows compared in the parity check. */
export const PARITY_ROWS = 1_000

/** The stress set is judged on every this-many-th observed day (neighbouring days are alike). */
export const STRESS_DAY_STEP = 2

/** One held-out game-day as predicted by the model and the baseline. */
export interface ScoredGameDay {
  publication: PublicationRule
  truth: number
  model: ReturnPrediction
  baseline: number
  /** Stress set only: the claim-lag tercile of the game-day's world (0, 1, 2). */
  lagTercile?: number
}

/** Metrics over rules together, weighted by predicted game-days (state-days for Spearman). */
export interface OverallMetrics {
  meanAbsoluteError: number
  meanSpearman: number
  coverage80: number
}

/** The stress set's evaluation: by rule, by claim-lag tercile, overall. */
export interface WorldsEvaluation {
  worlds: WorldCase[]
  model: EvaluationReport[]
  baseline: EvaluationReport[]
  overall: { model: OverallMetrics; baseline: OverallMetrics }
  /** Model coverage by claim-lag tercile of the worlds (short, middle, long lags). */
  lagTerciles: { tercile: number; worlds: number; gameDays: number; coverage80: number }[]
  /** Game-days whose whole interval is above $1 per $1 while the truth is below. */
  falseGains: number
  /** probability_above_par binned, with the share of game-days above par in each bin. */
  reliability: ReliabilityBin[]
  scored: ScoredGameDay[]
}

/** The evaluation of one model. */
export interface ModelEvaluation {
  model: EvaluationReport[]
  baseline: EvaluationReport[]
  overall: { model: OverallMetrics; baseline: OverallMetrics }
  parity: { rows: number; maxAbsDiff: number }
  /** Every held-out game-day the model scored, for plots. */
  scored: ScoredGameDay[]
  /** The stress set; absent when not asked for. */
  worlds?: WorldsEvaluation
}

/** What the model predictor keeps: the feature rows (parity) and the scored game-days (plots). */
interface PredictorSink {
  rows: Float32Array[]
  scored: ScoredGameDay[]
  publication: PublicationRule
  lagTercile?: number
}

/**
 * The model as a predictor, run as the scorer runs it: features of the state-day's games (with
 * the state's profile), one batch through onnxruntime-web, the interval ordered around the point
 * (non-negative, low <= point <= high), probability_above_par from the model's map.
 */
function onnxPredictor(
  session: ModelSession,
  model: { columns: FeatureColumns; aboveParCalibration: AboveParCalibration | null },
  sink: PredictorSink,
): ReturnPredictor {
  return async (gameDays) => {
    const profiles = new Map<string, ClaimProfile>()
    for (const gameDay of gameDays) profiles.set(gameDay.observation.game.state, gameDay.profile)
    const batch = prepareBatch(gameDays.map((gameDay) => gameDay.observation), {
      columns: model.columns,
      profiles,
    })
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
          probabilityAbovePar: probabilityAbovePar(interval, model.aboveParCalibration),
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
        ...(sink.lagTercile === undefined ? {} : { lagTercile: sink.lagTercile }),
      })
      return scored.prediction
    })
  }
}

/** Metrics of reports together, weighted by predicted game-days. */
export function overallMetrics(reports: readonly EvaluationReport[]): OverallMetrics {
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
function parityRows(batches: readonly Float32Array[], width: number, count: number) {
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
async function parityCheck(
  session: ModelSession,
  reference: IntervalModel,
  rows: Float32Array,
  width: number,
) {
  const rowCount = rows.length / width
  const onnx = await predictBatch(session, rows, rowCount)
  const own = predictInterval(reference, featureMatrix(rows, width))
  let maxAbsDiff = 0
  for (const output of ['expectedReturn', 'p10', 'p90'] as const) {
    for (let row = 0; row < rowCount; row++) {
      const diff = Math.abs((onnx[output][row] as number) - (own[output][row] as number))
      maxAbsDiff = Math.max(maxAbsDiff, Number.isNaN(diff) ? Infinity : diff)
    }
  }
  return { rows: rowCount, maxAbsDiff }
}

/** The claim-lag tercile of each world of a set (0 = the third with the shortest lags). */
export function lagTerciles(worlds: readonly WorldCase[]): number[] {
  const order = worlds
    .map((world, index) => ({ index, lag: worldClaimLagIndex(world.drawn.parameters) }))
    .sort((a, b) => a.lag - b.lag)
  const terciles = new Array<number>(worlds.length).fill(0)
  order.forEach(({ index }, rank) => {
    terciles[index] = Math.min(2, Math.floor((rank * 3) / worlds.length))
  })
  return terciles
}

/** Judges the model and the baseline on the stress worlds. */
async function evaluateWorlds(
  session: ModelSession,
  model: { columns: FeatureColumns; aboveParCalibration: AboveParCalibration | null },
  options: { worlds: readonly WorldCase[]; rows: Float32Array[]; onProgress?: (m: string) => void },
): Promise<WorldsEvaluation> {
  const worlds = [...options.worlds]
  const terciles = lagTerciles(worlds)
  const modelRows: EvaluatedGameDay[] = []
  const baselineRows: EvaluatedGameDay[] = []
  const scored: ScoredGameDay[] = []
  for (const [index, world] of worlds.entries()) {
    // One simulation of the state for every rule and both predictors.
    const state = stateOf(world, index, PUBLICATION_RULES)
    const simulated = { ...state, portfolio: simulateState(state.options) }
    for (const publication of PUBLICATION_RULES) {
      const predictor = onnxPredictor(session, model, {
        rows: options.rows,
        scored,
        publication,
        lagTercile: terciles[index] ?? 0,
      })
      modelRows.push(
        ...await evaluateGameDays([{ ...simulated, rules: [publication] }], {
          predictor,
          dayStep: STRESS_DAY_STEP,
        }),
      )
    }
    baselineRows.push(
      ...await evaluateGameDays([simulated], {
        predictor: standardEstimatorPredictor,
        dayStep: STRESS_DAY_STEP,
      }),
    )
    options.onProgress?.(
      `stress world ${index + 1}/${worlds.length} (seed ${world.seed}; outside the core: ${
        world.drawn.outsideCore.join(', ')
      })`,
    )
  }
  const modelReports = reportsByRule(modelRows)
  const baselineReports = reportsByRule(baselineRows)
  const lagTercileReports = [0, 1, 2].map((tercile) => {
    const rows = modelRows.filter((row) => terciles[row.worldIndex] === tercile)
    return {
      tercile,
      worlds: terciles.filter((value) => value === tercile).length,
      gameDays: rows.length,
      coverage80: evaluationReport('all_tiers', rows).coverage80,
    }
  })
  const predicted = modelRows.filter((row) => row.prediction !== null)
  return {
    worlds,
    model: modelReports,
    baseline: baselineReports,
    overall: { model: overallMetrics(modelReports), baseline: overallMetrics(baselineReports) },
    lagTerciles: lagTercileReports,
    falseGains: predicted.filter((row) => (row.prediction?.low ?? 0) > 1 && row.truth < 1).length,
    reliability: reliabilityTable(
      predicted.map((row) => row.prediction?.probabilityAbovePar ?? 0),
      predicted.map((row) => row.truth >= 1),
    ),
    scored,
  }
}

/** A world case as an evaluation state under `rules`. */
function stateOf(
  world: WorldCase,
  worldIndex: number,
  rules: readonly PublicationRule[],
): EvaluationState {
  return { options: worldPortfolio(world, 'ZS'), rules, worldIndex }
}

/**
 * Evaluates ONNX model bytes on the held-out portfolios and, unless `worlds` is false, on the
 * stress set. `reference` is the trainer's in-memory model for the parity check; without it, the
 * trees are read back from the ONNX bytes and predicted by the trainer's TypeScript code.
 */
export async function evaluateOnnxModel(
  modelBytes: Uint8Array,
  options: {
    reference?: IntervalModel
    worlds?: boolean
    onProgress?: (message: string) => void
  } = {},
): Promise<ModelEvaluation> {
  const metadata = readScoringModelMetadata(modelBytes)
  const model = {
    columns: featureColumns(metadata.featureNames),
    aboveParCalibration: metadata.aboveParCalibration ?? null,
  }
  const width = model.columns.names.length
  const session = await createModelSession(modelBytes)
  try {
    const rows: Float32Array[] = []
    const scored: ScoredGameDay[] = []
    const modelReports: EvaluationReport[] = []
    // One rule at a time, so each scored game-day knows its rule.
    for (const publication of new Set(HELD_OUT_PORTFOLIOS.map((p) => p.publication))) {
      const predictor = onnxPredictor(session, model, { rows, scored, publication })
      const judged = await evaluateGameDays(
        HELD_OUT_PORTFOLIOS.filter((portfolio) => portfolio.publication === publication)
          .map((portfolio) => ({ options: portfolio, rules: [publication] })),
        { predictor, onProgress: (message) => options.onProgress?.(`model: ${message}`) },
      )
      modelReports.push(...reportsByRule(judged))
    }
    const baselineReports = reportsByRule(
      await evaluateGameDays(
        HELD_OUT_PORTFOLIOS.map((portfolio) => ({
          options: portfolio,
          rules: [portfolio.publication],
        })),
        {
          predictor: standardEstimatorPredictor,
          onProgress: (message) => options.onProgress?.(`baseline: ${message}`),
        },
      ),
    )
    const worlds = options.worlds === false ? undefined : await evaluateWorlds(session, model, {
      worlds: stressWorlds(),
      rows,
      onProgress: options.onProgress,
    })
    const reference = options.reference ?? readIntervalModelFromOnnx(modelBytes, width)
    const parity = await parityCheck(
      session,
      reference,
      parityRows(rows, width, PARITY_ROWS),
      width,
    )
    return {
      model: modelReports,
      baseline: baselineReports,
      overall: { model: overallMetrics(modelReports), baseline: overallMetrics(baselineReports) },
      parity,
      scored,
      ...(worlds ? { worlds } : {}),
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
  const worlds = evaluation.worlds
  if (worlds) {
    metrics.worlds_model_mae = worlds.overall.model.meanAbsoluteError
    metrics.worlds_baseline_mae = worlds.overall.baseline.meanAbsoluteError
    metrics.worlds_coverage80 = worlds.overall.model.coverage80
    metrics.worlds_coverage80_min = Math.min(
      ...worlds.model.map((report) => report.coverage80),
      ...worlds.lagTerciles.map((tercile) => tercile.coverage80),
    )
    metrics.worlds_false_gain = worlds.falseGains
    metrics.worlds_spearman = worlds.overall.model.meanSpearman
    for (const report of worlds.model) {
      metrics[`worlds_${report.publication}_model_mae`] = report.meanAbsoluteError
      metrics[`worlds_${report.publication}_coverage80`] = report.coverage80
      metrics[`worlds_${report.publication}_interval_width`] = report.meanIntervalWidth
    }
    for (const report of worlds.baseline) {
      metrics[`worlds_${report.publication}_baseline_mae`] = report.meanAbsoluteError
    }
    for (const tercile of worlds.lagTerciles) {
      metrics[`worlds_lag_tercile${tercile.tercile + 1}_coverage80`] = tercile.coverage80
    }
    const predicted = worlds.reliability.reduce((sum, bin) => sum + bin.gameDays, 0)
    metrics.worlds_above_par_share = worlds.reliability.reduce(
      (sum, bin) => sum + bin.shareAbovePar * bin.gameDays,
      0,
    ) / predicted
    metrics.worlds_above_par_mean_probability = worlds.reliability.reduce(
      (sum, bin) => sum + bin.meanProbability * bin.gameDays,
      0,
    ) / predicted
  }
  return metrics
}
