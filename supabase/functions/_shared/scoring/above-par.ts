/**
 * probability_above_par: the chance that a ticket bought that day returns $1 or more per $1.
 *
 * The model gives a median and an 80% interval. Read as a two-piece normal (each side's spread
 * from its own percentile), they give a raw chance of reaching $1 per $1; a monotone map learned
 * on held-out worlds (`scripts/training/above-par-calibration.ts`, stored in the model's ONNX
 * metadata) turns it into a calibrated one: of the game-days given p, about p were above par.
 * A model without a map (trained before it existed) gets the raw chance.
 */
import { normalCdf } from './special-functions.ts'

/** z of the 90th percentile of a standard normal. */
const Z90 = 1.2815515655446004

/** A monotone map from raw to calibrated probability: knots sorted by raw value. */
export interface AboveParCalibration {
  /** `[raw, calibrated]` pairs, raw strictly increasing, calibrated non-decreasing, both in [0, 1]. */
  knots: ReadonlyArray<readonly [number, number]>
}

/**
 * The raw chance that the true return is at least $1 per $1, from the median and the 10th and
 * 90th percentiles read as a two-piece normal.
 */
export function rawAboveParProbability(interval: {
  expectedReturn: number
  expectedReturnLow: number
  expectedReturnHigh: number
}): number {
  const { expectedReturn: median, expectedReturnLow: low, expectedReturnHigh: high } = interval
  if (median >= 1) {
    const spread = (median - low) / Z90
    return spread > 0 ? 1 - normalCdf((1 - median) / spread) : 1
  }
  const spread = (high - median) / Z90
  return spread > 0 ? 1 - normalCdf((1 - median) / spread) : 0
}

/** The calibrated value of a raw probability: linear between knots, flat beyond the ends. */
export function calibrateAbovePar(raw: number, calibration: AboveParCalibration): number {
  const knots = calibration.knots
  const first = knots[0]
  const last = knots.at(-1)
  if (!first || !last) return raw
  if (raw <= first[0]) return first[1]
  if (raw >= last[0]) return last[1]
  let low = 0
  let high = knots.length - 1
  while (high - low > 1) {
    const middle = (low + high) >> 1
    if ((knots[middle] as readonly [number, number])[0] <= raw) low = middle
    else high = middle
  }
  const [x0, y0] = knots[low] as readonly [number, number]
  const [x1, y1] = knots[high] as readonly [number, number]
  return y0 + ((raw - x0) / (x1 - x0)) * (y1 - y0)
}

/** probability_above_par of one prediction: calibrated when the model carries a map. */
export function probabilityAbovePar(
  interval: { expectedReturn: number; expectedReturnLow: number; expectedReturnHigh: number },
  calibration: AboveParCalibration | null,
): number {
  const raw = rawAboveParProbability(interval)
  const value = calibration === null ? raw : calibrateAbovePar(raw, calibration)
  return Math.min(1, Math.max(0, value))
}
