/**
 * Measures the ONNX side of a production-sized model: file size of a 3 x 300-tree, depth-6
 * ensemble over 30 features (every tree complete: the worst case for size), and batched
 * inference time for 20,000 rows with onnxruntime-web in Node, next to the TypeScript predict.
 * Writes the model to `.local/bench-model.onnx` and the rows to `.local/bench-rows.json` so the
 * same batch can be timed in Deno under the Edge Runtime restrictions (the entry prints
 * `inferenceMs`):
 *
 *   npx tsx scripts/bench-onnx-inference.ts [--trees 300] [--depth 6] [--rows 20000]
 *   npx tsx scripts/prepare-function-assets.ts
 *   npx deno run --preload supabase/functions/score-games/edge-runtime-restrictions.ts \
 *     --config supabase/functions/score-games/deno.json --allow-read --no-prompt \
 *     tests/fixtures/edge-runtime-onnx-entry.ts .local/bench-model.onnx \
 *     supabase/functions/score-games/wasm/ort-wasm-simd.wasm < .local/bench-rows.json
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { encodeIntervalModel } from './training/gbm/export-onnx.ts'
import { featureMatrix, type IntervalModel, predictInterval } from './training/gbm/model.ts'
import { createRandom } from './lib/random.ts'
import { randomCompleteEnsemble } from './training/gbm/synthetic.ts'
import { createModelSession, predictBatch } from '../supabase/functions/_shared/onnx/runtime.ts'
import { parseCli } from './lib/cli.ts'
import { progress } from './lib/progress.ts'

const options = parseCli(process.argv.slice(2), {
  trees: { type: 'string' },
  depth: { type: 'string' },
  rows: { type: 'string' },
})
const treeCount = Number(options.trees ?? 300)
const depth = Number(options.depth ?? 6)
const rowCount = Number(options.rows ?? 20_000)
const featureCount = 30
const random = createRandom(2026).float

const ensemble = (baseValue: number) =>
  randomCompleteEnsemble(random, { trees: treeCount, depth, featureCount, baseValue })

const model: IntervalModel = {
  expectedReturn: ensemble(0.7),
  p10: ensemble(0.5),
  p90: ensemble(0.9),
}
const bytes = encodeIntervalModel(model, {
  metadata: {
    featureNames: Array.from({ length: featureCount }, (_, i) => `feature_${i}`),
    featureSetVersion: 'bench',
    modelVersion: 'bench',
    metrics: {},
  },
})
mkdirSync('.local', { recursive: true })
writeFileSync('.local/bench-model.onnx', bytes)
progress(
  `model: 3 x ${treeCount} trees, depth ${depth}: ${(bytes.length / 1_048_576).toFixed(2)} MB`,
)

const rows = new Float32Array(rowCount * featureCount).map(() => random())
writeFileSync('.local/bench-rows.json', JSON.stringify({ rows: Array.from(rows), rowCount }))

let started = performance.now()
const session = await createModelSession(bytes)
progress(`onnxruntime-web session: ${(performance.now() - started).toFixed(0)} ms`)
for (let run = 1; run <= 3; run++) {
  started = performance.now()
  await predictBatch(session, rows, rowCount)
  progress(
    `onnxruntime-web ${rowCount} rows, run ${run}: ${(performance.now() - started).toFixed(0)} ms`,
  )
}
started = performance.now()
predictInterval(model, featureMatrix(rows, featureCount))
progress(`TypeScript predict ${rowCount} rows: ${(performance.now() - started).toFixed(0)} ms`)
