/** The benchmark's targets (issue 7), on the benchmark machine, and the size they are set for. */

/** Targets at {@link TARGET_GAMES} games. */
export const TARGETS = {
  cpu_ms: { max: 1000 },
  wall_ms: { max: 3000 },
  peak_rss_mb: { max: 256 },
  cold_start_ms: { max: 1000 },
  baseline_ratio: { min: 20 },
} as const

/** The size the targets are set for. */
export const TARGET_GAMES = 5_000
