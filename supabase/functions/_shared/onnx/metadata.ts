/**
 * Model metadata stored in an ONNX file's `metadata_props`, readable without onnxruntime so the
 * function (and the publish script) can check a model's feature names before loading it.
 */
import { z } from 'zod'
import type { AboveParCalibration } from '../scoring/above-par.ts'
import { MODEL_INPUT_NAME } from './model-io.ts'
import {
  DimensionProto,
  GraphProto,
  ModelProto,
  StringStringEntryProto,
  TensorShapeProto,
  TensorTypeProto,
  TypeProto,
  ValueInfoProto,
} from './proto-fields.ts'
import { readProtobufFields, WireType } from './protobuf.ts'
import { type TrainingRanges, trainingRangesSchema } from '../scoring/plausibility.ts'

/** What a scoring model records about itself (all stored as strings in `metadata_props`). */
export interface ScoringModelMetadata {
  /** Ordered input column names; must equal the code's feature list. */
  featureNames: string[]
  /** Version of the feature definition the model was trained with. */
  featureSetVersion: string
  /** The model's own version, as registered in `ml_models`. */
  modelVersion: string
  /** Held-out evaluation metrics, e.g. `{ "model_mae": 0.031 }`. */
  metrics: Record<string, number>
  /**
   * The ranges of the guarded inputs in the training data (`scoring/plausibility.ts`); absent
   * in models trained before they were recorded.
   */
  trainingRanges?: TrainingRanges
  /**
   * The map that calibrates probability_above_par (`scoring/above-par.ts`); absent in models
   * trained before it existed, which then give the raw chance.
   */
  aboveParCalibration?: AboveParCalibration
}

/** Keys of {@link ScoringModelMetadata} in `metadata_props`. */
export const METADATA_KEYS = {
  featureNames: 'feature_names',
  featureSetVersion: 'feature_set_version',
  modelVersion: 'model_version',
  metrics: 'metrics',
  trainingRanges: 'training_ranges',
  aboveParCalibration: 'above_par_calibration',
} as const

/** The `metadata_props` entries (string to string) for a scoring model. */
export function scoringModelMetadataProps(metadata: ScoringModelMetadata): Record<string, string> {
  return {
    [METADATA_KEYS.featureNames]: JSON.stringify(metadata.featureNames),
    [METADATA_KEYS.featureSetVersion]: metadata.featureSetVersion,
    [METADATA_KEYS.modelVersion]: metadata.modelVersion,
    [METADATA_KEYS.metrics]: JSON.stringify(metadata.metrics),
    ...(metadata.trainingRanges === undefined
      ? {}
      : { [METADATA_KEYS.trainingRanges]: JSON.stringify(metadata.trainingRanges) }),
    ...(metadata.aboveParCalibration
      ? { [METADATA_KEYS.aboveParCalibration]: JSON.stringify(metadata.aboveParCalibration) }
      : {}),
  }
}

/** The length-delimited payloads of `field` in a message. */
function* messagesOf(bytes: Uint8Array, field: number): Generator<Uint8Array> {
  for (const entry of readProtobufFields(bytes)) {
    if (entry.field === field && entry.wireType === WireType.lengthDelimited) {
      yield entry.bytesValue
    }
  }
}

function readGraphInput(valueInfo: Uint8Array, decoder: TextDecoder): OnnxGraphInput {
  const input: OnnxGraphInput = { name: '', dims: [] }
  for (const name of messagesOf(valueInfo, ValueInfoProto.name)) input.name = decoder.decode(name)
  for (const type of messagesOf(valueInfo, ValueInfoProto.type)) {
    for (const tensor of messagesOf(type, TypeProto.tensorType)) {
      for (const shape of messagesOf(tensor, TensorTypeProto.shape)) {
        for (const dim of messagesOf(shape, TensorShapeProto.dim)) {
          let size: number | string = '?'
          for (const field of readProtobufFields(dim)) {
            if (field.field === DimensionProto.dimValue && field.wireType === WireType.varint) {
              size = field.numberValue
            } else if (field.field === DimensionProto.dimParam) {
              size = decoder.decode(field.bytesValue)
            }
          }
          input.dims.push(size)
        }
      }
    }
  }
  return input
}

/** A graph input: its name and dimensions (a number, or the name of a symbolic dimension). */
export interface OnnxGraphInput {
  name: string
  dims: Array<number | string>
}

/** The raw header of an ONNX model: producer, key/value metadata and graph inputs. */
export interface OnnxModelHeader {
  producerName: string | undefined
  metadataProps: Record<string, string>
  graphInputs: OnnxGraphInput[]
}

/**
 * Reads `producer_name`, `metadata_props` and the graph inputs from ONNX bytes, skipping the
 * nodes. Throws a `RangeError` when the bytes are not a well-formed protobuf message.
 */
export function readOnnxModelHeader(modelBytes: Uint8Array): OnnxModelHeader {
  const decoder = new TextDecoder('utf-8', { fatal: true })
  const header: OnnxModelHeader = { producerName: undefined, metadataProps: {}, graphInputs: [] }
  for (const field of readProtobufFields(modelBytes)) {
    if (field.wireType !== WireType.lengthDelimited) continue
    if (field.field === ModelProto.producerName) {
      header.producerName = decoder.decode(field.bytesValue)
    } else if (field.field === ModelProto.graph) {
      for (const input of messagesOf(field.bytesValue, GraphProto.input)) {
        header.graphInputs.push(readGraphInput(input, decoder))
      }
    } else if (field.field === ModelProto.metadataProps) {
      let key = ''
      let value = ''
      for (const entryField of readProtobufFields(field.bytesValue)) {
        if (entryField.wireType !== WireType.lengthDelimited) continue
        if (entryField.field === StringStringEntryProto.key) {
          key = decoder.decode(entryField.bytesValue)
        }
        if (entryField.field === StringStringEntryProto.value) {
          value = decoder.decode(entryField.bytesValue)
        }
      }
      header.metadataProps[key] = value
    }
  }
  return header
}

const jsonString = <T extends z.ZodType>(schema: T) =>
  z.string().transform((text, context) => {
    try {
      return JSON.parse(text) as unknown
    } catch {
      context.addIssue({ code: 'custom', message: 'not valid JSON' })
      return z.NEVER
    }
  }).pipe(schema)

const probability = z.number().min(0).max(1)

/** Knots with raw chances strictly increasing and calibrated ones never decreasing. */
const aboveParCalibrationSchema = z.object({
  knots: z.array(z.tuple([probability, probability])).min(2),
}).refine(
  ({ knots }) =>
    knots.every((knot, i) => {
      const previous = knots[i - 1]
      return previous === undefined || (knot[0] > previous[0] && knot[1] >= previous[1])
    }),
  'knots must rise: raw chances strictly, calibrated ones never falling',
)

const scoringModelMetadataSchema = z.object({
  [METADATA_KEYS.featureNames]: jsonString(z.array(z.string().min(1)).min(1)),
  [METADATA_KEYS.featureSetVersion]: z.string().min(1),
  [METADATA_KEYS.modelVersion]: z.string().min(1),
  [METADATA_KEYS.metrics]: jsonString(z.record(z.string(), z.number())),
  [METADATA_KEYS.trainingRanges]: jsonString(trainingRangesSchema).optional(),
  [METADATA_KEYS.aboveParCalibration]: jsonString(aboveParCalibrationSchema).optional(),
})

/** Why a model's metadata cannot be used. */
export class ModelMetadataError extends Error {
  override name = 'ModelMetadataError'
}

/**
 * Reads and validates the scoring metadata of an ONNX model. Throws {@link ModelMetadataError}
 * naming the offending key when an entry is missing or malformed, and when the bytes are not an
 * ONNX protobuf at all.
 */
export function readScoringModelMetadata(modelBytes: Uint8Array): ScoringModelMetadata {
  let props: Record<string, string>
  try {
    props = readOnnxModelHeader(modelBytes).metadataProps
  } catch (error) {
    throw new ModelMetadataError(`Cannot read model metadata: ${(error as Error).message}`)
  }
  const parsed = scoringModelMetadataSchema.safeParse(props)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const key = issue?.path[0] ?? 'metadata'
    throw new ModelMetadataError(
      `Cannot read model metadata: ${String(key)} ${issue?.message ?? 'is invalid'}`,
    )
  }
  const aboveParCalibration = parsed.data[METADATA_KEYS.aboveParCalibration]
  return {
    featureNames: parsed.data[METADATA_KEYS.featureNames],
    featureSetVersion: parsed.data[METADATA_KEYS.featureSetVersion],
    modelVersion: parsed.data[METADATA_KEYS.modelVersion],
    metrics: parsed.data[METADATA_KEYS.metrics],
    ...(parsed.data[METADATA_KEYS.trainingRanges] === undefined
      ? {}
      : { trainingRanges: parsed.data[METADATA_KEYS.trainingRanges] }),
    ...(aboveParCalibration ? { aboveParCalibration } : {}),
  }
}

/**
 * How a model's feature names differ from the code's, as a phrase completing "the model ...",
 * or `null` when they match exactly (same names, same order).
 */
export function describeFeatureNameMismatch(
  modelFeatureNames: readonly string[],
  codeFeatureNames: readonly string[],
): string | null {
  const problems: string[] = []
  const missing = codeFeatureNames.filter((name) => !modelFeatureNames.includes(name))
  const unexpected = modelFeatureNames.filter((name) => !codeFeatureNames.includes(name))
  if (missing.length > 0) problems.push(`lacks ${missing.join(', ')}`)
  if (unexpected.length > 0) problems.push(`has unknown ${unexpected.join(', ')}`)
  if (problems.length === 0 && modelFeatureNames.length !== codeFeatureNames.length) {
    problems.push(
      `has ${modelFeatureNames.length} features where the code has ${codeFeatureNames.length}`,
    )
  }
  if (problems.length === 0 && modelFeatureNames.some((name, i) => name !== codeFeatureNames[i])) {
    problems.push('has the same features in a different order')
  }
  return problems.length === 0 ? null : problems.join('; ')
}

/**
 * Columns of the scoring model's float input `features` of shape `[N, columns]`, read from the
 * graph inputs; anything else is refused with the error `refuse` makes of the message.
 */
export function scoringInputColumns(
  modelBytes: Uint8Array,
  refuse: (message: string) => Error,
): number {
  const input = readOnnxModelHeader(modelBytes).graphInputs.find((candidate) =>
    candidate.name === MODEL_INPUT_NAME
  )
  const columns = input?.dims[1]
  if (
    input === undefined || input.dims.length !== 2 || typeof columns !== 'number' || columns < 1
  ) {
    throw refuse(
      `Cannot load model: expected a float input '${MODEL_INPUT_NAME}' of shape [N, features]`,
    )
  }
  return columns
}
