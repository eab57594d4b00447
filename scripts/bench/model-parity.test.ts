/**
 * The function scores with its own tree-ensemble runtime (`_shared/onnx/tree-ensemble.ts`), not
 * onnxruntime-web: for every committed model file (the test fixture and `model/*.onnx`) both
 * must give exactly the same outputs.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createRandom } from '../lib/random.ts'
import {
  createModelSession,
  type ModelSession,
  predictBatch,
  releaseModelSession,
} from '../../supabase/functions/_shared/onnx/runtime.ts'
import {
  loadTreeEnsembleModel,
  predictTreeEnsembles,
} from '../../supabase/functions/_shared/onnx/tree-ensemble.ts'
import { repoRoot } from '../local-stack/config.ts'

const modelDir = join(repoRoot, 'model')
const files = [
  join('tests', 'fixtures', 'tiny-model.onnx'),
  ...(existsSync(modelDir)
    ? readdirSync(modelDir).filter((name) => name.endsWith('.onnx')).map((name) =>
      join('model', name)
    )
    : []),
]

const sessions: ModelSession[] = []
afterAll(async () => {
  for (const session of sessions) await releaseModelSession(session)
})

describe('committed models: tree-ensemble runtime = onnxruntime-web', () => {
  it.each(files)('%s', async (file) => {
    const bytes = new Uint8Array(readFileSync(join(repoRoot, file)))
    const model = loadTreeEnsembleModel(bytes)
    const random = createRandom(3).float
    const rowCount = 1_000
    // Feature-like values: mostly in [0, 1], some large, some -1 (the features' "unknown").
    const rows = Float32Array.from(
      { length: rowCount * model.featureCount },
      () => {
        const draw = random()
        return draw < 0.1 ? -1 : draw < 0.2 ? random() * 1_000 : random()
      },
    )
    const session = await createModelSession(bytes)
    sessions.push(session)
    expect(predictTreeEnsembles(model, rows, rowCount)).toEqual(
      await predictBatch(session, rows, rowCount),
    )
  })
})
