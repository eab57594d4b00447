/**
 * Training rows from simulated portfolios: the features of sampled game-days (the one feature
 * definition, `_shared/scoring/features.ts`) and the hidden truth they are trained against, the expected
 * return per $1 of a ticket bought that day. Portfolios are laid out like the held-out ones
 * (same length, same number of games on sale) but come from other seeds.
 */
import {
  computeFeatures,
  FEATURE_NAMES,
} from '../../supabase/functions/_shared/scoring/features.ts'
import {
  EVALUATION_DAYS,
  EVALUATION_START_DATE,
  isHeldOutSeed,
} from '../evaluation/evaluation-set.ts'
import { observedGameDays } from '../market-sim/observations.ts'
import {
  type PublicationRule,
  type SimulatedGame,
  simulatedGames,
} from '../market-sim/simulator.ts'
import type { TrainingRanges } from '../../supabase/functions/_shared/scoring/plausibility.ts'
import { rangeRecorder } from './training-ranges.ts'

/** Which portfolios to simulate and which of their game-days to keep. */
export interface TrainingDataOptions {
  seeds: readonly number[]
  rules: readonly PublicationRule[]
  /** Keep one game-day in this many: every `n`-th day of each game, from a per-game offset. */
  sampleEvery: number
  /** Observed days per portfolio; default the held-out portfolios' length. */
  days?: number
  /** Games on sale on a typical day; default 40, as in the held-out portfolios. */
  activeGames?: number
  /**
   * Hidden values appended to each row after the features (analysis only, never for a served
   * model: e.g. the true share sold, to measure what knowing it would be worth).
   */
  hiddenColumns?: (game: SimulatedGame, day: number) => number[]
  onProgress?: (message: string) => void
}

/** Sampled game-days as a row-major float32 feature matrix with their truth. */
export interface TrainingRows {
  /** Row-major, {@link FEATURE_NAMES}.length values per row (then any hidden columns). */
  features: Float32Array
  rowCount: number
  featureCount: number
  /** True expected return per $1 of a ticket bought that day. */
  target: Float64Array
  /** The standard estimator's expected return per $1 (the baseline), per row. */
  baseline: Float64Array
  /** Publication rule of each row's portfolio, as an index into `rules`. */
  ruleIndex: Uint8Array
  rules: readonly PublicationRule[]
  /** Game-days refused by the estimator (not in the rows). */
  refused: number
  /** The range of each guarded input over the rows (training-ranges.ts). */
  inputRanges: TrainingRanges
}

/** Grows a float array by doubling. */
class GrowingColumn<T extends Float32Array | Float64Array | Uint8Array> {
  #data: T
  #length = 0
  readonly #create: (size: number) => T
  constructor(create: (size: number) => T) {
    this.#create = create
    this.#data = create(1024)
  }
  get length(): number {
    return this.#length
  }
  push(values: ArrayLike<number>): void {
    while (this.#length + values.length > this.#data.length) {
      const bigger = this.#create(this.#data.length * 2)
      bigger.set(this.#data)
      this.#data = bigger
    }
    this.#data.set(values, this.#length)
    this.#length += values.length
  }
  toArray(): T {
    return this.#data.slice(0, this.#length) as T
  }
}

/**
 * Simulates each seed under each rule and returns the features and truth of the sampled
 * game-days. Throws when a seed is held out: training must never see the evaluation markets.
 */
export function buildTrainingRows(options: TrainingDataOptions): TrainingRows {
  const heldOut = options.seeds.filter(isHeldOutSeed)
  if (heldOut.length > 0) {
    throw new Error(`Cannot train on held-out seeds ${heldOut.join(', ')}`)
  }
  if (!Number.isInteger(options.sampleEvery) || options.sampleEvery < 1) {
    throw new RangeError(`sampleEvery must be a positive integer, not ${options.sampleEvery}`)
  }
  let featureCount = FEATURE_NAMES.length
  const features = new GrowingColumn((size) => new Float32Array(size))
  const target = new GrowingColumn((size) => new Float64Array(size))
  const baseline = new GrowingColumn((size) => new Float64Array(size))
  const ruleIndex = new GrowingColumn((size) => new Uint8Array(size))
  let refused = 0
  const ranges = rangeRecorder()
  const total = options.seeds.length * options.rules.length
  let done = 0
  for (const seed of options.seeds) {
    for (const [rule, publication] of options.rules.entries()) {
      const before = target.length
      for (
        const game of simulatedGames({
          seed,
          publication,
          startDate: EVALUATION_START_DATE,
          days: options.days ?? EVALUATION_DAYS,
          activeGames: options.activeGames ?? 40,
        })
      ) {
        const offset = (game.facts.id * 7 + seed) % options.sampleEvery
        const gameDays = observedGameDays(game)
        for (let row = offset; row < gameDays.length; row += options.sampleEvery) {
          const gameDay = gameDays[row]
          if (!gameDay) continue
          const result = computeFeatures(gameDay.observation)
          if (!result.ok) {
            refused++
            continue
          }
          features.push(result.features.values)
          ranges.add(gameDay.observation, result.features.estimate)
          if (options.hiddenColumns) {
            const hidden = options.hiddenColumns(game, game.firstDay + row)
            featureCount = FEATURE_NAMES.length + hidden.length
            features.push(hidden)
          }
          target.push([gameDay.truth.trueReturnPerDollar])
          baseline.push([result.features.estimate.expectedReturnPerDollar.estimate])
          ruleIndex.push([rule])
        }
      }
      done++
      options.onProgress?.(
        `simulated ${done}/${total} portfolios (seed ${seed}, ${publication}): ${
          target.length - before
        } rows`,
      )
    }
  }
  return {
    features: features.toArray(),
    rowCount: target.length,
    featureCount,
    target: target.toArray(),
    baseline: baseline.toArray(),
    ruleIndex: ruleIndex.toArray(),
    rules: options.rules,
    refused,
    inputRanges: ranges.ranges(),
  }
}
