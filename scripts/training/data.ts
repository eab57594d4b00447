/**
 * Training rows from simulated states: the features of sampled game-days (the one feature
 * definition, `_shared/scoring/features.ts`, with the claim profile the state's database would
 * give that day) and the hidden truth they are trained against, the expected return per $1 of a
 * ticket bought that day. Each state is simulated once and read under every publication rule
 * asked for (the same games, published differently).
 */
import {
  computeFeatures,
  FEATURE_NAMES,
} from '../../supabase/functions/_shared/scoring/features.ts'
import { type WorldCase, worldPortfolio } from '../evaluation/world-set.ts'
import { simulateState, stateGameDays } from '../market-sim/state-days.ts'
import type { PublicationRule, SimulatedGame } from '../market-sim/simulator.ts'
import type { TrainingRanges } from '../../supabase/functions/_shared/scoring/plausibility.ts'
import { rangeRecorder } from './training-ranges.ts'

/** Which states to simulate and which of their game-days to keep. */
export interface TrainingDataOptions {
  worlds: readonly WorldCase[]
  rules: readonly PublicationRule[]
  /** Keep one game-day in this many: every `n`-th day of each game, from a per-game offset. */
  sampleEvery: number
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
  /** Publication rule of each row, as an index into `rules`. */
  ruleIndex: Uint8Array
  rules: readonly PublicationRule[]
  /** State of each row, as an index into the worlds asked for. */
  worldIndex: Uint16Array
  /** Game-days refused by the estimator (not in the rows). */
  refused: number
  /** The range of each guarded input over the rows (training-ranges.ts). */
  inputRanges: TrainingRanges
}

/** Grows a typed array by doubling. */
export class GrowingColumn<T extends Float32Array | Float64Array | Uint8Array | Uint16Array> {
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
 * Simulates each state once and returns the features and truth of its sampled game-days under
 * each rule. World cases are drawn from training or calibration seeds only (`world-set.ts`
 * refuses held-out seeds).
 */
export function buildTrainingRows(options: TrainingDataOptions): TrainingRows {
  if (!Number.isInteger(options.sampleEvery) || options.sampleEvery < 1) {
    throw new RangeError(`sampleEvery must be a positive integer, not ${options.sampleEvery}`)
  }
  let featureCount = FEATURE_NAMES.length
  const features = new GrowingColumn((size) => new Float32Array(size))
  const target = new GrowingColumn((size) => new Float64Array(size))
  const baseline = new GrowingColumn((size) => new Float64Array(size))
  const ruleIndex = new GrowingColumn((size) => new Uint8Array(size))
  const worldIndex = new GrowingColumn((size) => new Uint16Array(size))
  let refused = 0
  const ranges = rangeRecorder()
  for (const [index, world] of options.worlds.entries()) {
    const portfolio = simulateState(worldPortfolio(world, 'ZZ'))
    const before = target.length
    for (const [rule, publication] of options.rules.entries()) {
      stateGameDays(portfolio, {
        rule: publication,
        sampleEvery: options.sampleEvery,
        offsetSeed: world.seed + rule,
      }, (gameDay) => {
        const result = computeFeatures(gameDay.observation, { profile: gameDay.profile })
        if (!result.ok) {
          refused++
          return
        }
        features.push(result.features.values)
        ranges.add(gameDay.observation, result.features.estimate)
        if (options.hiddenColumns) {
          const game = portfolio.games[gameDay.gameIndex] as SimulatedGame
          const hidden = options.hiddenColumns(game, gameDay.day)
          featureCount = FEATURE_NAMES.length + hidden.length
          features.push(hidden)
        }
        target.push([gameDay.truth.trueReturnPerDollar])
        baseline.push([result.features.estimate.expectedReturnPerDollar.estimate])
        ruleIndex.push([rule])
        worldIndex.push([index])
      })
    }
    options.onProgress?.(
      `simulated ${
        index + 1
      }/${options.worlds.length} states (seed ${world.seed}, ${options.rules.length} rules): ${
        target.length - before
      } rows`,
    )
  }
  return {
    features: features.toArray(),
    rowCount: target.length,
    featureCount,
    target: target.toArray(),
    baseline: baseline.toArray(),
    ruleIndex: ruleIndex.toArray(),
    rules: options.rules,
    worldIndex: worldIndex.toArray(),
    refused,
    inputRanges: ranges.ranges(),
  }
}
