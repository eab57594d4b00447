/**
 * `npx tsx scripts/training-ceiling.ts [--json]`
 *
 * How low can the model's MAE go? Trains the default model's median ensemble three times on the
 * same rows: with the published features only (what the served model sees), plus the hidden
 * true share of tickets sold and true sales rate, plus also the hidden share of top prizes still
 * unsold; and compares each with the standard estimator on validation states (training worlds
 * past those `npm run train` uses; never calibration, held-out or stress ones). If knowing the
 * true share sold barely helps while knowing which top prizes are sold-but-unclaimed halves the
 * error, the remaining error is luck that no published data reveals.
 */
import { FEATURE_NAMES } from '../supabase/functions/_shared/scoring/features.ts'
import { trainingWorlds } from './evaluation/world-set.ts'
import { featureMatrix, predictTrees } from './training/gbm/model.ts'
import type { SimulatedGame } from './market-sim/simulator.ts'
import { parseCli, runMain } from './lib/cli.ts'
import { progress } from './lib/progress.ts'
import { buildTrainingRows, type TrainingRows } from './training/data.ts'
import { DEFAULT_TRAINING_CONFIG, trainResidualEnsembles } from './training/pipeline.ts'

const SALES_RATE_DAYS = 14
const VALIDATION_WORLDS = 24

/** Hidden truth about a game-day: share sold, recent sales rate, share of top prizes unsold. */
function hiddenTruth(game: SimulatedGame, day: number): number[] {
  const row = day - game.firstDay
  const start = Math.max(0, row - SALES_RATE_DAYS)
  const unsold = game.unsoldTickets[row] as number
  const rate = row > start
    ? ((game.unsoldTickets[start] as number) - unsold) / game.ticketsPrinted / (row - start)
    : -1
  const tiers = game.tiers.length
  const top = game.tiers[tiers - 1]
  const topUnsold = game.unsoldPrizes[row * tiers + tiers - 1] as number
  return [1 - unsold / game.ticketsPrinted, rate, top ? topUnsold / top.totalPrizes : 0]
}

/** The rows with only their first `columns` columns. */
function firstColumns(rows: TrainingRows, columns: number): TrainingRows {
  const features = new Float32Array(rows.rowCount * columns)
  for (let row = 0; row < rows.rowCount; row++) {
    features.set(
      rows.features.subarray(row * rows.featureCount, row * rows.featureCount + columns),
      row * columns,
    )
  }
  return { ...rows, features, featureCount: columns }
}

function maeByRule(rows: TrainingRows, predicted: ArrayLike<number>) {
  return Object.fromEntries(rows.rules.map((rule, index) => {
    let error = 0
    let count = 0
    for (let row = 0; row < rows.rowCount; row++) {
      if (rows.ruleIndex[row] !== index) continue
      error += Math.abs((predicted[row] as number) - (rows.target[row] as number))
      count++
    }
    return [rule, error / count]
  }))
}

function main(args: string[]): void {
  const { json } = parseCli(args, { json: { type: 'boolean' } })
  const config = DEFAULT_TRAINING_CONFIG
  const common = { rules: config.rules, hiddenColumns: hiddenTruth, onProgress: progress }
  const training = buildTrainingRows({
    ...common,
    worlds: trainingWorlds(config.trainingWorlds),
    sampleEvery: config.sampleEvery,
  })
  const validation = buildTrainingRows({
    ...common,
    worlds: trainingWorlds(VALIDATION_WORLDS, config.trainingWorlds),
    sampleEvery: 4,
  })
  const results: Record<string, Record<string, number>> = {
    baseline: maeByRule(validation, validation.baseline),
  }
  const variants = [
    ['published features (the served model)', FEATURE_NAMES.length],
    ['+ true share sold and sales rate (hidden)', FEATURE_NAMES.length + 2],
    ['+ true share of top prizes unsold (hidden)', FEATURE_NAMES.length + 3],
  ] as const
  for (const [name, columns] of variants) {
    progress(`training: ${name}`)
    const [median] = trainResidualEnsembles(firstColumns(training, columns), config, [
      { part: 'median', quantile: 0.5, settings: config.point },
    ])
    if (!median) throw new Error('Cannot train the median ensemble')
    const rows = firstColumns(validation, columns)
    results[name] = maeByRule(rows, predictTrees(median, featureMatrix(rows.features, columns)))
  }
  console.log(
    `MAE of the expected return per $1 on ${VALIDATION_WORLDS} validation states (${validation.rowCount} game-days), ratio to the standard estimator:`,
  )
  const baseline = results.baseline ?? {}
  for (const [name, byRule] of Object.entries(results)) {
    console.log(
      `  ${name.padEnd(44)} ${
        config.rules.map((rule) =>
          `${rule} ${(byRule[rule] ?? NaN).toFixed(5)} (${
            ((byRule[rule] ?? NaN) / (baseline[rule] ?? NaN)).toFixed(3)
          })`
        ).join('  ')
      }`,
    )
  }
  if (json) console.log(JSON.stringify(results))
}

await runMain(import.meta.url, main)
