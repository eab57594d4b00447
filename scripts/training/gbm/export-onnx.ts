/**
 * Converts trained ensembles to the ONNX writer's structures and writes the scoring model file:
 * input `features` [N, F], outputs `expected_return`, `expected_return_p10`,
 * `expected_return_p90` [N, 1], and the scoring metadata in `metadata_props`.
 */
import {
  encodeTreeEnsembleModel,
  type RegressionTreeSpec,
  type TreeEnsembleRegressorSpec,
} from '../onnx/encode.ts'
import {
  type ScoringModelMetadata,
  scoringModelMetadataProps,
} from '../../../supabase/functions/_shared/onnx/metadata.ts'
import {
  MODEL_INPUT_NAME,
  MODEL_OUTPUT_NAMES,
} from '../../../supabase/functions/_shared/onnx/model-io.ts'
import type { GradientBoostedTrees, IntervalModel, RegressionTree } from './model.ts'

/** Producer recorded in the ONNX file. */
export const ONNX_PRODUCER_NAME = 'scratch-oracle-gbm'

function treeSpec(tree: RegressionTree): RegressionTreeSpec {
  return {
    nodes: tree.featureIndex.map((featureIndex, node) =>
      featureIndex < 0 ? { kind: 'leaf', weight: Math.fround(tree.leafValue[node] as number) } : {
        kind: 'branch',
        featureIndex,
        threshold: Math.fround(tree.threshold[node] as number),
        trueNodeId: tree.trueChild[node] as number,
        falseNodeId: tree.falseChild[node] as number,
      }
    ),
  }
}

/** One ensemble as a `TreeEnsembleRegressor` writing `outputName`. */
export function treeEnsembleRegressorSpec(
  outputName: string,
  model: GradientBoostedTrees,
): TreeEnsembleRegressorSpec {
  return { outputName, baseValue: Math.fround(model.baseValue), trees: model.trees.map(treeSpec) }
}

/** Options of {@link encodeIntervalModel}. */
export interface IntervalModelExportOptions {
  metadata: ScoringModelMetadata
  /** Recorded as `producer_version`, e.g. the git commit of the trainer. */
  producerVersion?: string
  docString?: string
}

/**
 * Writes the interval model as ONNX bytes. Throws when the feature names do not match the
 * model's feature count.
 */
export function encodeIntervalModel(
  model: IntervalModel,
  options: IntervalModelExportOptions,
): Uint8Array {
  const featureCount = model.expectedReturn.featureCount
  const names = options.metadata.featureNames
  if (
    names.length !== featureCount || model.p10.featureCount !== featureCount ||
    model.p90.featureCount !== featureCount
  ) {
    throw new RangeError(
      `Cannot export: ${names.length} feature names for models of ${featureCount}, ` +
        `${model.p10.featureCount} and ${model.p90.featureCount} features`,
    )
  }
  return encodeTreeEnsembleModel({
    inputName: MODEL_INPUT_NAME,
    featureCount,
    regressors: [
      treeEnsembleRegressorSpec(MODEL_OUTPUT_NAMES.expectedReturn, model.expectedReturn),
      treeEnsembleRegressorSpec(MODEL_OUTPUT_NAMES.p10, model.p10),
      treeEnsembleRegressorSpec(MODEL_OUTPUT_NAMES.p90, model.p90),
    ],
    metadataProps: scoringModelMetadataProps(options.metadata),
    producerName: ONNX_PRODUCER_NAME,
    producerVersion: options.producerVersion ?? '1',
    graphName: 'scratch_oracle_expected_return',
    docString: options.docString,
  })
}
