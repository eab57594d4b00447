/**
 * Writes a tree-ensemble regression model as an ONNX `ModelProto`: one graph, one float input
 * `[N, F]`, and one `ai.onnx.ml` `TreeEnsembleRegressor` node per output (each output `[N, 1]`).
 *
 * Only the handful of messages the graph needs are encoded (see onnx.proto field numbers in the
 * constants below). Thresholds, leaf weights and base values are written as float32 attributes,
 * so onnxruntime compares and sums in float32 — the trainer's own prediction mirrors that.
 */
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

const ATTRIBUTE_TYPE = { float: 1, int: 2, string: 3, floats: 6, ints: 7, strings: 8 } as const
const TENSOR_FLOAT = 1

// Field numbers from onnx.proto.
const Model = {
  irVersion: 1,
  producerName: 2,
  producerVersion: 3,
  docString: 6,
  graph: 7,
  opsetImport: 8,
  metadataProps: 14,
}
const OperatorSetId = { domain: 1, version: 2 }
const StringStringEntry = { key: 1, value: 2 }
const Graph = { node: 1, name: 2, input: 11, output: 12 }
const Node = { input: 1, output: 2, name: 3, opType: 4, attribute: 5, domain: 7 }
const Attribute = { name: 1, s: 4, i: 3, floats: 7, ints: 8, strings: 9, type: 20 }
const ValueInfo = { name: 1, type: 2 }
const TypeProto = { tensorType: 1 }
const TensorType = { elemType: 1, shape: 2 }
const TensorShape = { dim: 1 }
const Dimension = { dimValue: 1, dimParam: 2 }

/** Encodes the model; throws when a tree refers to a node or feature that does not exist. */
export function encodeTreeEnsembleModel(spec: TreeEnsembleModelSpec): Uint8Array {
  for (const regressor of spec.regressors) validateRegressor(regressor, spec.featureCount)
  const model = new ProtobufWriter()
  model.int(Model.irVersion, ONNX_IR_VERSION)
  model.string(Model.producerName, spec.producerName)
  model.string(Model.producerVersion, spec.producerVersion)
  if (spec.docString !== undefined) model.string(Model.docString, spec.docString)
  model.message(Model.graph, (graph) => writeGraph(graph, spec))
  model.message(Model.opsetImport, (opset) => {
    opset.string(OperatorSetId.domain, '')
    opset.int(OperatorSetId.version, ONNX_DEFAULT_OPSET)
  })
  model.message(Model.opsetImport, (opset) => {
    opset.string(OperatorSetId.domain, 'ai.onnx.ml')
    opset.int(OperatorSetId.version, ONNX_ML_OPSET)
  })
  for (const [key, value] of Object.entries(spec.metadataProps)) {
    model.message(Model.metadataProps, (entry) => {
      entry.string(StringStringEntry.key, key)
      entry.string(StringStringEntry.value, value)
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
    graph.message(Graph.node, (node) => writeRegressorNode(node, regressor, spec.inputName, index))
  })
  graph.string(Graph.name, spec.graphName)
  graph.message(
    Graph.input,
    (input) => writeFloatMatrixInfo(input, spec.inputName, spec.featureCount),
  )
  for (const regressor of spec.regressors) {
    graph.message(Graph.output, (output) => writeFloatMatrixInfo(output, regressor.outputName, 1))
  }
}

function writeFloatMatrixInfo(info: ProtobufWriter, name: string, columns: number): void {
  info.string(ValueInfo.name, name)
  info.message(ValueInfo.type, (type) => {
    type.message(TypeProto.tensorType, (tensor) => {
      tensor.int(TensorType.elemType, TENSOR_FLOAT)
      tensor.message(TensorType.shape, (shape) => {
        shape.message(TensorShape.dim, (dim) => dim.string(Dimension.dimParam, 'N'))
        shape.message(TensorShape.dim, (dim) => dim.int(Dimension.dimValue, columns))
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
  node.string(Node.input, inputName)
  node.string(Node.output, regressor.outputName)
  node.string(Node.name, `tree_ensemble_${index}_${regressor.outputName}`)
  node.string(Node.opType, 'TreeEnsembleRegressor')
  const attribute = (name: string, type: number, write: (attr: ProtobufWriter) => void) =>
    node.message(Node.attribute, (attr) => {
      attr.string(Attribute.name, name)
      attr.int(Attribute.type, type)
      write(attr)
    })
  const ints = (name: string, values: number[]) =>
    attribute(name, ATTRIBUTE_TYPE.ints, (attr) => attr.packedInts(Attribute.ints, values))
  const floats = (name: string, values: number[]) =>
    attribute(name, ATTRIBUTE_TYPE.floats, (attr) => attr.packedFloats(Attribute.floats, values))
  const text = (name: string, value: string) =>
    attribute(name, ATTRIBUTE_TYPE.string, (attr) => attr.string(Attribute.s, value))

  text('aggregate_function', 'SUM')
  floats('base_values', [regressor.baseValue])
  attribute('n_targets', ATTRIBUTE_TYPE.int, (attr) => attr.int(Attribute.i, 1))
  ints('nodes_falsenodeids', flat.falseNodeIds)
  ints('nodes_featureids', flat.featureIds)
  attribute('nodes_modes', ATTRIBUTE_TYPE.strings, (attr) => {
    for (const mode of flat.modes) attr.string(Attribute.strings, mode)
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
  node.string(Node.domain, 'ai.onnx.ml')
}
