/**
 * Reads the tree ensembles back out of a scoring model's ONNX bytes, so the trainer's own
 * TypeScript prediction (`predictTrees`) can be compared with onnxruntime's on any model file —
 * the parity check of `npm run evaluate -- --model <file>`.
 */
import type { GradientBoostedTrees, IntervalModel, RegressionTree } from '../gbm/model.ts'
import { MODEL_OUTPUT_NAMES } from '../../../supabase/functions/_shared/onnx/model-io.ts'
import {
  AttributeProto,
  GraphProto,
  ModelProto,
  NodeProto,
} from '../../../supabase/functions/_shared/onnx/proto-fields.ts'
import { readProtobufFields, WireType } from '../../../supabase/functions/_shared/onnx/protobuf.ts'

interface RawAttributes {
  ints: Map<string, number[]>
  floats: Map<string, number[]>
  strings: Map<string, string[]>
}

function packedVarints(bytes: Uint8Array): number[] {
  const values: number[] = []
  let value = 0
  let multiplier = 1
  for (const byte of bytes) {
    value += (byte & 0x7f) * multiplier
    if (byte < 0x80) {
      values.push(value)
      value = 0
      multiplier = 1
    } else {
      multiplier *= 0x80
    }
  }
  return values
}

function packedFloats(bytes: Uint8Array): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  return Array.from({ length: bytes.byteLength / 4 }, (_, i) => view.getFloat32(i * 4, true))
}

function readAttributes(node: Uint8Array, decoder: TextDecoder) {
  const attributes: RawAttributes = { ints: new Map(), floats: new Map(), strings: new Map() }
  let output = ''
  let opType = ''
  for (const field of readProtobufFields(node)) {
    if (field.wireType !== WireType.lengthDelimited) continue
    if (field.field === NodeProto.output) output = decoder.decode(field.bytesValue)
    if (field.field === NodeProto.opType) opType = decoder.decode(field.bytesValue)
    if (field.field !== NodeProto.attribute) continue
    let name = ''
    const ints: number[] = []
    const floats: number[] = []
    const strings: string[] = []
    for (const part of readProtobufFields(field.bytesValue)) {
      if (part.field === AttributeProto.name) name = decoder.decode(part.bytesValue)
      else if (part.field === AttributeProto.ints && part.wireType === WireType.lengthDelimited) {
        ints.push(...packedVarints(part.bytesValue))
      } else if (part.field === AttributeProto.ints && part.wireType === WireType.varint) {
        ints.push(part.numberValue)
      } else if (
        part.field === AttributeProto.floats && part.wireType === WireType.lengthDelimited
      ) {
        floats.push(...packedFloats(part.bytesValue))
      } else if (part.field === AttributeProto.strings) {
        strings.push(decoder.decode(part.bytesValue))
      }
    }
    attributes.ints.set(name, ints)
    attributes.floats.set(name, floats)
    attributes.strings.set(name, strings)
  }
  return { output, opType, attributes }
}

function ensembleFrom(attributes: RawAttributes, featureCount: number): GradientBoostedTrees {
  const required = <T>(map: Map<string, T[]>, name: string): T[] => {
    const values = map.get(name)
    if (!values) throw new Error(`Cannot read tree ensemble: attribute ${name} is missing`)
    return values
  }
  const treeIds = required(attributes.ints, 'nodes_treeids')
  const nodeIds = required(attributes.ints, 'nodes_nodeids')
  const featureIds = required(attributes.ints, 'nodes_featureids')
  const modes = required(attributes.strings, 'nodes_modes')
  const thresholds = required(attributes.floats, 'nodes_values')
  const trueIds = required(attributes.ints, 'nodes_truenodeids')
  const falseIds = required(attributes.ints, 'nodes_falsenodeids')
  const targetTrees = required(attributes.ints, 'target_treeids')
  const targetNodes = required(attributes.ints, 'target_nodeids')
  const targetWeights = required(attributes.floats, 'target_weights')
  const trees: RegressionTree[] = []
  const treeOf = (id: number): RegressionTree => {
    while (trees.length <= id) {
      trees.push({ featureIndex: [], threshold: [], trueChild: [], falseChild: [], leafValue: [] })
    }
    return trees[id] as RegressionTree
  }
  treeIds.forEach((treeId, i) => {
    const tree = treeOf(treeId)
    const node = nodeIds[i] as number
    const leaf = modes[i] === 'LEAF'
    tree.featureIndex[node] = leaf ? -1 : featureIds[i] as number
    tree.threshold[node] = leaf ? 0 : thresholds[i] as number
    tree.trueChild[node] = leaf ? -1 : trueIds[i] as number
    tree.falseChild[node] = leaf ? -1 : falseIds[i] as number
    tree.leafValue[node] = 0
  })
  targetTrees.forEach((treeId, i) => {
    treeOf(treeId).leafValue[targetNodes[i] as number] = targetWeights[i] as number
  })
  return {
    loss: { kind: 'squared_error' },
    featureCount,
    baseValue: attributes.floats.get('base_values')?.[0] ?? 0,
    trees,
  }
}

/**
 * The three ensembles of a scoring model (expected return, p10, p90) as the trainer's own
 * structures. Throws when an output's `TreeEnsembleRegressor` is missing.
 */
export function readIntervalModelFromOnnx(bytes: Uint8Array, featureCount: number): IntervalModel {
  const decoder = new TextDecoder()
  const ensembles = new Map<string, GradientBoostedTrees>()
  for (const field of readProtobufFields(bytes)) {
    if (field.field !== ModelProto.graph || field.wireType !== WireType.lengthDelimited) continue
    for (const graphField of readProtobufFields(field.bytesValue)) {
      if (graphField.field !== GraphProto.node) continue
      const node = readAttributes(graphField.bytesValue, decoder)
      if (node.opType !== 'TreeEnsembleRegressor') continue
      ensembles.set(node.output, ensembleFrom(node.attributes, featureCount))
    }
  }
  const ensemble = (name: string): GradientBoostedTrees => {
    const found = ensembles.get(name)
    if (!found) throw new Error(`Cannot read model: no tree ensemble writes ${name}`)
    return found
  }
  return {
    expectedReturn: ensemble(MODEL_OUTPUT_NAMES.expectedReturn),
    p10: ensemble(MODEL_OUTPUT_NAMES.p10),
    p90: ensemble(MODEL_OUTPUT_NAMES.p90),
  }
}
