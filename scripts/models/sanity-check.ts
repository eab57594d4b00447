/**
 * `model:publish`'s sanity check: before a model becomes active it scores a reference set of
 * simulated game-days (a portfolio of its own seed, under both publication rules, every 7th day of
 * every game), the way the function scores (features, the TypeScript tree runtime, the
 * plausibility guards with the model's training ranges, the interpretation), and its outputs must
 * look like a scoring model's. Almost no scratch game returns $1 per $1 (0.1% of simulated
 * game-days do), so a model that calls many games a buy, answers far from the standard
 * estimator or does not follow it from game to game, or gives numbers or intervals outside what a
 * ticket can return is refused, unless forced.
 */
import {
  interpretBatch,
  prepareBatch,
  type PreparedGame,
  screenAndInterpret,
} from '../../supabase/functions/_shared/scoring/scoring-pipeline.ts'
import {
  DEFAULT_TRAINING_RANGES,
  type TrainingRanges,
} from '../../supabase/functions/_shared/scoring/plausibility.ts'
import {
  loadTreeEnsembleModel,
  predictTreeEnsembles,
} from '../../supabase/functions/_shared/onnx/tree-ensemble.ts'
import type { GameObservation } from '../../supabase/functions/_shared/scoring/types.ts'
import type { AboveParCalibration } from '../../supabase/functions/_shared/scoring/above-par.ts'
import { featureColumns } from '../../supabase/functions/_shared/scoring/features.ts'
import { observedGameDays } from '../market-sim/observations.ts'
import { simulatedGames } from '../market-sim/simulator.ts'
import { isHeldOutSeed } from '../evaluation/evaluation-set.ts'
import { spearmanCorrelation } from '../evaluation/metrics.ts'

/** Seed of the reference portfolio: neither a training seed (1, 2, ...) nor a held-out one. */
export const REFERENCE_SEED = 930_001

/** Keep every this-many-th day of each game. */
const REFERENCE_SAMPLE_EVERY = 7

/** The limits a model's outputs on the reference set must keep. */
export const SANITY_LIMITS = {
  /** Share of game-days the model puts at or above $1 per $1. */
  maxShareAtOrAbovePar: 0.05,
  /** Share labelled `buy` or `strong_buy`. */
  maxShareBuyLabels: 0.05,
  /** Share the plausibility guards hold back (out of range, or far from the estimator). */
  maxShareHeldBack: 0.01,
  /** Largest expected return per $1 (the simulated truth stays below 1.25). */
  maxExpectedReturn: 2,
  /** Lowest value of the 80% interval (or the expected return): a ticket returns 0 or more. */
  minIntervalLow: 0,
  /** Highest value of the 80% interval (or the expected return) per $1. */
  maxIntervalHigh: 2,
  /**
   * Widest 80% interval per $1: gbm-v2's widest on the reference set is 0.11 (median 0.017), a
   * 50-cent interval says nothing a player could use.
   */
  maxIntervalWidth: 0.5,
  /**
   * Smallest Spearman rank correlation between the model's expected return and the standard
   * estimator's over the reference game-days (a constant model has 0): the model corrects the
   * estimator, it does not reorder the games (gbm-v1 and gbm-v2: 0.99).
   */
  minRankCorrelationWithEstimator: 0.5,
} as const

/** One check's outcome. */
export interface SanityCheck {
  name: string
  value: number
  limit: string
  passed: boolean
}

/** The outcome of all checks on the reference set. */
export interface SanityReport {
  gameDays: number
  checks: SanityCheck[]
  passed: boolean
}

let referenceSet: GameObservation[] | undefined

/** The reference game-days (simulated once per process). */
export function referenceObservations(): GameObservation[] {
  if (isHeldOutSeed(REFERENCE_SEED)) throw new Error('The reference seed must not be held out')
  referenceSet ??= (['minnesota', 'all_tiers'] as const).flatMap((publication) =>
    [...simulatedGames({
      seed: REFERENCE_SEED,
      publication,
      startDate: '2025-06-01',
      days: 90,
      activeGames: 40,
    })].flatMap((game) =>
      observedGameDays(game).filter((_, day) => day % REFERENCE_SAMPLE_EVERY === 0)
        .map((gameDay) => gameDay.observation)
    )
  )
  return referenceSet
}

/**
 * Scores the reference set with a model file and checks its outputs. Throws when the file is not
 * a graph the function's default engine can run.
 */
export function checkModelSanity(
  bytes: Uint8Array,
  model: {
    version: string
    /** The columns the model names (its metadata's feature names). */
    featureNames: readonly string[]
    trainingRanges?: TrainingRanges
    aboveParCalibration?: AboveParCalibration
  },
): SanityReport {
  // The reference states have no history of their own: their games get the claim priors.
  const batch = prepareBatch(referenceObservations(), {
    columns: featureColumns(model.featureNames),
  })
  const rows = batch.prepared.length
  const outputs = predictTreeEnsembles(loadTreeEnsembleModel(bytes), batch.matrix, rows)
  const interpretOptions = { aboveParCalibration: model.aboveParCalibration ?? null }
  const screened = screenAndInterpret(batch, outputs, {
    version: model.version,
    trainingRanges: model.trainingRanges ?? DEFAULT_TRAINING_RANGES,
    ...interpretOptions,
  })
  let finite = 0
  let atOrAbovePar = 0
  let largest = 0
  let lowest = Infinity
  let highest = -Infinity
  let widest = 0
  const points: number[] = []
  const estimator: number[] = []
  for (let row = 0; row < rows; row++) {
    const point = outputs.expectedReturn[row] as number
    const p10 = outputs.p10[row] as number
    const p90 = outputs.p90[row] as number
    if (Number.isFinite(point) && Number.isFinite(p10) && Number.isFinite(p90)) finite++
    if (point >= 1) atOrAbovePar++
    largest = Math.max(largest, Math.abs(point))
    lowest = Math.min(lowest, point, p10, p90)
    highest = Math.max(highest, point, p10, p90)
    widest = Math.max(widest, Math.abs(p90 - p10))
    points.push(point)
    estimator.push(
      (batch.prepared[row] as PreparedGame).features.estimate.expectedReturnPerDollar.estimate,
    )
  }
  // A model whose answer never changes follows nothing (its correlation is undefined: 0).
  const rankCorrelation = new Set(points).size < 2 ? 0 : spearmanCorrelation(points, estimator) ?? 0
  // What the model would call each game, before the guards hold any back.
  const buyLabels =
    interpretBatch(batch, outputs, interpretOptions).filter((prediction) =>
      prediction.recommendation === 'buy' || prediction.recommendation === 'strong_buy'
    ).length
  const share = (count: number) => count / Math.max(rows, 1)
  const atMost = (name: string, value: number, limit: number): SanityCheck => ({
    name,
    value,
    limit: `at most ${limit}`,
    passed: value <= limit,
  })
  const atLeast = (name: string, value: number, limit: number): SanityCheck => ({
    name,
    value,
    limit: `at least ${limit}`,
    passed: value >= limit,
  })
  const checks: SanityCheck[] = [
    {
      name: 'outputs that are finite numbers',
      value: share(finite),
      limit: 'all',
      passed: finite === rows,
    },
    atMost('share at or above $1 per $1', share(atOrAbovePar), SANITY_LIMITS.maxShareAtOrAbovePar),
    atMost('share labelled buy or strong_buy', share(buyLabels), SANITY_LIMITS.maxShareBuyLabels),
    atMost(
      'share the plausibility guards hold back',
      share(screened.skipped.length),
      SANITY_LIMITS.maxShareHeldBack,
    ),
    atMost('largest expected return per $1', largest, SANITY_LIMITS.maxExpectedReturn),
    atLeast('lowest value of an 80% interval', lowest, SANITY_LIMITS.minIntervalLow),
    atMost('highest value of an 80% interval', highest, SANITY_LIMITS.maxIntervalHigh),
    atMost('widest 80% interval per $1', widest, SANITY_LIMITS.maxIntervalWidth),
    atLeast(
      'rank correlation with the standard estimator',
      rankCorrelation,
      SANITY_LIMITS.minRankCorrelationWithEstimator,
    ),
  ]
  return { gameDays: rows, checks, passed: rows > 0 && checks.every((check) => check.passed) }
}

/** The failed checks as one sentence. */
export function describeFailures(report: SanityReport): string {
  return report.checks.filter((check) => !check.passed).map((check) =>
    `${check.name} ${Number(check.value.toPrecision(4))} (${check.limit})`
  ).join('; ')
}
