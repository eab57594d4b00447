/**
 * Writes a tree-ensemble regression model as an ONNX `ModelProto`: one graph, one float input
 * `[N, F]`, and one `ai.onnx.ml` `TreeEnsembleRegressor` node per output (each output `[N, 1]`).
 *
 * Only the handful of messages the graph needs are encoded (see onnx.proto field numbers in the
 * constants below). Thresholds, leaf weights and base values are written as float32 attributes,
 * so onnxruntime compares and sums in float32 — the trainer's own prediction mirrors that.
 */
import {
  AttributeProto,
  AttributeType,
  DimensionProto,
  GraphProto,
  ModelProto,
  NodeProto,
  OperatorSetIdProto,
  StringStringEntryProto,
  TensorDataType,
  TensorShapeProto,
  TensorTypeProto,
  TypeProto,
  ValueInfoProto,
} from '../../../supabase/functions/_shared/onnx/proto-fields.ts'
import { ProtobufWriter } from '../../../supabase/functions/_shared/onnx/protobuf.ts'

/** An internal node: rows with `features[featureIndex] <= threshold` go to `trueNodeId`. */
export interface TreeBranchNode {
  kind: 'branch'
  featureIndex: number
  /** Compared in float32 by onnxruntime (`BRANCH_LEQ`). */
  threshold: number
  trueNodeId: number
  falseNodeId: number
}

/** A leaf: adds `weight` to the output. */
export interface TreeLeafNode {
  kind: 'leaf'
  weight: number
}

/** One regression tree; node ids are indexes into `nodes`, the root is node 0. */
export interface RegressionTreeSpec {
  nodes: Array<TreeBranchNode | TreeLeafNode>
}

/** One `TreeEnsembleRegressor` node: output = baseValue + sum of the leaf weights reached. */
export interface TreeEnsembleRegressorSpec {
  /** Graph output name, e.g. `expected_return`. */
  outputName: string
  baseValue: number
  trees: RegressionTreeSpec[]
}

/** Everything needed to write a model file. */
export interface TreeEnsembleModelSpec {
  /** Name of the float input `[N, featureCount]`; `features` by convention. */
  inputName: string
  featureCount: number
  regressors: TreeEnsembleRegressorSpec[]
  /** `ModelProto.metadata_props`, in the given order. */
  metadataProps: Record<string, string>
  producerName: string
  producerVersion: string
  graphName: string
  docString?: string
}

/** ONNX IR version 8 (ONNX 1.10+), read by onnxruntime 1.10 and later. */
export const ONNX_IR_VERSION = 8
/** Opset of the `ai.onnx.ml` domain; `TreeEnsembleRegressor` has existed unchanged since v1 (v3 added optional double attributes). */
export const ONNX_ML_OPSET = 3
/** Opset of the default domain (no default-domain operator is used; declared for tools). */
export const ONNX_DEFAULT_OPSET = 13

/** Encodes the model; throws when a tree refers to a node or feature that does not exist. */
export function encodeTreeEnsembleModel(spec: TreeEnsembleModelSpec): Uint8Array {
  for (const regressor of spec.regressors) validateRegressor(regressor, spec.featureCount)
  const model = new ProtobufWriter()
  model.int(ModelProto.irVersion, ONNX_IR_VERSION)
  model.string(ModelProto.producerName, spec.producerName)
  model.string(ModelProto.producerVersion, spec.producerVersion)
  if (spec.docString !== undefined) model.string(ModelProto.docString, spec.docString)
  model.message(ModelProto.graph, (graph) => writeGraph(graph, spec))
  model.message(ModelProto.opsetImport, (opset) => {
    opset.string(OperatorSetIdProto.domain, '')
    opset.int(OperatorSetIdProto.version, ONNX_DEFAULT_OPSET)
  })
  model.message(ModelProto.opsetImport, (opset) => {
    opset.string(OperatorSetIdProto.domain, 'ai.onnx.ml')
    opset.int(OperatorSetIdProto.version, ONNX_ML_OPSET)
  })
  for (const [key, value] of Object.entries(spec.metadataProps)) {
    model.message(ModelProto.metadataProps, (entry) => {
      entry.string(StringStringEntryProto.key, key)
      entry.string(StringStringEntryProto.value, value)
    })
  }
  return model.finish()
}

function validateRegressor(regressor: TreeEnsembleRegressorSpec, featureCount: number): void {
  regressor.trees.forEach((tree, treeIndex) => {
    if (tree.nodes.length === 0) {
      throw new RangeError(`Cannot encode ${regressor.outputName}: tree ${treeIndex} has no nodes`)
    }
    tree.nodes.forEach((node, nodeId) => {
      if (node.kind === 'leaf') return
      const where = `${regressor.outputName}: tree ${treeIndex} node ${nodeId}`
      if (
        !Number.isInteger(node.featureIndex) || node.featureIndex < 0 ||
        node.featureIndex >= featureCount
      ) {
        throw new RangeError(`Cannot encode ${where}: feature ${node.featureIndex} out of range`)
      }
      for (const child of [node.trueNodeId, node.falseNodeId]) {
        if (!Number.isInteger(child) || child <= nodeId || child >= tree.nodes.length) {
          throw new RangeError(`Cannot encode ${where}: child ${child} is not a later node`)
        }
      }
    })
  })
}

function writeGraph(graph: ProtobufWriter, spec: TreeEnsembleModelSpec): void {
  spec.regressors.forEach((regressor, index) => {
    graph.message(
      GraphProto.node,
      (node) => writeRegressorNode(node, regressor, spec.inputName, index),
    )
  })
  graph.string(GraphProto.name, spec.graphName)
  graph.message(
    GraphProto.input,
    (input) => writeFloatMatrixInfo(input, spec.inputName, spec.featureCount),
  )
  for (const regressor of spec.regressors) {
    graph.message(
      GraphProto.output,
      (output) => writeFloatMatrixInfo(output, regressor.outputName, 1),
    )
  }
}

function writeFloatMatrixInfo(info: ProtobufWriter, name: string, columns: number): void {
  info.string(ValueInfoProto.name, name)
  info.message(ValueInfoProto.type, (type) => {
    type.message(TypeProto.tensorType, (tensor) => {
      tensor.int(TensorTypeProto.elemType, TensorDataType.float)
      tensor.message(TensorTypeProto.shape, (shape) => {
        shape.message(TensorShapeProto.dim, (dim) => dim.string(DimensionProto.dimParam, 'N'))
        shape.message(TensorShapeProto.dim, (dim) => dim.int(DimensionProto.dimValue, columns))
      })
    })
  })
}

/** Flattened `TreeEnsembleRegressor` attribute arrays. */
interface FlatTreeEnsemble {
  treeIds: number[]
  nodeIds: number[]
  featureIds: number[]
  modes: string[]
  values: number[]
  trueNodeIds: number[]
  falseNodeIds: number[]
  targetTreeIds: number[]
  targetNodeIds: number[]
  targetWeights: number[]
}

function flattenTrees(trees: RegressionTreeSpec[]): FlatTreeEnsemble {
  const flat: FlatTreeEnsemble = {
    treeIds: [],
    nodeIds: [],
    featureIds: [],
    modes: [],
    values: [],
    trueNodeIds: [],
    falseNodeIds: [],
    targetTreeIds: [],
    targetNodeIds: [],
    targetWeights: [],
  }
  trees.forEach((tree, treeId) => {
    tree.nodes.forEach((node, nodeId) => {
      flat.treeIds.push(treeId)
      flat.nodeIds.push(nodeId)
      if (node.kind === 'branch') {
        flat.featureIds.push(node.featureIndex)
        flat.modes.push('BRANCH_LEQ')
        flat.values.push(node.threshold)
        flat.trueNodeIds.push(node.trueNodeId)
        flat.falseNodeIds.push(node.falseNodeId)
      } else {
        flat.featureIds.push(0)
        flat.modes.push('LEAF')
        flat.values.push(0)
        flat.trueNodeIds.push(0)
        flat.falseNodeIds.push(0)
        flat.targetTreeIds.push(treeId)
        flat.targetNodeIds.push(nodeId)
        flat.targetWeights.push(node.weight)
      }
    })
  })
  return flat
}

function writeRegressorNode(
  node: ProtobufWriter,
  regressor: TreeEnsembleRegressorSpec,
  inputName: string,
  index: number,
): void {
  const flat = flattenTrees(regressor.trees)
  node.string(NodeProto.input, inputName)
  node.string(NodeProto.output, regressor.outputName)
  node.string(NodeProto.name, `tree_ensemble_${index}_${regressor.outputName}`)
  node.string(NodeProto.opType, 'TreeEnsembleRegressor')
  const attribute = (name: string, type: number, write: (attr: ProtobufWriter) => void) =>
    node.message(NodeProto.attribute, (attr) => {
      attr.string(AttributeProto.name, name)
      attr.int(AttributeProto.type, type)
      write(attr)
    })
  const ints = (name: string, values: number[]) =>
    attribute(name, AttributeType.ints, (attr) => attr.packedInts(AttributeProto.ints, values))
  const floats = (name: string, values: number[]) =>
    attribute(
      name,
      AttributeType.floats,
      (attr) => attr.packedFloats(AttributeProto.floats, values),
    )
  const text = (name: string, value: string) =>
    attribute(name, AttributeType.string, (attr) => attr.string(AttributeProto.s, value))

  text('aggregate_function', 'SUM')
  floats('base_values', [regressor.baseValue])
  attribute('n_targets', AttributeType.int, (attr) => attr.int(AttributeProto.i, 1))
  ints('nodes_falsenodeids', flat.falseNodeIds)
  ints('nodes_featureids', flat.featureIds)
  attribute('nodes_modes', AttributeType.strings, (attr) => {
    for (const mode of flat.modes) attr.string(AttributeProto.strings, mode)
  })
  ints('nodes_nodeids', flat.nodeIds)
  ints('nodes_treeids', flat.treeIds)
  ints('nodes_truenodeids', flat.trueNodeIds)
  floats('nodes_values', flat.values)
  text('post_transform', 'NONE')
  ints('target_ids', new Array<number>(flat.targetNodeIds.length).fill(0))
  ints('target_nodeids', flat.targetNodeIds)
  ints('target_treeids', flat.targetTreeIds)
  floats('target_weights', flat.targetWeights)
  node.string(NodeProto.domain, 'ai.onnx.ml')
}
