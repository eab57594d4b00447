/**
 * From observations to prediction rows, around one batched inference: features for every game
 * (skipping, with a reason, the games whose data cannot be used), one float32 matrix, then the
 * model's outputs screened by the plausibility guards and interpreted into what the app shows.
 */
import { type AboveParCalibration, probabilityAbovePar } from './above-par.ts'
import type { ClaimProfile } from './claim-profile.ts'
import {
  computeFeatures,
  CURRENT_FEATURE_COLUMNS,
  type FeatureColumns,
  featureRecord,
  type GameFeatures,
  publicationCoverage,
} from './features.ts'
import { interpret } from './interpretation.ts'
import { type GuardedModel, implausibility } from './plausibility.ts'
import type { ModelOutputs } from '../onnx/runtime.ts'
import type { Prediction } from '../run/prediction-store.ts'
import type { GameObservation } from './types.ts'

/** A game left out of a run, and why. */
export interface SkippedGame {
  game_id: number
  reason: string
  message: string
}

/** A game ready for inference. */
export interface PreparedGame {
  observation: GameObservation
  features: GameFeatures
}

/** The batch handed to the model. */
export interface PreparedBatch {
  prepared: PreparedGame[]
  /** Row-major float32, one column per feature the model asks for, one row per prepared game. */
  matrix: Float32Array
  /** The columns of the matrix. */
  columns: FeatureColumns
  skipped: SkippedGame[]
}

/** What a batch is built with: the model's columns and the claim profile of each state. */
export interface BatchOptions {
  /** Default: the current feature set. */
  columns?: FeatureColumns
  /** Claim profile by state; a state without one gets the priors. */
  profiles?: ReadonlyMap<string, ClaimProfile>
}

/** Builds a batch one game at a time (as rows arrive), then as one matrix. */
export interface BatchBuilder {
  /** Computes the game's features, or records why it is skipped. */
  add(observation: GameObservation): void
  /** Records a game left out before its features (e.g. its row was invalid). */
  skip(skipped: SkippedGame): void
  finish(): PreparedBatch
}

/** A {@link BatchBuilder}. */
export function batchBuilder(options: BatchOptions = {}): BatchBuilder {
  const columns = options.columns ?? CURRENT_FEATURE_COLUMNS
  const prepared: PreparedGame[] = []
  const skipped: SkippedGame[] = []
  return {
    add(observation) {
      const result = computeFeatures(observation, {
        columns,
        profile: options.profiles?.get(observation.game.state),
      })
      if (result.ok) prepared.push({ observation, features: result.features })
      else {
        skipped.push({
          game_id: observation.game.id,
          reason: result.refusal.code,
          message: result.refusal.message,
        })
      }
    },
    skip(game) {
      skipped.push(game)
    },
    finish() {
      const width = columns.names.length
      const matrix = new Float32Array(prepared.length * width)
      prepared.forEach((game, row) => matrix.set(game.features.values, row * width))
      return { prepared, matrix, columns, skipped }
    },
  }
}

/** Features of every game, as one matrix; unusable games are skipped with their reason. */
export function prepareBatch(
  observations: readonly GameObservation[],
  options: BatchOptions = {},
): PreparedBatch {
  const builder = batchBuilder(options)
  for (const observation of observations) builder.add(observation)
  return builder.finish()
}

function roundTo(value: number, digits: number): number {
  const scale = 10 ** digits
  return Math.round(value * scale) / scale
}

/**
 * The model's point and percentiles for one row, made a proper interval: non-negative, and
 * ordered low <= point <= high (quantile models can cross on rare rows).
 */
export function orderedInterval(point: number, p10: number, p90: number) {
  const expectedReturn = Math.max(0, point)
  return {
    expectedReturn,
    expectedReturnLow: Math.max(0, Math.min(p10, p90, expectedReturn)),
    expectedReturnHigh: Math.max(p10, p90, expectedReturn),
  }
}

/** How a batch's rows are interpreted: the model's probability_above_par map, if any. */
export interface InterpretOptions {
  aboveParCalibration: AboveParCalibration | null
}

/**
 * Prediction rows from the model's outputs, in the order of the batch's games (no guard); the
 * features are recorded under the model's own column names, and probability_above_par is
 * calibrated with the model's map when it carries one.
 */
export function interpretBatch(
  batch: Pick<PreparedBatch, 'prepared' | 'columns'>,
  outputs: ModelOutputs,
  options: InterpretOptions,
): Prediction[] {
  return batch.prepared.map((game, row) => interpretRow(game, outputs, row, batch.columns, options))
}

/** What a run writes, and the games the plausibility guards held back. */
export interface ScreenedPredictions {
  predictions: Prediction[]
  skipped: SkippedGame[]
}

/**
 * Prediction rows from the model's outputs, except for games the plausibility guards refuse
 * (`plausibility.ts`: inputs outside the model's training ranges, a prediction the standard
 * estimator contradicts, or an interval outside what a ticket can return), which are skipped
 * with their reason.
 */
export function screenAndInterpret(
  batch: Pick<PreparedBatch, 'prepared' | 'columns'>,
  outputs: ModelOutputs,
  model: GuardedModel & InterpretOptions,
): ScreenedPredictions {
  const predictions: Prediction[] = []
  const skipped: SkippedGame[] = []
  batch.prepared.forEach((game, row) => {
    const refused = implausibility({
      observation: game.observation,
      estimate: game.features.estimate,
      modelReturn: outputs.expectedReturn[row] ?? Number.NaN,
      modelLow: outputs.p10[row] ?? Number.NaN,
      modelHigh: outputs.p90[row] ?? Number.NaN,
    }, model)
    if (refused === null) predictions.push(interpretRow(game, outputs, row, batch.columns, model))
    else skipped.push({ game_id: game.observation.game.id, ...refused })
  })
  return { predictions, skipped }
}

/** The prediction row of the batch's game number `row`. */
function interpretRow(
  { observation, features }: PreparedGame,
  outputs: ModelOutputs,
  row: number,
  columns: FeatureColumns,
  options: InterpretOptions,
): Prediction {
  const interval = orderedInterval(
    outputs.expectedReturn[row] ?? 0,
    outputs.p10[row] ?? 0,
    outputs.p90[row] ?? 0,
  )
  const expectedReturn = roundTo(interval.expectedReturn, 4)
  const expectedReturnLow = roundTo(interval.expectedReturnLow, 4)
  const expectedReturnHigh = roundTo(interval.expectedReturnHigh, 4)
  const estimate = features.estimate
  const aboveParProbability = probabilityAbovePar(interval, options.aboveParCalibration)
  const topTier = observation.tiers.reduce((top, tier) =>
    tier.prizeAmount > top.prizeAmount ? tier : top
  )
  const price = observation.game.ticketPrice
  const shown = interpret({
    ticketPrice: price,
    expectedReturn,
    expectedReturnLow,
    expectedReturnHigh,
    printedPayout: estimate.printedReturnPerDollar,
    winProbability: estimate.winProbability,
    soldFraction: estimate.fractionSold.estimate,
    topPrizeRatio: estimate.topPrizeRatio,
    topPrizesRemaining: topTier.remainingPrizes,
    topPrizesPrinted: topTier.totalPrizes,
    publicationCoverage: publicationCoverage(observation.tiers),
    aboveParProbability,
  })
  return {
    gameId: observation.game.id,
    ...shown,
    winProbability: roundTo(estimate.winProbability, 6),
    expectedValue: roundTo(expectedReturn * price - price, 4),
    expectedReturn,
    expectedReturnLow,
    expectedReturnHigh,
    probabilityAbovePar: roundTo(aboveParProbability, 6),
    features: featureRecord(features.values, columns),
  }
}
