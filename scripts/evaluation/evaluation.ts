/**
 * Judges an expected-return predictor against the simulator's truth on a set of portfolios:
 * mean absolute error of the expected return per $1, rank correlation within each state-day,
 * and the coverage of its 80% interval. The standard estimator and the model go through the
 * same function, day batch by day batch, as the nightly scorer sees them.
 */
import { estimateExpectedValue } from '../../supabase/functions/_shared/scoring/estimator.ts'
import { intervalCoverage, meanAbsoluteError, meanError, meanSpearmanByGroup } from './metrics.ts'
import { type ObservedGameDay, observedGameDays } from '../market-sim/observations.ts'
import {
  type PortfolioOptions,
  type PublicationRule,
  simulatePortfolio,
} from '../market-sim/simulator.ts'

/** One predicted expected return per $1 with its 80% interval. */
export interface ReturnPrediction {
  estimate: number
  low: number
  high: number
  /** Predicted share of tickets sold, when the predictor makes one. */
  fractionSold?: number
}

/**
 * Predicts every game of one state-day (`null` for a refused game), in order. May be async
 * (model inference).
 */
export type ReturnPredictor = (
  gameDays: readonly ObservedGameDay[],
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

interface Accumulator {
  portfolios: number
  gameDays: number
  refused: number
  predicted: number[]
  actual: number[]
  intervals: { low: number; high: number }[]
  printedPayout: number[]
  fractionSoldPredicted: number[]
  fractionSoldActual: number[]
  grouped: { group: string; predicted: number; actual: number }[]
}

function emptyAccumulator(): Accumulator {
  return {
    portfolios: 0,
    gameDays: 0,
    refused: 0,
    predicted: [],
    actual: [],
    intervals: [],
    printedPayout: [],
    fractionSoldPredicted: [],
    fractionSoldActual: [],
    grouped: [],
  }
}

/** Observation and truth of every game on sale, grouped by day (index = day). */
function gameDaysByDay(portfolio: ReturnType<typeof simulatePortfolio>) {
  const byDay: { gameDay: ObservedGameDay; printedPayout: number }[][] = Array.from(
    { length: portfolio.days },
    () => [],
  )
  for (const game of portfolio.games) {
    observedGameDays(game).forEach((gameDay, row) => {
      byDay[game.firstDay + row]?.push({ gameDay, printedPayout: game.printedPayout })
    })
  }
  return byDay
}

function report(publication: PublicationRule, acc: Accumulator): EvaluationReport {
  if (acc.predicted.length === 0) {
    throw new Error(`Cannot evaluate ${publication}: every game-day was refused`)
  }
  const spearman = meanSpearmanByGroup(acc.grouped)
  const widths = acc.intervals.map((interval) => interval.high - interval.low)
  return {
    publication,
    portfolios: acc.portfolios,
    gameDays: acc.gameDays,
    refused: acc.refused,
    meanAbsoluteError: meanAbsoluteError(acc.predicted, acc.actual),
    meanError: meanError(acc.predicted, acc.actual),
    meanSpearman: spearman.mean,
    stateDays: spearman.groups,
    coverage80: intervalCoverage(acc.intervals, acc.actual),
    meanIntervalWidth: widths.reduce((sum, width) => sum + width, 0) / widths.length,
    printedPayoutMeanAbsoluteError: meanAbsoluteError(acc.printedPayout, acc.actual),
    fractionSoldMeanAbsoluteError: acc.fractionSoldPredicted.length > 0
      ? meanAbsoluteError(acc.fractionSoldPredicted, acc.fractionSoldActual)
      : null,
  }
}

/**
 * Simulates each portfolio, asks `predictor` for every state-day's games, and reports the
 * metrics per publication rule (in the order the rules first appear).
 */
export async function evaluateReturnPredictor(
  portfolios: readonly PortfolioOptions[],
  options: { predictor: ReturnPredictor; onProgress?: (message: string) => void },
): Promise<EvaluationReport[]> {
  const byRule = new Map<PublicationRule, Accumulator>()
  for (const [index, portfolioOptions] of portfolios.entries()) {
    const portfolio = simulatePortfolio(portfolioOptions)
    const acc = byRule.get(portfolio.publication) ?? emptyAccumulator()
    byRule.set(portfolio.publication, acc)
    acc.portfolios++
    let portfolioGameDays = 0
    for (const [day, entries] of gameDaysByDay(portfolio).entries()) {
      const predictions = await options.predictor(entries.map((entry) => entry.gameDay))
      if (predictions.length !== entries.length) {
        throw new Error(
          `Cannot evaluate: ${predictions.length} predictions for ${entries.length} games`,
        )
      }
      entries.forEach(({ gameDay, printedPayout }, i) => {
        acc.gameDays++
        const prediction = predictions[i]
        if (!prediction) {
          acc.refused++
          return
        }
        const actual = gameDay.truth.trueReturnPerDollar
        acc.predicted.push(prediction.estimate)
        acc.actual.push(actual)
        acc.intervals.push(prediction)
        acc.printedPayout.push(printedPayout)
        acc.grouped.push({ group: `${index}:${day}`, predicted: prediction.estimate, actual })
        if (prediction.fractionSold !== undefined) {
          acc.fractionSoldPredicted.push(prediction.fractionSold)
          acc.fractionSoldActual.push(gameDay.truth.fractionSold)
        }
      })
      portfolioGameDays += entries.length
    }
    options.onProgress?.(
      `portfolio ${
        index + 1
      }/${portfolios.length} (seed ${portfolioOptions.seed}, ${portfolio.publication}): ${portfolio.games.length} games, ${portfolioGameDays} game-days`,
    )
  }
  return [...byRule].map(([publication, acc]) => report(publication, acc))
}
