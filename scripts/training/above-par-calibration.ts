/**
 * Learns the map that makes probability_above_par calibrated (`_shared/scoring/above-par.ts`):
 * on held-out calibration states, game-days are binned by their raw chance of $1 or more per $1,
 * each bin's observed share above par is shrunk toward its mean raw chance (a bin of few
 * game-days says little), and the bins are made monotone by pooling adjacent violators. The
 * knots are the bins' mean raw chance and their calibrated share.
 */
import type { AboveParCalibration } from '../../supabase/functions/_shared/scoring/above-par.ts'

/** Upper edges of the raw-chance bins: fine near 0, where almost every game-day is. */
export const ABOVE_PAR_BIN_EDGES: readonly number[] = [
  0.0001,
  0.001,
  0.005,
  0.02,
  0.05,
  0.1,
  0.2,
  0.35,
  0.5,
  0.65,
  0.8,
  0.9,
  1,
]

/** Pseudo game-days at the bin's mean raw chance added to each bin's observed share. */
export const ABOVE_PAR_SHRINKAGE = 30

/** One bin of the reliability table: game-days, mean chance given, share above par. */
export interface ReliabilityBin {
  upperEdge: number
  gameDays: number
  meanProbability: number
  shareAbovePar: number
}

/** Game-days binned by a chance (raw or calibrated) with the share above par in each bin. */
export function reliabilityTable(
  probabilities: ArrayLike<number>,
  abovePar: ArrayLike<boolean>,
): ReliabilityBin[] {
  const bins = ABOVE_PAR_BIN_EDGES.map((upperEdge) => ({
    upperEdge,
    gameDays: 0,
    sum: 0,
    above: 0,
  }))
  for (let i = 0; i < probabilities.length; i++) {
    const p = probabilities[i] as number
    const bin = bins.find((candidate) => p <= candidate.upperEdge) ?? bins.at(-1)
    if (!bin) continue
    bin.gameDays++
    bin.sum += p
    if (abovePar[i]) bin.above++
  }
  return bins.map((bin) => ({
    upperEdge: bin.upperEdge,
    gameDays: bin.gameDays,
    meanProbability: bin.gameDays > 0 ? bin.sum / bin.gameDays : 0,
    shareAbovePar: bin.gameDays > 0 ? bin.above / bin.gameDays : 0,
  }))
}

/**
 * The calibration map from raw chances and whether each game-day was above par: shrunk bin
 * shares made monotone (pool adjacent violators, weighted by game-days).
 */
export function fitAboveParCalibration(
  rawProbabilities: ArrayLike<number>,
  abovePar: ArrayLike<boolean>,
): AboveParCalibration {
  const table = reliabilityTable(rawProbabilities, abovePar).filter((bin) => bin.gameDays > 0)
  const blocks = table.map((bin) => ({
    raw: bin.meanProbability,
    weight: bin.gameDays + ABOVE_PAR_SHRINKAGE,
    value: (bin.shareAbovePar * bin.gameDays + bin.meanProbability * ABOVE_PAR_SHRINKAGE) /
      (bin.gameDays + ABOVE_PAR_SHRINKAGE),
    bins: 1,
  }))
  // Pool adjacent violators.
  const pooled: typeof blocks = []
  for (const block of blocks) {
    pooled.push({ ...block })
    while (pooled.length >= 2) {
      const last = pooled[pooled.length - 1] as (typeof blocks)[number]
      const previous = pooled[pooled.length - 2] as (typeof blocks)[number]
      if (previous.value <= last.value) break
      const weight = previous.weight + last.weight
      pooled.splice(pooled.length - 2, 2, {
        raw: (previous.raw * previous.weight + last.raw * last.weight) / weight,
        weight,
        value: (previous.value * previous.weight + last.value * last.weight) / weight,
        bins: previous.bins + last.bins,
      })
    }
  }
  const knots: [number, number][] = []
  for (const block of pooled) {
    const raw = round(block.raw)
    const value = round(Math.min(1, Math.max(0, block.value)))
    const last = knots.at(-1)
    if (last === undefined || raw > last[0]) knots.push([raw, Math.max(value, last?.[1] ?? 0)])
  }
  if (knots.length === 0 || (knots[0] as [number, number])[0] > 0) knots.unshift([0, 0])
  // Past the last bin with game-days nothing was learned: the map runs back to the raw chance.
  if ((knots.at(-1) as [number, number])[0] < 1) knots.push([1, 1])
  return { knots }
}

function round(value: number): number {
  return Math.round(value * 1e7) / 1e7
}
