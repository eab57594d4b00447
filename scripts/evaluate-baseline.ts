/**
 * Baseline report: how far the standard expected-value estimator is from the simulator's truth
 * on the held-out portfolios (`scripts/evaluation/evaluation-set.ts`). This is the bar the model must beat.
 * `npm run evaluate:baseline [-- --json]`; progress on stderr, the report on stdout.
 */
import { evaluateReturnPredictor, standardEstimatorPredictor } from './evaluation/evaluation.ts'
import {
  EVALUATION_DAYS,
  EVALUATION_START_DATE,
  HELD_OUT_PORTFOLIOS,
  HELD_OUT_SEEDS,
} from './evaluation/evaluation-set.ts'
import { parseCli, runMain } from './lib/cli.ts'
import { progress } from './lib/progress.ts'
import { formatEvaluationReports } from './evaluation/report.ts'

async function main(args: string[]): Promise<void> {
  const { json } = parseCli(args, { json: { type: 'boolean' } })
  progress(`evaluating the standard estimator on ${HELD_OUT_PORTFOLIOS.length} held-out portfolios`)
  const reports = await evaluateReturnPredictor(HELD_OUT_PORTFOLIOS, {
    predictor: standardEstimatorPredictor,
    onProgress: progress,
  })
  if (json) {
    console.log(JSON.stringify({ predictor: 'standard_estimator', reports }, null, 2))
  } else {
    console.log(
      `Standard estimator on held-out portfolios: seeds ${HELD_OUT_SEEDS.join(', ')}; ` +
        `${EVALUATION_DAYS} days from ${EVALUATION_START_DATE}; expected return per $1.`,
    )
    console.log(formatEvaluationReports(reports))
  }
}

await runMain(import.meta.url, main)
