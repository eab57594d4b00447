/**
 * Accuracy metrics for expected-return predictions against the simulator's truth, shared by the
 * baseline report and the model evaluation so both are measured the same way.
 */

function checkPaired(predicted: readonly number[], actual: readonly number[]): void {
  if (predicted.length !== actual.length) {
    throw new Error(
      `Cannot compare: ${predicted.length} predictions for ${actual.length} true values`,
    )
  }
  if (predicted.length === 0) throw new Error('Cannot compare: no predictions')
}

/** Mean absolute error: mean of |predicted − actual|. */
export function meanAbsoluteError(predicted: readonly number[], actual: readonly number[]) {
  checkPaired(predicted, actual)
  let total = 0
  for (let i = 0; i < predicted.length; i++) {
    total += Math.abs((predicted[i] ?? 0) - (actual[i] ?? 0))
  }
  return total / predicted.length
}

/** Mean signed error (bias): mean of predicted − actual. */
export function meanError(predicted: readonly number[], actual: readonly number[]): number {
  checkPaired(predicted, actual)
  let total = 0
  for (let i = 0; i < predicted.length; i++) total += (predicted[i] ?? 0) - (actual[i] ?? 0)
  return total / predicted.length
}

/** Ranks from 1, ties sharing the mean of their ranks. */
export function averageRanks(values: readonly number[]): number[] {
  const order = values.map((_, i) => i).sort((a, b) => (values[a] ?? 0) - (values[b] ?? 0))
  const ranks = new Array<number>(values.length).fill(0)
  let start = 0
  while (start < order.length) {
    let end = start
    const value = values[order[start] ?? 0]
    while (end + 1 < order.length && values[order[end + 1] ?? 0] === value) end++
    const rank = (start + end) / 2 + 1
    for (let k = start; k <= end; k++) ranks[order[k] ?? 0] = rank
    start = end + 1
  }
  return ranks
}

function pearson(x: readonly number[], y: readonly number[]): number | null {
  const n = x.length
  let meanX = 0
  let meanY = 0
  for (let i = 0; i < n; i++) {
    meanX += (x[i] ?? 0) / n
    meanY += (y[i] ?? 0) / n
  }
  let covariance = 0
  let varianceX = 0
  let varianceY = 0
  for (let i = 0; i < n; i++) {
    const dx = (x[i] ?? 0) - meanX
    const dy = (y[i] ?? 0) - meanY
    covariance += dx * dy
    varianceX += dx * dx
    varianceY += dy * dy
  }
  if (varianceX === 0 || varianceY === 0) return null
  return covariance / Math.sqrt(varianceX * varianceY)
}

/**
 * Spearman rank correlation (Pearson correlation of average ranks), or `null` when it is
 * undefined: fewer than two pairs, or either side constant.
 */
export function spearmanCorrelation(
  predicted: readonly number[],
  actual: readonly number[],
): number | null {
  checkPaired(predicted, actual)
  if (predicted.length < 2) return null
  return pearson(averageRanks(predicted), averageRanks(actual))
}

/** One prediction in a group, e.g. one game within a state-day. */
export interface GroupedPrediction {
  group: string
  predicted: number
  actual: number
}

/**
 * Spearman correlation within each group (e.g. the games of one state on one day), averaged
 * over the groups where it is defined. `mean` is `null` when no group has one.
 */
export function meanSpearmanByGroup(rows: readonly GroupedPrediction[]) {
  const groups = new Map<string, { predicted: number[]; actual: number[] }>()
  for (const row of rows) {
    let group = groups.get(row.group)
    if (!group) {
      group = { predicted: [], actual: [] }
      groups.set(row.group, group)
    }
    group.predicted.push(row.predicted)
    group.actual.push(row.actual)
  }
  let total = 0
  let defined = 0
  for (const group of groups.values()) {
    const correlation = spearmanCorrelation(group.predicted, group.actual)
    if (correlation === null) continue
    total += correlation
    defined++
  }
  return { mean: defined > 0 ? total / defined : null, groups: defined }
}

/** Share of true values inside their interval, bounds included. */
export function intervalCoverage(
  intervals: readonly { low: number; high: number }[],
  actual: readonly number[],
): number {
  checkPaired(intervals.map((interval) => interval.low), actual)
  let inside = 0
  intervals.forEach((interval, i) => {
    const value = actual[i] ?? NaN
    if (value >= interval.low && value <= interval.high) inside++
  })
  return inside / intervals.length
}
