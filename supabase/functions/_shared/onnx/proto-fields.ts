/**
 * Field numbers of the onnx.proto messages this project reads and writes (ONNX IR version 8),
 * in one place: the function's readers (metadata, tree-ensemble runtime) and the trainer's
 * encoder and reader use these, so a number is never copied.
 */

/** `ModelProto`. */
export const ModelProto = {
  irVersion: 1,
  producerName: 2,
  producerVersion: 3,
  docString: 6,
  graph: 7,
  opsetImport: 8,
  metadataProps: 14,
} as const

/** `OperatorSetIdProto`. */
export const OperatorSetIdProto = { domain: 1, version: 2 } as const

/** `StringStringEntryProto` (a metadata entry). */
export const StringStringEntryProto = { key: 1, value: 2 } as const

/** `GraphProto`. */
export const GraphProto = { node: 1, name: 2, input: 11, output: 12 } as const

/** `NodeProto`. */
export const NodeProto = {
  input: 1,
  output: 2,
  name: 3,
  opType: 4,
  attribute: 5,
  domain: 7,
} as const

/** `AttributeProto`. */
export const AttributeProto = {
  name: 1,
  f: 2,
  i: 3,
  s: 4,
  floats: 7,
  ints: 8,
  strings: 9,
  type: 20,
} as const

/** `AttributeProto.AttributeType` values. */
export const AttributeType = {
  float: 1,
  int: 2,
  string: 3,
  floats: 6,
  ints: 7,
  strings: 8,
} as const

/** `ValueInfoProto`. */
export const ValueInfoProto = { name: 1, type: 2 } as const

/** `TypeProto` (only its tensor case). */
export const TypeProto = { tensorType: 1 } as const

/** `TypeProto.Tensor`. */
export const TensorTypeProto = { elemType: 1, shape: 2 } as const

/** `TensorShapeProto`. */
export const TensorShapeProto = { dim: 1 } as const

/** `TensorShapeProto.Dimension`. */
export const DimensionProto = { dimValue: 1, dimParam: 2 } as const

/** `TensorProto.DataType` values. */
export const TensorDataType = { float: 1 } as const
