import { afterAll, describe, expect, it } from 'vitest'
import { encodeIntervalModel } from '../../../../scripts/training/gbm/export-onnx.ts'
import { trainIntervalModel } from '../../../../scripts/training/gbm/interval.ts'
import type { IntervalModel } from '../../../../scripts/training/gbm/model.ts'
import { createRandom } from '../../../../scripts/lib/random.ts'
import {
  randomCompleteEnsemble,
  syntheticRegressionData,
} from '../../../../scripts/training/gbm/synthetic.ts'
import {
  createModelSession,
  type ModelOutputs,
  type ModelSession,
  predictBatch,
  releaseModelSession,
} from './runtime.ts'
import { singleOutputModelBytes } from '../../../../scripts/training/onnx/test-models.ts'
import {
  loadTreeEnsembleModel,
  predictTreeEnsembles,
  TreeEnsembleModelError,
} from './tree-ensemble.ts'

const metadata = (featureCount: number) => ({
  featureNames: Array.from({ length: featureCount }, (_, i) => `f${i}`),
  featureSetVersion: 'test',
  modelVersion: 'tree-ensemble-test',
  metrics: {},
})

const sessions: ModelSession[] = []
afterAll(async () => {
  for (const session of sessions) await releaseModelSession(session)
})

/** onnxruntime-web's outputs for the same bytes and rows: the reference. */
async function onnxruntimeOutputs(
  bytes: Uint8Array,
  rows: Float32Array,
  rowCount: number,
): Promise<ModelOutputs> {
  const session = await createModelSession(bytes)
  sessions.push(session)
  return await predictBatch(session, rows, rowCount)
}

/** Random rows in [0, 1), some of them exactly on a threshold-like float32 value, some NaN. */
function randomRows(random: () => number, rowCount: number, featureCount: number): Float32Array {
  const rows = new Float32Array(rowCount * featureCount)
  for (let i = 0; i < rows.length; i++) {
    const draw = random()
    rows[i] = draw < 0.02 ? Number.NaN : draw < 0.05 ? Math.fround(0.5) : random()
  }
  return rows
}

function replaceAscii(bytes: Uint8Array, from: string, to: string): Uint8Array {
  expect(to.length).toBe(from.length)
  const text = Array.from(bytes, (byte) => String.fromCharCode(byte)).join('')
  expect(text.includes(from)).toBe(true)
  return Uint8Array.from(text.split(from).join(to), (char) => char.charCodeAt(0))
}

describe('tree-ensemble runtime parity with onnxruntime-web', () => {
  const random = createRandom(17).float
  const trained: IntervalModel = trainIntervalModel(
    syntheticRegressionData({ rows: 3_000, featureCount: 6, noise: 0.3, seed: 1 }),
    { seed: 2, boosting: { trees: 25, maxDepth: 4, learningRate: 0.2, minRowsPerLeaf: 10 } },
  )
  const complete: IntervalModel = {
    expectedReturn: randomCompleteEnsemble(random, { trees: 40, depth: 6, featureCount: 29 }),
    p10: randomCompleteEnsemble(random, { trees: 40, depth: 6, featureCount: 29 }),
    p90: randomCompleteEnsemble(random, { trees: 40, depth: 6, featureCount: 29 }),
  }
  const cases: Array<[string, Uint8Array]> = [
    [
      'a trained model (25 trees of depth 4)',
      encodeIntervalModel(trained, { metadata: metadata(6) }),
    ],
    [
      'complete random trees of depth 6 over 29 features',
      encodeIntervalModel(complete, { metadata: metadata(29) }),
    ],
  ]

  it.each(cases)('gives exactly the same outputs for %s', async (_, bytes) => {
    const model = loadTreeEnsembleModel(bytes)
    const rows = randomRows(random, 2_000, model.featureCount)
    const expected = await onnxruntimeOutputs(bytes, rows, 2_000)
    expect(predictTreeEnsembles(model, rows, 2_000)).toEqual(expected)
  })

  it.each(['BRANCH_GTE', 'BRANCH_NEQ'])('follows onnxruntime for %s branches', async (mode) => {
    const bytes = replaceAscii(cases[0]?.[1] as Uint8Array, 'BRANCH_LEQ', mode)
    const model = loadTreeEnsembleModel(bytes)
    const rows = randomRows(random, 500, model.featureCount)
    expect(predictTreeEnsembles(model, rows, 500)).toEqual(
      await onnxruntimeOutputs(bytes, rows, 500),
    )
  })

  it('scores no rows as empty outputs', () => {
    const model = loadTreeEnsembleModel(cases[0]?.[1] as Uint8Array)
    const outputs = predictTreeEnsembles(model, new Float32Array(0), 0)
    expect(outputs.expectedReturn).toHaveLength(0)
    expect(outputs.p90).toHaveLength(0)
  })
})

describe('tree-ensemble runtime refusals', () => {
  const bytes = encodeIntervalModel(
    trainIntervalModel(
      syntheticRegressionData({ rows: 200, featureCount: 6, noise: 0.3, seed: 1 }),
      { seed: 2, boosting: { trees: 2, maxDepth: 2 } },
    ),
    { metadata: metadata(6) },
  )

  it.each([
    ['bytes that are not ONNX', new TextEncoder().encode('garbage'), /Cannot load model/],
    ['an aggregate other than SUM', replaceAscii(bytes, 'SUM', 'MAX'), /aggregates with MAX/],
    ['a post transform', replaceAscii(bytes, 'NONE', 'LOGI'), /post_transform LOGI/],
    ['an unknown node mode', replaceAscii(bytes, 'BRANCH_LEQ', 'BRANCH_XYZ'), /mode BRANCH_XYZ/],
  ])('refuses %s', (_, model, message) => {
    expect(() => loadTreeEnsembleModel(model)).toThrow(TreeEnsembleModelError)
    expect(() => loadTreeEnsembleModel(model)).toThrow(message)
  })

  it('refuses a model without the three scoring outputs', () => {
    expect(() => loadTreeEnsembleModel(singleOutputModelBytes())).toThrow(
      /outputs expected_return_p10, expected_return_p90 are missing/,
    )
  })

  it('refuses rows that do not match the row count and feature count', () => {
    const model = loadTreeEnsembleModel(bytes)
    expect(() => predictTreeEnsembles(model, new Float32Array(13), 2)).toThrow(
      /13 values are not 2 rows of 6 features/,
    )
  })
})
