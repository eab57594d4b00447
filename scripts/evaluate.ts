/**
 * `npm run evaluate -- [--json] [--model model/x.onnx]`
 *
 * Runs an ONNX scoring model (default: the newest model card's) with onnxruntime-web on the
 * held-out portfolios, both publication rules, and prints it beside the standard estimator:
 * MAE of the expected return per $1, Spearman within state-day, 80% interval coverage; then the
 * ONNX parity check (onnxruntime-web vs the trainer's TypeScript prediction of the same trees,
 * 1,000 rows). With `--json` the last stdout line is one JSON object: `model_mae`,
 * `baseline_mae`, `spearman`, `coverage80`, `onnx_max_abs_diff` (both rules together) and the
 * same figures per rule.
 */
import { readFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { FEATURE_NAMES } from '../supabase/functions/_shared/scoring/features.ts'
import type { EvaluationReport } from './evaluation/evaluation.ts'
import {
  EVALUATION_DAYS,
  EVALUATION_START_DATE,
  HELD_OUT_SEEDS,
} from './evaluation/evaluation-set.ts'
import {
  describeFeatureNameMismatch,
  readScoringModelMetadata,
} from '../supabase/functions/_shared/onnx/metadata.ts'
import { repoRoot } from './local-stack/config.ts'
import { parseCli, runMain } from './lib/cli.ts'
import { defaultModelCard } from './models/model-cards.ts'
import { progress } from './lib/progress.ts'
import { MODEL_TARGETS, targetsMet } from './training/model-card.ts'
import { evaluateOnnxModel, evaluationMetrics } from './evaluation/model-evaluation.ts'

function sideBySide(model: readonly EvaluationReport[], baseline: readonly EvaluationReport[]) {
  const rows: string[][] = [[
    'publication',
    'game-days',
    'MAE model',
    'MAE baseline',
    'ratio',
    'spearman model',
    'spearman baseline',
    'cov80 model',
    'cov80 baseline',
    'width80 model',
  ]]
  for (const report of model) {
    const base = baseline.find((candidate) => candidate.publication === report.publication)
    if (!base) continue
    rows.push([
      report.publication,
      String(report.gameDays - report.refused),
      report.meanAbsoluteError.toFixed(5),
      base.meanAbsoluteError.toFixed(5),
      (report.meanAbsoluteError / base.meanAbsoluteError).toFixed(3),
      report.meanSpearman?.toFixed(3) ?? 'n/a',
      base.meanSpearman?.toFixed(3) ?? 'n/a',
      report.coverage80.toFixed(3),
      base.coverage80.toFixed(3),
      report.meanIntervalWidth.toFixed(4),
    ])
  }
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => row[i]?.length ?? 0))) ?? []
  return rows.map((row) => row.map((cell, i) => cell.padStart(widths[i] ?? 0)).join('  '))
    .join('\n')
}

async function main(args: string[]): Promise<void> {
  const options = parseCli(args, { model: { type: 'string' }, json: { type: 'boolean' } })
  const chosen = options.model
  const file = chosen ? resolve(chosen) : join(repoRoot, defaultModelCard().onnxFile)
  const bytes = new Uint8Array(readFileSync(file))
  const metadata = readScoringModelMetadata(bytes)
  const mismatch = describeFeatureNameMismatch(metadata.featureNames, FEATURE_NAMES)
  if (mismatch !== null) {
    throw new Error(
      `Cannot evaluate ${relative(repoRoot, file)}: its feature names do not match the code's ` +
        `(${mismatch}). Retrain it with npm run train.`,
    )
  }
  progress(
    `evaluating ${metadata.modelVersion} (${relative(repoRoot, file)}) on held-out portfolios`,
  )
  const evaluation = await evaluateOnnxModel(bytes, { onProgress: progress })
  const metrics = evaluationMetrics(evaluation)
  const met = targetsMet(metrics)
  const { model, baseline } = evaluation.overall
  console.log(
    `${metadata.modelVersion} vs the standard estimator on held-out portfolios: seeds ${
      HELD_OUT_SEEDS.join(', ')
    }; ${EVALUATION_DAYS} days from ${EVALUATION_START_DATE}; expected return per $1.`,
  )
  console.log(sideBySide(evaluation.model, evaluation.baseline))
  console.log(
    `both rules: MAE ${model.meanAbsoluteError.toFixed(5)} vs ${
      baseline.meanAbsoluteError.toFixed(5)
    } (ratio ${
      (model.meanAbsoluteError / baseline.meanAbsoluteError).toFixed(3)
    }, target <= ${MODEL_TARGETS.maeRatioAtMost}: ${met.mae ? 'met' : 'NOT met'}); spearman ${
      model.meanSpearman.toFixed(3)
    } vs ${baseline.meanSpearman.toFixed(3)} (target >= ${MODEL_TARGETS.spearmanAtLeast}: ${
      met.spearman ? 'met' : 'NOT met'
    }); coverage80 ${model.coverage80.toFixed(3)} vs ${baseline.coverage80.toFixed(3)} (target ${
      MODEL_TARGETS.coverage80Between.join('-')
    }: ${met.coverage80 ? 'met' : 'NOT met'})`,
  )
  console.log(
    `ONNX parity: onnxruntime-web vs TypeScript trees on ${evaluation.parity.rows} rows, max abs diff ${
      evaluation.parity.maxAbsDiff.toExponential(2)
    } (target <= ${MODEL_TARGETS.onnxMaxAbsDiffAtMost}: ${met.onnxParity ? 'met' : 'NOT met'})`,
  )
  if (options.json) {
    const rounded = Object.fromEntries(
      Object.entries(metrics).map(([key, value]) => [key, Number(value.toPrecision(6))]),
    )
    console.log(JSON.stringify({ ...rounded, model_version: metadata.modelVersion }))
  }
}

await runMain(import.meta.url, main)
