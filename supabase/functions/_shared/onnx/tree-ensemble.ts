/**
 * Runs a scoring model's ONNX graph in plain TypeScript: every node an `ai.onnx.ml`
 * `TreeEnsembleRegressor` (the only operator the exporter writes) reading the float input
 * `features` [N, F] and writing one of the three outputs [N, 1].
 *
 * Why not onnxruntime-web here: its single-threaded wasm is 10 MB, and creating the first session
 * compiles much of it (lazily, on first call) while registering every operator: about 1.3 s of
 * CPU and 330 MB of peak RSS before one row is scored, whatever V8's wasm flags (see
 * docs/benchmarks.md). The tree ensembles themselves are small; evaluated here from typed arrays
 * they load in milliseconds and score 5,000 rows about as fast as onnxruntime does. The semantics
 * follow onnxruntime's `TreeEnsembleRegressor` for float attributes: float32 compares, the
 * trees' leaf weights summed in float32 in tree order, then the base value added; tests check
 * parity with onnxruntime-web. Anything else in a graph (another operator, an aggregate other
 * than SUM, a post transform, several targets) is refused when the model loads.
 */
import { scoringInputColumns } from './metadata.ts'
import { MODEL_INPUT_NAME, MODEL_OUTPUT_NAMES } from './model-io.ts'
import { AttributeProto, GraphProto, ModelProto, NodeProto } from './proto-fields.ts'
import { ProtobufReader, readProtobufFields, WireType } from './protobuf.ts'
import type { ModelOutputs } from './runtime.ts'

/** Why a model cannot be loaded or run. */
export class TreeEnsembleModelError extends Error {
  override name = 'TreeEnsembleModelError'
}

/** How a branch node compares the feature value `x` with its threshold `t`. */
const BRANCH_MODES = [
  'BRANCH_LEQ',
  'BRANCH_LT',
  'BRANCH_GTE',
  'BRANCH_GT',
  'BRANCH_EQ',
  'BRANCH_NEQ',
]
const LEAF = 255
const MODE_NAMES = [...BRANCH_MODES, 'LEAF'].map((name) => new TextEncoder().encode(name))
const MODE_CODES = [...BRANCH_MODES.map((_, code) => code), LEAF]

/** The code of the node mode in `bytes[start, end)` (UTF-8), or -1 when it is not one. */
function modeCode(bytes: Uint8Array, start: number, end: number): number {
  // Indexed loops: this runs once per node (tens of thousands), destructuring would allocate.
  for (let m = 0; m < MODE_NAMES.length; m++) {
    const name = MODE_NAMES[m] as Uint8Array
    if (name.length !== end - start) continue
    let same = true
    for (let i = 0; i < name.length && same; i++) same = name[i] === bytes[start + i]
    if (same) return MODE_CODES[m] as number
  }
  return -1
}

/** One regressor's trees as flat typed arrays; node indices are positions in these arrays. */
interface CompiledEnsemble {
  /**
   * Index of each tree's root, in tree order. Nodes are laid out anew so that a branch's false
   * child directly follows its true child: one child index per node, fewer memory reads.
   */
  roots: Int32Array
  /** Feature read by a branch node; -1 for a leaf. */
  feature: Int32Array
  /** A branch's threshold, or a leaf's weight (float32 both). */
  value: Float32Array
  /** A branch's true child; its false child is the next node. */
  trueChild: Int32Array
  /** Index into {@link BRANCH_MODES} (0 for leaves). */
  mode: Uint8Array
  /** 1 when a missing (NaN) value goes to the true child. */
  missingTrue: Uint8Array
  baseValue: number
  /** Every branch is BRANCH_LEQ with no missing-value tracks: the fast loop applies. */
  allLeq: boolean
}

/** A scoring model ready for {@link predictTreeEnsembles}. */
export interface TreeEnsembleModel {
  /** Columns per input row, from the graph's input shape. */
  featureCount: number
  expectedReturn: CompiledEnsemble
  p10: CompiledEnsemble
  p90: CompiledEnsemble
}

interface RawNode {
  opType: string
  domain: string
  inputs: string[]
  outputs: string[]
  ints: Map<string, ArrayLike<number>>
  floats: Map<string, Float32Array>
  strings: Map<string, StringList>
}

/**
 * Repeated strings left as UTF-8 spans of the attribute's bytes (`[start, end)` pairs):
 * `nodes_modes` repeats a few names hundreds of thousands of times.
 */
interface StringList {
  bytes: Uint8Array
  spans: number[]
}

function stringAt(list: StringList, index: number): string {
  return new TextDecoder().decode(
    list.bytes.subarray(list.spans[2 * index] as number, list.spans[2 * index + 1] as number),
  )
}

function packedVarints(bytes: Uint8Array): Float64Array {
  let count = 0
  for (let i = 0; i < bytes.length; i++) if ((bytes[i] as number) < 0x80) count++
  const values = new Float64Array(count)
  let value = 0
  let multiplier = 1
  let next = 0
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] as number
    if (byte < 0x80) {
      value += byte * multiplier
      // int64 two's complement: negative values arrive as 2^64 - |v|.
      values[next++] = value >= 2 ** 63 ? value - 2 ** 64 : value
      value = 0
      multiplier = 1
    } else {
      value += (byte & 0x7f) * multiplier
      multiplier *= 0x80
    }
  }
  return values
}

function packedFloats(bytes: Uint8Array): Float32Array {
  const values = new Float32Array(bytes.byteLength / 4)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  for (let i = 0; i < values.length; i++) values[i] = view.getFloat32(i * 4, true)
  return values
}

function readNode(bytes: Uint8Array, decoder: TextDecoder): RawNode {
  const node: RawNode = {
    opType: '',
    domain: '',
    inputs: [],
    outputs: [],
    ints: new Map(),
    floats: new Map(),
    strings: new Map(),
  }
  for (const field of readProtobufFields(bytes)) {
    if (field.wireType !== WireType.lengthDelimited) continue
    const decode = () => decoder.decode(field.bytesValue)
    if (field.field === NodeProto.input) node.inputs.push(decode())
    else if (field.field === NodeProto.output) node.outputs.push(decode())
    else if (field.field === NodeProto.opType) node.opType = decode()
    else if (field.field === NodeProto.domain) node.domain = decode()
    else if (field.field === NodeProto.attribute) readAttribute(field.bytesValue, node, decoder)
  }
  return node
}

function readAttribute(bytes: Uint8Array, node: RawNode, decoder: TextDecoder): void {
  let name = ''
  const ints: Float64Array[] = []
  const floats: Float32Array[] = []
  const strings: StringList = { bytes, spans: [] }
  // A field loop without a generator: one attribute may hold hundreds of thousands of strings.
  const reader = new ProtobufReader(bytes)
  while (!reader.atEnd) {
    const tag = reader.varint()
    const field = Math.floor(tag / 8)
    const wireType = tag % 8
    if (wireType === WireType.varint) {
      const value = reader.varint()
      if (field === AttributeProto.i || field === AttributeProto.ints) {
        ints.push(Float64Array.of(value))
      }
      continue
    }
    const start = reader.skipValue(field, wireType)
    const end = reader.offset
    if (field === AttributeProto.name) name = decoder.decode(bytes.subarray(start, end))
    else if (field === AttributeProto.ints && wireType === WireType.lengthDelimited) {
      ints.push(packedVarints(bytes.subarray(start, end)))
    } else if (
      (field === AttributeProto.f || field === AttributeProto.floats) &&
      (wireType === WireType.fixed32 || wireType === WireType.lengthDelimited)
    ) {
      floats.push(packedFloats(bytes.subarray(start, end)))
    } else if (
      (field === AttributeProto.s || field === AttributeProto.strings) &&
      wireType === WireType.lengthDelimited
    ) {
      strings.spans.push(start, end)
    }
  }
  if (ints.length > 0) node.ints.set(name, joined(ints, (length) => new Float64Array(length)))
  if (floats.length > 0) node.floats.set(name, joined(floats, (length) => new Float32Array(length)))
  if (strings.spans.length > 0) node.strings.set(name, strings)
}

function joined<T extends Float64Array | Float32Array>(
  parts: T[],
  create: (length: number) => T,
): T {
  if (parts.length === 1) return parts[0] as T
  const whole = create(parts.reduce((sum, part) => sum + part.length, 0))
  let offset = 0
  for (const part of parts) {
    whole.set(part, offset)
    offset += part.length
  }
  return whole
}

function refuse(output: string, problem: string): never {
  throw new TreeEnsembleModelError(`Cannot load model: ${output} ${problem}`)
}

/** Turns one `TreeEnsembleRegressor` node into flat arrays, checking what it relies on. */
function compileEnsemble(node: RawNode, featureCount: number): CompiledEnsemble {
  const output = node.outputs[0] ?? '(unnamed output)'
  const ints = (name: string): ArrayLike<number> => node.ints.get(name) ?? []
  const text = (name: string, fallback: string) => {
    const list = node.strings.get(name)
    return list === undefined ? fallback : stringAt(list, 0)
  }
  const aggregate = text('aggregate_function', 'SUM')
  const postTransform = text('post_transform', 'NONE')
  if (aggregate !== 'SUM') refuse(output, `aggregates with ${aggregate}, not SUM`)
  if (postTransform !== 'NONE') refuse(output, `has post_transform ${postTransform}`)
  if ((ints('n_targets')[0] ?? 1) !== 1) refuse(output, 'has more than one target')
  for (
    const name of ['nodes_values_as_tensor', 'target_weights_as_tensor', 'base_values_as_tensor']
  ) {
    if (node.floats.has(name) || node.ints.has(name)) refuse(output, `uses ${name}`)
  }
  const treeIds = ints('nodes_treeids')
  const nodeIds = ints('nodes_nodeids')
  const featureIds = ints('nodes_featureids')
  const modes = node.strings.get('nodes_modes') ?? { bytes: new Uint8Array(), spans: [] }
  const values = node.floats.get('nodes_values') ?? new Float32Array()
  const trueIds = ints('nodes_truenodeids')
  const falseIds = ints('nodes_falsenodeids')
  const missingTracks = ints('nodes_missing_value_tracks_true')
  const count = treeIds.length
  for (
    const [name, length] of [
      ['nodes_nodeids', nodeIds.length],
      ['nodes_featureids', featureIds.length],
      ['nodes_modes', modes.spans.length / 2],
      ['nodes_values', values.length],
      ['nodes_truenodeids', trueIds.length],
      ['nodes_falsenodeids', falseIds.length],
    ] as const
  ) {
    if (length !== count) refuse(output, `has ${length} ${name} for ${count} nodes`)
  }
  if (missingTracks.length !== 0 && missingTracks.length !== count) {
    refuse(output, 'has a partial nodes_missing_value_tracks_true')
  }
  if (count === 0) refuse(output, 'has no trees')

  // Node (tree, id) -> position. Exporters write each tree's nodes together with ids 0, 1, ...:
  // then the position is the tree's first position plus the id; otherwise a map finds it.
  const treeStart = new Map<number, number>()
  const treeSize = new Map<number, number>()
  const treeOrder: number[] = []
  let contiguous = true
  let segmentStart = 0
  for (let i = 0; i <= count; i++) {
    if (i < count && treeIds[i] === treeIds[segmentStart]) {
      if (nodeIds[i] !== i - segmentStart) contiguous = false
      continue
    }
    const tree = treeIds[segmentStart] as number
    if (treeStart.has(tree)) contiguous = false
    else {
      treeStart.set(tree, segmentStart)
      treeOrder.push(tree)
    }
    treeSize.set(tree, (treeSize.get(tree) ?? 0) + i - segmentStart)
    segmentStart = i
    if (i < count && nodeIds[i] !== 0) contiguous = false
  }
  let indexOf: (tree: number, id: number) => number | undefined
  if (contiguous) {
    indexOf = (tree, id) => {
      const start = treeStart.get(tree)
      const size = treeSize.get(tree) ?? 0
      return start !== undefined && Number.isInteger(id) && id >= 0 && id < size
        ? start + id
        : undefined
    }
  } else {
    const positions = new Map<string, number>()
    for (let i = 0; i < count; i++) {
      const key = `${treeIds[i]}/${nodeIds[i]}`
      if (positions.has(key)) refuse(output, `has node ${key} twice`)
      positions.set(key, i)
    }
    indexOf = (tree, id) => positions.get(`${tree}/${id}`)
  }
  const feature = new Int32Array(count)
  const mode = new Uint8Array(count)
  const trueChild = new Int32Array(count).fill(-1)
  const falseChild = new Int32Array(count).fill(-1)
  const missingTrue = new Uint8Array(count)
  const isChild = new Uint8Array(count)
  let allLeq = true
  for (let i = 0; i < count; i++) {
    const modeIndex = modeCode(
      modes.bytes,
      modes.spans[2 * i] as number,
      modes.spans[2 * i + 1] as number,
    )
    if (modeIndex === LEAF) {
      mode[i] = LEAF
      continue
    }
    if (modeIndex < 0) {
      refuse(output, `has node mode ${stringAt(modes, i)}`)
    }
    mode[i] = modeIndex
    const featureIndex = featureIds[i] as number
    if (!(featureIndex >= 0 && featureIndex < featureCount)) {
      refuse(output, `reads feature ${featureIndex} of ${featureCount}`)
    }
    feature[i] = featureIndex
    const child = (id: number) => {
      const index = indexOf(treeIds[i] as number, id)
      if (index === undefined) refuse(output, `has a branch to missing node ${treeIds[i]}/${id}`)
      // One parent per node: with one root per tree, no branch can loop back.
      if (isChild[index] === 1) refuse(output, `has node ${treeIds[i]}/${id} with two parents`)
      isChild[index] = 1
      return index
    }
    trueChild[i] = child(trueIds[i] as number)
    falseChild[i] = child(falseIds[i] as number)
    missingTrue[i] = missingTracks[i] === 1 ? 1 : 0
    if (modeIndex !== 0 || missingTrue[i] === 1) allLeq = false
  }
  const rootOf = new Map<number, number>()
  for (let i = 0; i < count; i++) {
    if (isChild[i] === 1) continue
    const tree = treeIds[i] as number
    if (rootOf.has(tree)) refuse(output, `has tree ${tree} with more than one root`)
    rootOf.set(tree, i)
  }
  const roots = Int32Array.from(treeOrder, (tree) => {
    const root = rootOf.get(tree)
    if (root === undefined) refuse(output, `has tree ${tree} without a root`)
    return root
  })

  const weight = new Float32Array(count)
  const hasWeight = new Uint8Array(count)
  const targetTrees = ints('target_treeids')
  const targetNodes = ints('target_nodeids')
  const targetIds = ints('target_ids')
  const weights = node.floats.get('target_weights') ?? new Float32Array()
  if (
    targetNodes.length !== targetTrees.length || targetIds.length !== targetTrees.length ||
    weights.length !== targetTrees.length
  ) {
    refuse(output, 'has target attributes of different lengths')
  }
  for (let k = 0; k < targetTrees.length; k++) {
    if (targetIds[k] !== 0) refuse(output, `has a weight for target ${targetIds[k]}`)
    const index = indexOf(targetTrees[k] as number, targetNodes[k] as number)
    if (index === undefined || mode[index] !== LEAF) {
      refuse(output, `has a weight for ${targetTrees[k]}/${targetNodes[k]}, not a leaf`)
    }
    if (hasWeight[index] === 1) refuse(output, `has leaf ${targetTrees[k]}/${targetNodes[k]} twice`)
    hasWeight[index] = 1
    weight[index] = weights[k] as number
  }
  const base = node.floats.get('base_values')
  if (base !== undefined && base.length !== 1) refuse(output, 'has more than one base value')

  // Lay the trees out anew, breadth first, each branch's two children side by side.
  const laidFeature = new Int32Array(count)
  const laidValue = new Float32Array(count)
  const laidTrue = new Int32Array(count)
  const laidMode = new Uint8Array(count)
  const laidMissing = new Uint8Array(count)
  const laidRoots = new Int32Array(roots.length)
  const queue = new Int32Array(count)
  let next = 0
  roots.forEach((root, t) => {
    laidRoots[t] = next
    queue[next++] = root
  })
  for (let at = 0; at < next; at++) {
    const original = queue[at] as number
    if (mode[original] === LEAF) {
      laidFeature[at] = -1
      laidValue[at] = weight[original] as number
      continue
    }
    laidFeature[at] = feature[original] as number
    laidValue[at] = values[original] as number
    laidMode[at] = mode[original] as number
    laidMissing[at] = missingTrue[original] as number
    laidTrue[at] = next
    queue[next++] = trueChild[original] as number
    queue[next++] = falseChild[original] as number
  }
  if (next !== count) refuse(output, `has ${count - next} nodes no root reaches`)
  return {
    roots: laidRoots,
    feature: laidFeature,
    value: laidValue,
    trueChild: laidTrue,
    mode: laidMode,
    missingTrue: laidMissing,
    baseValue: base?.[0] ?? 0,
    allLeq,
  }
}

/**
 * Reads a scoring model's ONNX bytes into flat tree ensembles. Throws
 * {@link TreeEnsembleModelError} when the bytes are not such a model or use what this runtime
 * does not implement.
 */
export function loadTreeEnsembleModel(modelBytes: Uint8Array): TreeEnsembleModel {
  let featureCount: number
  const nodes: RawNode[] = []
  try {
    featureCount = scoringInputColumns(modelBytes, (message) => new TreeEnsembleModelError(message))
    const decoder = new TextDecoder('utf-8', { fatal: true })
    for (const field of readProtobufFields(modelBytes)) {
      if (field.field !== ModelProto.graph || field.wireType !== WireType.lengthDelimited) continue
      for (const graphField of readProtobufFields(field.bytesValue)) {
        if (
          graphField.field !== GraphProto.node || graphField.wireType !== WireType.lengthDelimited
        ) {
          continue
        }
        nodes.push(readNode(graphField.bytesValue, decoder))
      }
    }
  } catch (error) {
    if (error instanceof TreeEnsembleModelError) throw error
    throw new TreeEnsembleModelError(`Cannot load model: ${(error as Error).message}`)
  }
  const byOutput = new Map<string, RawNode>()
  for (const node of nodes) {
    const output = node.outputs[0] ?? '(unnamed output)'
    if (node.opType !== 'TreeEnsembleRegressor' || node.domain !== 'ai.onnx.ml') {
      refuse(output, `is written by ${node.domain || 'ai.onnx'}.${node.opType}`)
    }
    if (node.inputs.length !== 1 || node.inputs[0] !== MODEL_INPUT_NAME) {
      refuse(output, `reads ${node.inputs.join(', ')}, not ${MODEL_INPUT_NAME}`)
    }
    if (node.outputs.length !== 1) refuse(output, 'comes with other outputs')
    byOutput.set(output, node)
  }
  const missing = Object.values(MODEL_OUTPUT_NAMES).filter((name) => !byOutput.has(name))
  if (missing.length > 0) {
    throw new TreeEnsembleModelError(`Cannot load model: outputs ${missing.join(', ')} are missing`)
  }
  const ensemble = (name: string) => compileEnsemble(byOutput.get(name) as RawNode, featureCount)
  return {
    featureCount,
    expectedReturn: ensemble(MODEL_OUTPUT_NAMES.expectedReturn),
    p10: ensemble(MODEL_OUTPUT_NAMES.p10),
    p90: ensemble(MODEL_OUTPUT_NAMES.p90),
  }
}

/** Whether a branch sends value `x` to its true child. */
function goesTrue(mode: number, x: number, threshold: number, missingTrue: number): boolean {
  if (x !== x) return missingTrue === 1 || mode === 5 // NaN: only != holds, unless tracked
  switch (mode) {
    case 0:
      return x <= threshold
    case 1:
      return x < threshold
    case 2:
      return x >= threshold
    case 3:
      return x > threshold
    case 4:
      return x === threshold
    default:
      return x !== threshold
  }
}

/** Sums each row's leaf weights over the trees (float32, tree order), then adds the base. */
function predictEnsemble(
  ensemble: CompiledEnsemble,
  rows: Float32Array,
  rowCount: number,
  featureCount: number,
): Float32Array {
  const sums = new Float32Array(rowCount)
  const { roots, feature, value, trueChild, mode, missingTrue, allLeq } = ensemble
  // Tree by tree over all rows: one tree's nodes stay in cache while the rows stream past.
  for (let t = 0; t < roots.length; t++) {
    const root = roots[t] as number
    for (let row = 0, offset = 0; row < rowCount; row++, offset += featureCount) {
      let node = root
      let at = feature[node] as number
      if (allLeq) {
        while (at >= 0) {
          // True child when x <= threshold, else the false child right after it.
          node = (trueChild[node] as number) +
            ((rows[offset + at] as number) <= (value[node] as number) ? 0 : 1)
          at = feature[node] as number
        }
      } else {
        while (at >= 0) {
          node = (trueChild[node] as number) + (
            goesTrue(
                mode[node] as number,
                rows[offset + at] as number,
                value[node] as number,
                missingTrue[node] as number,
              )
              ? 0
              : 1
          )
          at = feature[node] as number
        }
      }
      // Float32Array stores round each partial sum to float32, as onnxruntime's float sum does.
      sums[row] = (sums[row] as number) + (value[node] as number)
    }
  }
  const base = ensemble.baseValue
  for (let row = 0; row < rowCount; row++) sums[row] = (sums[row] as number) + base
  return sums
}

/**
 * Scores `rowCount` rows in one batch. `rows` is row-major float32, `featureCount` values per
 * row in the model's feature order. Outputs are the raw model values.
 */
export function predictTreeEnsembles(
  model: TreeEnsembleModel,
  rows: Float32Array,
  rowCount: number,
): ModelOutputs {
  if (
    !Number.isInteger(rowCount) || rowCount < 0 || rows.length !== rowCount * model.featureCount
  ) {
    throw new TreeEnsembleModelError(
      `Cannot predict: ${rows.length} values are not ${rowCount} rows of ${model.featureCount} features`,
    )
  }
  return {
    expectedReturn: predictEnsemble(model.expectedReturn, rows, rowCount, model.featureCount),
    p10: predictEnsemble(model.p10, rows, rowCount, model.featureCount),
    p90: predictEnsemble(model.p90, rows, rowCount, model.featureCount),
  }
}
