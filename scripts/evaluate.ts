/**
 * `npm run evaluate -- [--json] [--model model/x.onnx] [--no-worlds]`
 *
 * Runs an ONNX scoring model (default: the newest model card's) with onnxruntime-web, exactly as
 * the scorer does (the columns its metadata names, each state's claim profile), and prints it
 * beside the standard estimator:
 * - on the held-out portfolios of the base world, both publication rules: MAE of the expected
 *   return per $1, Spearman within state-day, 80% interval coverage;
 * - on the stress set: held-out worlds from the full ranges of the family (every one with a
 *   parameter outside the training core), every publication rule: the same by rule, coverage by
 *   claim-lag tercile, false gains (the whole interval above $1 per $1, the truth below) and the
 *   reliability table of probability_above_par;
 * then the ONNX parity check (onnxruntime-web vs the trainer's TypeScript prediction of the same
 * trees, 1,000 rows). With `--json` the last stdout line is one JSON object: `model_mae`,
 * `baseline_mae`, `spearman`, `coverage80`, `onnx_max_abs_diff` and the same per rule;
 * `worlds_model_mae`, `worlds_baseline_mae`, `worlds_coverage80`, `worlds_coverage80_min` (lowest
 * of the per-rule and per-lag-tercile coverages), `worlds_false_gain` and the same per rule and
 * tercile; `worlds_above_par_reliability` (the table's bins).
 */
import { readFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { featureNameProblems } from '../supabase/functions/_shared/scoring/features.ts'
import type { EvaluationReport } from './evaluation/evaluation.ts'
import {
  EVALUATION_DAYS,
  EVALUATION_START_DATE,
  HELD_OUT_SEEDS,
} from './evaluation/evaluation-set.ts'
import { readScoringModelMetadata } from '../supabase/functions/_shared/onnx/metadata.ts'
import { repoRoot } from './local-stack/config.ts'
import { parseCli, runMain } from './lib/cli.ts'
import { defaultModelCard } from './models/model-cards.ts'
import { progress } from './lib/progress.ts'
import { MODEL_TARGETS, targetsMet } from './training/model-card.ts'
import {
  evaluateOnnxModel,
  evaluationMetrics,
  STRESS_DAY_STEP,
  type WorldsEvaluation,
} from './evaluation/model-evaluation.ts'

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

/** The stress worlds' rules side by side, the coverage by lag tercile and the reliability table. */
function worldsReport(worlds: WorldsEvaluation): string {
  const lines = [sideBySide(worlds.model, worlds.baseline)]
  lines.push(
    `coverage80 by claim-lag tercile of the worlds: ${
      worlds.lagTerciles.map((tercile) =>
        `${['short', 'middle', 'long'][tercile.tercile]} ${
          tercile.coverage80.toFixed(3)
        } (${tercile.worlds} worlds, ${tercile.gameDays} game-days)`
      ).join('; ')
    }`,
    `false gains (whole interval above $1 per $1, truth below): ${worlds.falseGains}`,
    'probability_above_par reliability (stress worlds): p up to | game-days | mean p | share above par',
    ...worlds.reliability.filter((bin) => bin.gameDays > 0).map((bin) =>
      `  ${bin.upperEdge.toFixed(4).padStart(6)} | ${String(bin.gameDays).padStart(9)} | ${
        bin.meanProbability.toFixed(5)
      } | ${bin.shareAbovePar.toFixed(5)}`
    ),
  )
  return lines.join('\n')
}

async function main(args: string[]): Promise<void> {
  const options = parseCli(args, {
    model: { type: 'string' },
    json: { type: 'boolean' },
    'no-worlds': { type: 'boolean' },
  })
  const chosen = options.model
  const file = chosen ? resolve(chosen) : join(repoRoot, defaultModelCard().onnxFile)
  const bytes = new Uint8Array(readFileSync(file))
  const metadata = readScoringModelMetadata(bytes)
  const problem = featureNameProblems(metadata.featureNames)
  if (problem !== null) {
    throw new Error(`Cannot evaluate ${relative(repoRoot, file)}: the model ${problem}.`)
  }
  progress(
    `evaluating ${metadata.modelVersion} (${relative(repoRoot, file)}) on held-out portfolios${
      options['no-worlds'] ? '' : ' and stress worlds'
    }`,
  )
  const evaluation = await evaluateOnnxModel(bytes, {
    onProgress: progress,
    worlds: !options['no-worlds'],
  })
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
  const worlds = evaluation.worlds
  if (worlds) {
    console.log(
      `\nStress worlds (held out by their parameters; ${worlds.worlds.length} states, every rule, one day in ${STRESS_DAY_STEP}):`,
    )
    console.log(worldsReport(worlds))
    console.log(
      `all rules: MAE ${metrics.worlds_model_mae?.toFixed(5)} vs ${
        metrics.worlds_baseline_mae?.toFixed(5)
      } (ratio ${
        ((metrics.worlds_model_mae ?? 0) / (metrics.worlds_baseline_mae ?? 1)).toFixed(3)
      }, target <= ${MODEL_TARGETS.worldsMaeRatioAtMost}: ${
        met.worldsMae ? 'met' : 'NOT met'
      }; every rule no worse than the estimator: ${
        met.worldsEveryRule ? 'met' : 'NOT met'
      }); coverage80 ${metrics.worlds_coverage80?.toFixed(3)} (target ${
        MODEL_TARGETS.worldsCoverage80Between.join('-')
      }: ${met.worldsCoverage80 ? 'met' : 'NOT met'}), lowest by rule or lag tercile ${
        metrics.worlds_coverage80_min?.toFixed(3)
      } (target >= ${MODEL_TARGETS.worldsCoverage80MinAtLeast}: ${
        met.worldsCoverage80Min ? 'met' : 'NOT met'
      }); false gains ${metrics.worlds_false_gain} (target 0: ${
        met.worldsFalseGain ? 'met' : 'NOT met'
      })`,
    )
  }
  if (options.json) {
    const rounded = Object.fromEntries(
      Object.entries(metrics).map(([key, value]) => [key, Number(value.toPrecision(6))]),
    )
    const reliability = worlds?.reliability.map((bin) => ({
      up_to: bin.upperEdge,
      game_days: bin.gameDays,
      mean_probability: Number(bin.meanProbability.toPrecision(6)),
      share_above_par: Number(bin.shareAbovePar.toPrecision(6)),
    }))
    console.log(
      JSON.stringify({
        ...rounded,
        ...(reliability ? { worlds_above_par_reliability: reliability } : {}),
        model_version: metadata.modelVersion,
      }),
    )
  }
}

await runMain(import.meta.url, main)
