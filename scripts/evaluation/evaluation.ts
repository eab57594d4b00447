/**
 * Judges an expected-return predictor against the simulator's truth on a set of simulated
 * states: mean absolute error of the expected return per $1, rank correlation within each
 * state-day, and the coverage of its 80% interval. The standard estimator and the model go
 * through the same function, day batch by day batch, as the nightly scorer sees them: each
 * game-day with the claim profile its state's database would give that day.
 */
import { estimateExpectedValue } from '../../supabase/functions/_shared/scoring/estimator.ts'
import { intervalCoverage, meanAbsoluteError, meanError, meanSpearmanByGroup } from './metrics.ts'
import { type ProfiledGameDay, simulateState, stateGameDays } from '../market-sim/state-days.ts'
import type {
  PortfolioOptions,
  PublicationRule,
  SimulatedPortfolio,
} from '../market-sim/simulator.ts'

/** One predicted expected return per $1 with its 80% interval. */
export interface ReturnPrediction {
  estimate: number
  low: number
  high: number
  /** Predicted share of tickets sold, when the predictor makes one. */
  fractionSold?: number
  /** Predicted chance of $1 or more per $1, when the predictor gives one. */
  probabilityAbovePar?: number
}

/**
 * Predicts every game of one state-day (`null` for a refused game), in order. May be async
 * (model inference).
 */
export type ReturnPredictor = (
  gameDays: readonly ProfiledGameDay[],
) => (ReturnPrediction | null)[] | Promise<(ReturnPrediction | null)[]>

/** The standard estimator as a predictor: the baseline. Refused games predict `null`. */
export const standardEstimatorPredictor: ReturnPredictor = (gameDays) =>
  gameDays.map(({ observation }) => {
    const result = estimateExpectedValue(observation)
    if (!result.ok) return null
    return {
      ...result.estimate.expectedReturnPerDollar,
      fractionSold: result.estimate.fractionSold.estimate,
    }
  })

/** A simulated state to judge on, read under each of `rules`. */
export interface EvaluationState {
  /** The state's portfolio (its `publication` is replaced by each rule). */
  options: PortfolioOptions
  /** The portfolio already simulated from `options` (saves simulating it again). */
  portfolio?: SimulatedPortfolio
  rules: readonly PublicationRule[]
  /** Which world of a set the state is (for reports by world); default its position. */
  worldIndex?: number
}

/** One game-day judged: the truth and the prediction (`null` when refused). */
export interface EvaluatedGameDay {
  publication: PublicationRule
  worldIndex: number
  /** The state-day the game-day belongs to (Spearman is computed within it). */
  stateDay: string
  truth: number
  fractionSoldTruth: number
  printedPayout: number
  prediction: ReturnPrediction | null
}

/** Metrics of one predictor under one publication rule. */
export interface EvaluationReport {
  publication: PublicationRule
  portfolios: number
  /** Game-days on sale (predicted or refused). */
  gameDays: number
  refused: number
  meanAbsoluteError: number
  /** Mean of predicted − true. */
  meanError: number
  /** Spearman correlation within each state-day, averaged over state-days. */
  meanSpearman: number | null
  stateDays: number
  /** Share of true values inside the 80% interval. */
  coverage80: number
  meanIntervalWidth: number
  /** Reference: mean absolute error of the printed payout, which ignores depletion. */
  printedPayoutMeanAbsoluteError: number
  /** Mean absolute error of the predicted share sold, when the predictor gives one. */
  fractionSoldMeanAbsoluteError: number | null
}

/**
 * Simulates each state once, asks `predictor` for every state-day's games under each of its
 * rules (every `dayStep`-th day), and returns every game-day judged.
 */
export async function evaluateGameDays(
  states: readonly EvaluationState[],
  options: {
    predictor: ReturnPredictor
    dayStep?: number
    onProgress?: (message: string) => void
  },
): Promise<EvaluatedGameDay[]> {
  const rows: EvaluatedGameDay[] = []
  const dayStep = options.dayStep ?? 1
  for (const [index, state] of states.entries()) {
    const portfolio = state.portfolio ?? simulateState(state.options)
    const worldIndex = state.worldIndex ?? index
    for (const publication of state.rules) {
      const byDay: ProfiledGameDay[][] = Array.from({ length: portfolio.days }, () => [])
      stateGameDays(portfolio, { rule: publication }, (gameDay) => {
        if (gameDay.day % dayStep === 0) byDay[gameDay.day]?.push(gameDay)
      })
      let gameDays = 0
      for (const [day, entries] of byDay.entries()) {
        if (entries.length === 0) continue
        const predictions = await options.predictor(entries)
        if (predictions.length !== entries.length) {
          throw new Error(
            `Cannot evaluate: ${predictions.length} predictions for ${entries.length} games`,
          )
        }
        entries.forEach((gameDay, i) => {
          const game = portfolio.games[gameDay.gameIndex]
          rows.push({
            publication,
            worldIndex,
            stateDay: `${index}:${publication}:${day}`,
            truth: gameDay.truth.trueReturnPerDollar,
            fractionSoldTruth: gameDay.truth.fractionSold,
            printedPayout: game?.printedPayout ?? Number.NaN,
            prediction: predictions[i] ?? null,
          })
        })
        gameDays += entries.length
      }
      options.onProgress?.(
        `state ${
          index + 1
        }/${states.length} (seed ${state.options.seed}, ${publication}): ${portfolio.games.length} games, ${gameDays} game-days`,
      )
    }
  }
  return rows
}

/** The metrics of judged game-days (all of one rule, or any group of them). */
export function evaluationReport(
  publication: PublicationRule,
  rows: readonly EvaluatedGameDay[],
): EvaluationReport {
  const predicted = rows.filter((row) => row.prediction !== null)
  if (predicted.length === 0) {
    throw new Error(`Cannot evaluate ${publication}: every game-day was refused`)
  }
  const estimates = predicted.map((row) => (row.prediction as ReturnPrediction).estimate)
  const truths = predicted.map((row) => row.truth)
  const intervals = predicted.map((row) => row.prediction as ReturnPrediction)
  const widths = intervals.map((interval) => interval.high - interval.low)
  const spearman = meanSpearmanByGroup(
    predicted.map((row, i) => ({
      group: row.stateDay,
      predicted: estimates[i] as number,
      actual: row.truth,
    })),
  )
  const withSold = predicted.filter((row) => row.prediction?.fractionSold !== undefined)
  return {
    publication,
    portfolios: new Set(rows.map((row) => row.worldIndex)).size,
    gameDays: rows.length,
    refused: rows.length - predicted.length,
    meanAbsoluteError: meanAbsoluteError(estimates, truths),
    meanError: meanError(estimates, truths),
    meanSpearman: spearman.mean,
    stateDays: spearman.groups,
    coverage80: intervalCoverage(intervals, truths),
    meanIntervalWidth: widths.reduce((sum, width) => sum + width, 0) / widths.length,
    printedPayoutMeanAbsoluteError: meanAbsoluteError(
      predicted.map((row) => row.printedPayout),
      truths,
    ),
    fractionSoldMeanAbsoluteError: withSold.length > 0
      ? meanAbsoluteError(
        withSold.map((row) => row.prediction?.fractionSold as number),
        withSold.map((row) => row.fractionSoldTruth),
      )
      : null,
  }
}

/** One report per publication rule, in the order the rules first appear. */
export function reportsByRule(rows: readonly EvaluatedGameDay[]): EvaluationReport[] {
  const byRule = new Map<PublicationRule, EvaluatedGameDay[]>()
  for (const row of rows) {
    const group = byRule.get(row.publication) ?? []
    group.push(row)
    byRule.set(row.publication, group)
  }
  return [...byRule].map(([publication, group]) => evaluationReport(publication, group))
}

/**
 * Simulates each portfolio (under its own rule), asks `predictor` for every state-day's games,
 * and reports the metrics per publication rule (in the order the rules first appear).
 */
export async function evaluateReturnPredictor(
  portfolios: readonly PortfolioOptions[],
  options: { predictor: ReturnPredictor; onProgress?: (message: string) => void },
): Promise<EvaluationReport[]> {
  const rows = await evaluateGameDays(
    portfolios.map((portfolio) => ({ options: portfolio, rules: [portfolio.publication] })),
    options,
  )
  return reportsByRule(rows)
}
