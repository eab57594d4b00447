/**
 * Records the training ranges of the guarded inputs (`_shared/scoring/plausibility.ts`): the
 * smallest and largest value of each over every game-day a model is trained or calibrated on.
 * The trainer writes them into the model's ONNX metadata (`training_ranges`, which the function
 * reads) and its model card. Bounds are rounded outward to 4 significant digits, so a card reads
 * cleanly and no training value falls outside its own range.
 */
import {
  GUARDED_INPUTS,
  type GuardedFacts,
  guardedInputs,
  type TrainingRanges,
} from '../../supabase/functions/_shared/scoring/plausibility.ts'
import type { ExpectedValueEstimate } from '../../supabase/functions/_shared/scoring/estimator.ts'

/** Accumulates the ranges of the game-days it is shown. */
export interface RangeRecorder {
  add(observation: GuardedFacts, estimate: ExpectedValueEstimate): void
  /** The ranges so far; throws when no game-day was added. */
  ranges(): TrainingRanges
}

const SIGNIFICANT_DIGITS = 4

function roundOutward(value: number, direction: 'down' | 'up'): number {
  const nearest = Number(value.toPrecision(SIGNIFICANT_DIGITS))
  // Float noise (7 / 5 = 1.4000000000000001) is not a reason to step a digit.
  const noise = Math.abs(value) * 1e-12
  if (direction === 'down' ? nearest <= value + noise : nearest >= value - noise) return nearest
  const unit = 10 ** (Math.floor(Math.log10(Math.abs(nearest))) - SIGNIFICANT_DIGITS + 1)
  const stepped = direction === 'down' ? nearest - unit : nearest + unit
  return Number(stepped.toPrecision(SIGNIFICANT_DIGITS))
}

/** A recorder with no game-day yet. */
export function rangeRecorder(): RangeRecorder {
  const min = new Map<string, number>()
  const max = new Map<string, number>()
  return {
    add(observation, estimate) {
      const values = guardedInputs(observation, estimate)
      for (const name of GUARDED_INPUTS) {
        min.set(name, Math.min(min.get(name) ?? Infinity, values[name]))
        max.set(name, Math.max(max.get(name) ?? -Infinity, values[name]))
      }
    },
    ranges() {
      if (min.size === 0) throw new Error('Cannot record training ranges: no game-day was added')
      return Object.fromEntries(
        GUARDED_INPUTS.map((name) => [name, {
          min: roundOutward(min.get(name) as number, 'down'),
          max: roundOutward(max.get(name) as number, 'up'),
        }]),
      ) as TrainingRanges
    },
  }
}

/** The union of two sets of ranges (training and calibration data). */
export function unionOfRanges(a: TrainingRanges, b: TrainingRanges): TrainingRanges {
  return Object.fromEntries(
    GUARDED_INPUTS.map((name) => [name, {
      min: Math.min(a[name].min, b[name].min),
      max: Math.max(a[name].max, b[name].max),
    }]),
  ) as TrainingRanges
}
