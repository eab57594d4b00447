/** Names of the scoring model's graph input and outputs, shared by the exporter and the runtime. */

/** The float input `[N, featureCount]`, columns in the feature list's order. */
export const MODEL_INPUT_NAME = 'features'

/** The three float outputs `[N, 1]`: point estimate and 10th/90th percentiles. */
export const MODEL_OUTPUT_NAMES = {
  expectedReturn: 'expected_return',
  p10: 'expected_return_p10',
  p90: 'expected_return_p90',
} as const
