/**
 * The numbers a benchmark reports per size, derived from the raw measurements, judged against
 * the targets (`targets.ts`).
 */
import type { FunctionMeasurement, PhaseTimings, ScoringCall } from './function-runs.ts'
import type { BenchReport, SizeResult } from './run.ts'
import { TARGET_GAMES, TARGETS } from './targets.ts'

/**
 * One invocation's numbers: the cold call of fresh processes (the median over them) and the
 * warm calls of the first.
 */
export interface InvocationSummary {
  /** Fresh processes whose cold call was timed. */
  coldRuns: number
  /** Lowest and highest cold start and cold-call CPU over those processes. */
  coldStartRangeMs: [number, number]
  firstCpuRangeMs: [number, number]
  coldStartMs: number
  bootMs: number
  firstWallMs: number
  firstCpuMs: number
  /** Median over the warm calls (the first call when there are none). */
  warmWallMs: number
  warmCpuMs: number
  /** Phases of the warm call with the median wall time. */
  warmPhases: PhaseTimings
  firstPhases: PhaseTimings
  /** The slowest call (wall) and the most CPU a call used, cold call included. */
  wallMs: number
  cpuMs: number
  peakRssMb: number
  heapPlusExternalMb: number
  scored: number
  gamesPerSecond: number
}

/** The numbers of one size. */
export interface SizeSummary {
  games: number
  states: string[]
  loadMs: number
  snapshots: number
  single: InvocationSummary | { error: string }
  /** One request per state: each call's wall and CPU time, and the process's peak RSS. */
  perState:
    | { calls: Array<{ state: string; wallMs: number; cpuMs: number }>; peakRssMb: number }
    | {
      error: string
    }
    | null
  /** The single request with the onnxruntime-web engine, when measured. */
  onnxruntimeEngine: InvocationSummary | { error: string } | null
  baselineMs: number | null
  baselineError: string | null
  baselineParts: { readMs: number; featuresMs: number; inferenceMs: number; writeMs: number } | null
  /** Baseline wall time over the function's median warm wall time. */
  baselineRatio: number | null
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  if (sorted.length === 0) return Number.NaN
  return sorted.length % 2 === 1
    ? sorted[middle] as number
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
}

function medianCall(calls: ScoringCall[]): ScoringCall | undefined {
  const sorted = [...calls].sort((a, b) => a.wallMs - b.wallMs)
  return sorted[Math.floor((sorted.length - 1) / 2)]
}

function invocation(
  measurement: FunctionMeasurement,
  moreColdStarts: FunctionMeasurement[] = [],
): InvocationSummary {
  const warm = measurement.warm.length > 0 ? measurement.warm : [measurement.first]
  const colds = [measurement, ...moreColdStarts]
  const typical = medianCall(warm) ?? measurement.first
  const warmWallMs = median(warm.map((call) => call.wallMs))
  const coldStarts = colds.map((run) => run.coldStartMs)
  const firstCpus = colds.map((run) => run.first.cpuMs)
  const firstWallMs = median(colds.map((run) => run.first.wallMs))
  const firstCpuMs = median(firstCpus)
  return {
    coldRuns: colds.length,
    coldStartRangeMs: [Math.min(...coldStarts), Math.max(...coldStarts)],
    firstCpuRangeMs: [Math.min(...firstCpus), Math.max(...firstCpus)],
    coldStartMs: median(coldStarts),
    bootMs: median(colds.map((run) => run.bootMs)),
    firstWallMs,
    firstCpuMs,
    warmWallMs,
    warmCpuMs: median(warm.map((call) => call.cpuMs)),
    warmPhases: typical.phases,
    firstPhases: measurement.first.phases,
    wallMs: Math.max(firstWallMs, ...measurement.warm.map((call) => call.wallMs)),
    cpuMs: Math.max(firstCpuMs, ...measurement.warm.map((call) => call.cpuMs)),
    peakRssMb: Math.max(...colds.map((run) => run.peakRssMb)),
    heapPlusExternalMb: Math.max(...colds.map((run) => run.peakHeapPlusExternalMb)),
    scored: measurement.first.scored,
    gamesPerSecond: (measurement.first.scored / warmWallMs) * 1000,
  }
}

/** What failed in one size's measurements (empty when everything was measured). */
export function sizeFailures(size: SizeSummary): string[] {
  const failures: Array<[string, { error: string } | object | null]> = [
    ['one request', size.single],
    ['one request per state', size.perState],
    ['the onnxruntime-web engine', size.onnxruntimeEngine],
  ]
  return [
    ...failures.flatMap(([what, outcome]) =>
      outcome && 'error' in outcome ? [`${size.games} games, ${what}: ${outcome.error}`] : []
    ),
    ...(size.baselineError
      ? [`${size.games} games, per-game baseline: ${size.baselineError}`]
      : []),
  ].map((line) => line.split('\n')[0] ?? line)
}

/** The numbers of one size. */
export function summarizeSize(size: SizeResult): SizeSummary {
  const single = size.single.ok
    ? invocation(size.single.value, size.moreColdStarts)
    : { error: size.single.error }
  let perState: SizeSummary['perState'] = null
  if (size.perState) {
    perState = size.perState.ok
      ? {
        calls: [size.perState.value.first, ...size.perState.value.warm].map((call, index) => ({
          state: size.states[index] ?? '?',
          wallMs: call.wallMs,
          cpuMs: call.cpuMs,
        })),
        peakRssMb: size.perState.value.peakRssMb,
      }
      : { error: size.perState.error }
  }
  const baseline = size.baseline?.ok ? size.baseline.value : null
  const ours = 'error' in single ? null : single.warmWallMs
  return {
    games: size.games,
    states: size.states,
    loadMs: size.loadMs,
    snapshots: size.snapshots,
    single,
    perState,
    onnxruntimeEngine: size.onnxruntimeEngine === null
      ? null
      : size.onnxruntimeEngine.ok
      ? invocation(size.onnxruntimeEngine.value)
      : { error: size.onnxruntimeEngine.error },
    baselineMs: baseline?.wallMs ?? null,
    baselineError: size.baseline && !size.baseline.ok ? size.baseline.error : null,
    baselineParts: baseline
      ? {
        readMs: baseline.readMs,
        featuresMs: baseline.featuresMs,
        inferenceMs: baseline.inferenceMs,
        writeMs: baseline.writeMs,
      }
      : null,
    baselineRatio: baseline && ours ? baseline.wallMs / ours : null,
  }
}

function round(value: number | null | undefined, digits = 0): number | null {
  if (value === null || value === undefined || !Number.isFinite(value)) return null
  const scale = 10 ** digits
  return Math.round(value * scale) / scale
}

/**
 * The `--json` line: the numbers at 5,000 games (else at the largest size measured), whether each
 * target is met, and the growth of the warm time from 5,000 to 20,000 games when both ran.
 */
export function headlineJson(report: BenchReport): Record<string, unknown> {
  const sizes = report.sizes.map(summarizeSize)
  const size = sizes.find((candidate) => candidate.games === TARGET_GAMES) ??
    [...sizes].sort((a, b) => b.games - a.games)[0]
  if (!size) return { error: 'no size was measured' }
  const single = 'error' in size.single ? null : size.single
  const values = {
    cpu_ms: round(single?.cpuMs),
    wall_ms: round(single?.wallMs),
    peak_rss_mb: round(single?.peakRssMb, 1),
    cold_start_ms: round(single?.coldStartMs),
    baseline_ratio: round(size.baselineRatio, 1),
  }
  const met = Object.fromEntries(
    Object.entries(TARGETS).map(([key, target]) => {
      const value = values[key as keyof typeof values]
      if (value === null) return [key, false]
      return [key, 'max' in target ? value <= target.max : value >= target.min]
    }),
  )
  const large = sizes.find((candidate) => candidate.games === 20_000)
  const largeWarm = large && !('error' in large.single) ? large.single.warmWallMs : null
  return {
    games: size.games,
    ...values,
    cold_runs: single?.coldRuns ?? null,
    cold_start_range_ms: single?.coldStartRangeMs.map((value) => round(value)) ?? null,
    first_cpu_range_ms: single?.firstCpuRangeMs.map((value) => round(value)) ?? null,
    first_cpu_ms: round(single?.firstCpuMs),
    first_wall_ms: round(single?.firstWallMs),
    warm_cpu_ms: round(single?.warmCpuMs),
    warm_wall_ms: round(single?.warmWallMs),
    boot_ms: round(single?.bootMs),
    heap_plus_external_mb: round(single?.heapPlusExternalMb, 1),
    games_per_second: round(single?.gamesPerSecond),
    baseline_ms: round(size.baselineMs),
    growth_5k_to_20k: largeWarm && single ? round(largeWarm / single.warmWallMs, 2) : null,
    targets_met: met,
    model: report.model.version,
    error: 'error' in size.single ? size.single.error.split('\n')[0] : undefined,
  }
}
