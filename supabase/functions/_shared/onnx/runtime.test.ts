import { afterAll, describe, expect, it } from 'vitest'
import { encodeIntervalModel } from '../../../../scripts/training/gbm/export-onnx.ts'
import { trainIntervalModel } from '../../../../scripts/training/gbm/interval.ts'
import {
  featureMatrix,
  type IntervalModel,
  predictInterval,
} from '../../../../scripts/training/gbm/model.ts'
import { syntheticRegressionData } from '../../../../scripts/training/gbm/synthetic.ts'
import { MODEL_OUTPUT_NAMES } from './model-io.ts'
import {
  singleOutputModelBytes,
  testModelBytes,
} from '../../../../scripts/training/onnx/test-models.ts'
import {
  createModelSession,
  ModelRuntimeError,
  type ModelSession,
  predictBatch,
  releaseModelSession,
} from './runtime.ts'

const featureNames = ['f0', 'f1', 'f2', 'f3', 'f4', 'f5']
const metadata = {
  featureNames,
  featureSetVersion: 'test',
  modelVersion: 'runtime-test',
  metrics: {},
}
const sessions: ModelSession[] = []
afterAll(async () => {
  for (const session of sessions) await releaseModelSession(session)
})

async function sessionOf(bytes: Uint8Array): Promise<ModelSession> {
  const session = await createModelSession(bytes)
  sessions.push(session)
  return session
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length)
  let worst = 0
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!))
  return worst
}

describe('onnxruntime-web parity with the TypeScript prediction', () => {
  const model: IntervalModel = trainIntervalModel(
    syntheticRegressionData({ rows: 3_000, featureCount: 6, noise: 0.3, seed: 1 }),
    { seed: 2, boosting: { trees: 25, maxDepth: 4, learningRate: 0.2, minRowsPerLeaf: 10 } },
  )
  const bytes = encodeIntervalModel(model, { metadata })

  it('predicts the same values for 1,000 rows (within 1e-5)', async () => {
    const session = await sessionOf(bytes)
    expect(session.featureCount).toBe(6)
    const rows = syntheticRegressionData({ rows: 1_000, featureCount: 6, noise: 0, seed: 3 })
    const outputs = await predictBatch(session, rows.features.values, 1_000)
    const expected = predictInterval(model, rows.features)
    expect(maxAbsDiff(outputs.expectedReturn, expected.expectedReturn)).toBeLessThan(1e-5)
    expect(maxAbsDiff(outputs.p10, expected.p10)).toBeLessThan(1e-5)
    expect(maxAbsDiff(outputs.p90, expected.p90)).toBeLessThan(1e-5)
  })

  it('sends values equal to a threshold to the true branch and NaN to the false branch', async () => {
    const threshold = Math.fround(0.1)
    const tree = {
      nodes: [
        { kind: 'branch', featureIndex: 1, threshold, trueNodeId: 1, falseNodeId: 2 },
        { kind: 'leaf', weight: 1 },
        { kind: 'leaf', weight: 2 },
      ],
    } as const
    const regressor = (outputName: string) => ({
      outputName,
      baseValue: 0.5,
      trees: [{ nodes: [...tree.nodes] }],
    })
    const session = await sessionOf(
      testModelBytes(Object.values(MODEL_OUTPUT_NAMES).map(regressor)),
    )
    const inputs = [0.1, 0.10000001, -5, Number.NaN, threshold]
    const rows = Float32Array.from(inputs.flatMap((x) => [0, x]))
    const { expectedReturn } = await predictBatch(session, rows, inputs.length)
    expect(Array.from(expectedReturn)).toEqual([1.5, 2.5, 1.5, 2.5, 1.5])
  })
})

describe('runtime errors', () => {
  it('rejects bytes that are not an ONNX model', async () => {
    await expect(createModelSession(new TextEncoder().encode('garbage'))).rejects.toThrow(
      ModelRuntimeError,
    )
  })

  it('rejects a model without the three scoring outputs', async () => {
    await expect(createModelSession(singleOutputModelBytes())).rejects.toThrow(
      /outputs expected_return_p10, expected_return_p90 are missing/,
    )
  })

  it('rejects rows that do not match the row count and feature count', async () => {
    const model = trainIntervalModel(
      syntheticRegressionData({ rows: 200, featureCount: 6, noise: 0.3, seed: 1 }),
      { seed: 2, boosting: { trees: 2, maxDepth: 2 } },
    )
    const session = await sessionOf(encodeIntervalModel(model, { metadata }))
    await expect(predictBatch(session, new Float32Array(13), 2)).rejects.toThrow(
      /13 values are not 2 rows of 6 features/,
    )
    const empty = await predictBatch(session, new Float32Array(0), 0)
    expect(empty.expectedReturn).toHaveLength(0)
    expect(featureMatrix(new Float32Array(12), 6).rowCount).toBe(2)
  })
})
