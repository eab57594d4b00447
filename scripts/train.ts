/**
 * `npm run train -- [--version gbm-v2] [--seed N] [--out-dir model]`
 *
 * Trains the scoring model on simulated states of the family of worlds (training seeds only),
 * calibrates it on held-out states, evaluates the ONNX model with onnxruntime-web on the held-out
 * portfolios and the stress worlds, and writes `model/<version>.onnx` (metrics in its metadata),
 * the model card `model/<version>.json` and the plot `model/<version>.svg`. Deterministic for a
 * seed: the same options give the same ONNX bytes. Progress on stderr; a one-line summary on
 * stdout.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { sha256Hex } from '../supabase/functions/_shared/run/model-store.ts'
import { repoRoot } from './local-stack/config.ts'
import { parseCli, runMain } from './lib/cli.ts'
import { progress } from './lib/progress.ts'
import { modelCard, targetsMet } from './training/model-card.ts'
import { evaluateOnnxModel, evaluationMetrics } from './evaluation/model-evaluation.ts'
import {
  DEFAULT_TRAINING_CONFIG,
  encodeTrainedModel,
  trainExpectedReturnModel,
} from './training/pipeline.ts'
import { evaluationPlotSvg } from './evaluation/plot.ts'

function gitCommit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim()
  } catch {
    return null
  }
}

async function main(args: string[]): Promise<void> {
  const started = performance.now()
  const options = parseCli(args, {
    version: { type: 'string' },
    seed: { type: 'string' },
    'out-dir': { type: 'string' },
  })
  const seed = options.seed
  const config = {
    ...DEFAULT_TRAINING_CONFIG,
    version: options.version ?? DEFAULT_TRAINING_CONFIG.version,
    seed: seed === undefined ? DEFAULT_TRAINING_CONFIG.seed : Number(seed),
  }
  if (!Number.isInteger(config.seed)) throw new Error(`--seed must be an integer, not ${seed}`)
  if (!/^[A-Za-z0-9._-]+$/.test(config.version)) {
    throw new Error(
      `--version may hold letters, digits, '.', '_' and '-' only, not ${config.version}`,
    )
  }
  const outDir = resolve(options['out-dir'] ?? join(repoRoot, 'model'))

  progress(`training ${config.version} (seed ${config.seed})`)
  const trained = trainExpectedReturnModel(config, progress)
  const trainedAt = new Date().toISOString()

  const evaluationStart = performance.now()
  progress(
    'evaluating the ONNX model on the held-out portfolios and stress worlds (onnxruntime-web)',
  )
  const evaluation = await evaluateOnnxModel(encodeTrainedModel(trained, {}), {
    reference: trained.model,
    onProgress: progress,
  })
  const metrics = evaluationMetrics(evaluation)
  const evaluationSeconds = (performance.now() - evaluationStart) / 1000

  // Same trees, now with the held-out metrics in the metadata.
  const bytes = encodeTrainedModel(trained, metrics)
  mkdirSync(outDir, { recursive: true })
  const onnxPath = join(outDir, `${config.version}.onnx`)
  const plotPath = join(outDir, `${config.version}.svg`)
  const cardPath = join(outDir, `${config.version}.json`)
  writeFileSync(onnxPath, bytes)
  writeFileSync(
    plotPath,
    evaluationPlotSvg(
      evaluation.scored,
      `${config.version}: held-out portfolios of the base world, and stress worlds (held out by ` +
        'their parameters)',
      evaluation.worlds,
    ),
  )
  const card = modelCard({
    trained,
    evaluation,
    metrics,
    onnxFile: relative(repoRoot, onnxPath),
    plotFile: relative(repoRoot, plotPath),
    sha256: await sha256Hex(bytes),
    sizeBytes: bytes.length,
    trainedAt,
    seconds: {
      data: trained.seconds.data,
      boosting: trained.seconds.boosting,
      evaluation: evaluationSeconds,
      total: (performance.now() - started) / 1000,
    },
    commit: gitCommit(),
  })
  writeFileSync(cardPath, `${JSON.stringify(card, null, 2)}\n`)
  progress(
    `wrote ${relative(repoRoot, onnxPath)} (${bytes.length} bytes), ${
      relative(repoRoot, cardPath)
    }, ${relative(repoRoot, plotPath)}`,
  )
  const met = targetsMet(metrics)
  console.log(
    `${config.version}: model MAE ${metrics.model_mae?.toFixed(5)} vs baseline ${
      metrics.baseline_mae?.toFixed(5)
    }, spearman ${metrics.spearman?.toFixed(3)}, coverage80 ${
      metrics.coverage80?.toFixed(3)
    }, parity ${metrics.onnx_max_abs_diff?.toExponential(2)}; stress worlds: MAE ${
      metrics.worlds_model_mae?.toFixed(5)
    } vs ${metrics.worlds_baseline_mae?.toFixed(5)}, coverage80 ${
      metrics.worlds_coverage80?.toFixed(3)
    } (min ${
      metrics.worlds_coverage80_min?.toFixed(3)
    }), false gains ${metrics.worlds_false_gain}; targets met: ${
      Object.entries(met).map(([name, ok]) => `${name} ${ok ? 'yes' : 'NO'}`).join(', ')
    }; ${card.trainingSeconds.total} s`,
  )
}

await runMain(import.meta.url, main)
