import { describe, expect, it } from 'vitest'
import {
  encodeTreeEnsembleModel,
  type TreeEnsembleModelSpec,
} from '../../../../scripts/training/onnx/encode.ts'
import {
  describeFeatureNameMismatch,
  METADATA_KEYS,
  ModelMetadataError,
  readOnnxModelHeader,
  readScoringModelMetadata,
  type ScoringModelMetadata,
  scoringModelMetadataProps,
} from './metadata.ts'
import { DEFAULT_TRAINING_RANGES } from '../scoring/plausibility.ts'

const metadata: ScoringModelMetadata = {
  featureNames: ['ticket_price', 'printed_payout', 'days_since_launch', 'top_prizes_left_ratio'],
  featureSetVersion: 'features-v1',
  modelVersion: '2026-11-27.1',
  metrics: { model_mae: 0.0312, spearman: 0.94, coverage80: 0.8 },
}

function modelWith(metadataProps: Record<string, string>): Uint8Array {
  const spec: TreeEnsembleModelSpec = {
    inputName: 'features',
    featureCount: 4,
    producerName: 'scratch-oracle-gbm',
    producerVersion: 'test',
    graphName: 'g',
    metadataProps,
    regressors: [{
      outputName: 'expected_return',
      baseValue: 0.7,
      trees: [{ nodes: [{ kind: 'leaf', weight: 0.1 }] }],
    }],
  }
  return encodeTreeEnsembleModel(spec)
}

describe('ONNX metadata', () => {
  it('round-trips the scoring metadata through the encoder', () => {
    const bytes = modelWith(scoringModelMetadataProps(metadata))
    expect(readScoringModelMetadata(bytes)).toEqual(metadata)
  })

  it('round-trips training ranges, and reads a model without them as having none', () => {
    const withRanges = { ...metadata, trainingRanges: DEFAULT_TRAINING_RANGES }
    const bytes = modelWith(scoringModelMetadataProps(withRanges))
    expect(readScoringModelMetadata(bytes)).toEqual(withRanges)
    expect(readScoringModelMetadata(modelWith(scoringModelMetadataProps(metadata))))
      .not.toHaveProperty('trainingRanges')
  })

  it('round-trips the probability_above_par map, and refuses knots that do not rise', () => {
    const withMap = {
      ...metadata,
      aboveParCalibration: { knots: [[0, 0], [0.01, 0.004], [1, 1]] as const },
    }
    expect(readScoringModelMetadata(modelWith(scoringModelMetadataProps(withMap)))).toEqual(withMap)
    const falling = scoringModelMetadataProps({
      ...metadata,
      aboveParCalibration: { knots: [[0, 0.2], [0.5, 0.1], [1, 1]] },
    })
    expect(() => readScoringModelMetadata(modelWith(falling))).toThrow(
      `${METADATA_KEYS.aboveParCalibration} knots must rise`,
    )
  })

  it('reads the producer, raw props (including non-ASCII text) and the graph input shape', () => {
    const header = readOnnxModelHeader(modelWith({ note: 'prix gagné ≥ 1 $', empty: '' }))
    expect(header.producerName).toBe('scratch-oracle-gbm')
    expect(header.metadataProps).toEqual({ note: 'prix gagné ≥ 1 $', empty: '' })
    expect(header.graphInputs).toEqual([{ name: 'features', dims: ['N', 4] }])
  })

  const props = scoringModelMetadataProps(metadata)
  const without = (key: string) =>
    Object.fromEntries(Object.entries(props).filter(([k]) => k !== key))
  it.each([
    ['a missing feature list', without(METADATA_KEYS.featureNames), /feature_names/],
    [
      'feature names that are not JSON',
      { ...props, feature_names: '[ticket_price' },
      /feature_names not valid JSON/,
    ],
    ['feature names that are not strings', { ...props, feature_names: '[1, 2]' }, /feature_names/],
    ['an empty feature list', { ...props, feature_names: '[]' }, /feature_names/],
    ['a missing model version', without(METADATA_KEYS.modelVersion), /model_version/],
    ['non-numeric metrics', { ...props, metrics: '{"mae":"low"}' }, /metrics/],
    [
      'training ranges missing an input',
      { ...props, training_ranges: '{"ticket_price":{"min":1,"max":50}}' },
      /training_ranges/,
    ],
    [
      'a training range whose min is above its max',
      {
        ...props,
        training_ranges: JSON.stringify({
          ...DEFAULT_TRAINING_RANGES,
          ticket_price: { min: 50, max: 1 },
        }),
      },
      /training_ranges/,
    ],
  ])('rejects %s, naming the key', (_case, badProps, message) => {
    expect(() => readScoringModelMetadata(modelWith(badProps))).toThrow(message)
    expect(() => readScoringModelMetadata(modelWith(badProps))).toThrow(ModelMetadataError)
  })

  it.each([
    [
      'random bytes',
      Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
    ],
    ['a truncated model', modelWith(props).subarray(0, 40)],
    ['text', new TextEncoder().encode('not a model at all')],
  ])('rejects %s with a ModelMetadataError', (_case, bytes) => {
    expect(() => readScoringModelMetadata(bytes)).toThrow(ModelMetadataError)
  })
})

describe('describeFeatureNameMismatch', () => {
  it.each([
    [['a', 'b', 'c'], ['a', 'b', 'c'], null],
    [['a', 'b'], ['a', 'b', 'c'], 'lacks c'],
    [['a', 'b', 'c', 'x'], ['a', 'b', 'c'], 'has unknown x'],
    [['a', 'x'], ['a', 'b'], 'lacks b; has unknown x'],
    [['b', 'a'], ['a', 'b'], 'has the same features in a different order'],
    [['a', 'a', 'b'], ['a', 'b'], 'has 3 features where the code has 2'],
  ])('model %j vs code %j: %s', (model, code, expected) => {
    expect(describeFeatureNameMismatch(model, code)).toBe(expected)
  })
})
