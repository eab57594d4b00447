/**
 * Small hand-built ONNX tree models for the encoder's and both engines' tests: two feature
 * columns, no metadata.
 */
import { encodeTreeEnsembleModel, type TreeEnsembleRegressorSpec } from './encode.ts'
import { MODEL_OUTPUT_NAMES } from '../../../supabase/functions/_shared/onnx/model-io.ts'

/** Encodes a two-column test model with these regressors. */
export function testModelBytes(regressors: TreeEnsembleRegressorSpec[]): Uint8Array {
  return encodeTreeEnsembleModel({
    inputName: 'features',
    featureCount: 2,
    producerName: 'test',
    producerVersion: '0',
    graphName: 'g',
    metadataProps: {},
    regressors,
  })
}

/** A model with only the point-estimate output: not a scoring model (no percentiles). */
export function singleOutputModelBytes(): Uint8Array {
  return testModelBytes([{
    outputName: MODEL_OUTPUT_NAMES.expectedReturn,
    baseValue: 0,
    trees: [{ nodes: [{ kind: 'leaf', weight: 1 }] }],
  }])
}
