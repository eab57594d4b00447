/**
 * Times the real score-games function, served by Deno as `npm run serve` serves it: a fresh
 * process (cold: process start to the first scoring response), then warm calls to the same
 * process. For every call: the client's wall time, the phases the function reports, and the CPU
 * time the function process used meanwhile; for the process: its peak RSS and the V8 heap and
 * external memory its log lines report.
 */
import type { PhaseTimings } from '../../supabase/functions/_shared/run/run.ts'
import { localServiceRoleKey } from '../local-stack/config.ts'
import { spawnFunction } from '../local-stack/function-server.ts'
import { peakRssMb, processCpuMs } from './process-stats.ts'

/** Wall time per phase, as the function answers it (`timings_ms`). */
export type { PhaseTimings }

/** One scoring call. */
export interface ScoringCall {
  /** Client-side wall time of the POST, in ms. */
  wallMs: number
  /** CPU time the function process used during the call, in ms. */
  cpuMs: number
  phases: PhaseTimings
  scored: number
  skipped: number
}

/** Memory the function's run log line reports (MiB). */
export interface RunMemory {
  rss: number
  heap_total: number
  heap_used: number
  external: number
}

/** What one fresh function process measured. */
export interface FunctionMeasurement {
  /** Process start to listening (a GET answers), in ms. */
  bootMs: number
  /** CPU the process used to start and listen, in ms. */
  bootCpuMs: number
  /** Process start to the first scoring response, in ms. */
  coldStartMs: number
  /** The first scoring call (loads the model). */
  first: ScoringCall
  /** Later calls to the same process. */
  warm: ScoringCall[]
  /** Peak RSS of the process over all calls (VmHWM), in MiB. */
  peakRssMb: number
  /** Largest heap used + external reported by a run log line, in MiB. */
  peakHeapPlusExternalMb: number
  /** Memory reported by the last run log line. */
  lastRunMemory: RunMemory | null
}

/** How to call the function. */
export interface FunctionRunOptions {
  port: number
  /**
   * Request bodies (states, prediction date, ...), in order: the first call is the cold one, the
   * others are warm calls to the same process.
   */
  bodies: Record<string, unknown>[]
  env?: Record<string, string>
  /** Called with each call's result as it lands (progress). */
  onCall?: (label: string, call: ScoringCall) => void
}

const phaseNames = ['read', 'features', 'inference', 'write', 'total'] as const

function phasesOf(body: Record<string, unknown>): PhaseTimings {
  const timings = body.timings_ms as Record<string, unknown> | undefined
  const phases = {} as PhaseTimings
  for (const name of phaseNames) {
    const value = timings?.[name]
    if (typeof value !== 'number') {
      throw new Error(`Cannot read the function's answer: timings_ms.${name} is missing`)
    }
    phases[name] = value
  }
  return phases
}

async function scoringCall(
  url: string,
  pid: number,
  requestBody: Record<string, unknown>,
): Promise<ScoringCall & { endedAt: number }> {
  const cpuBefore = processCpuMs(pid)
  const started = performance.now()
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${localServiceRoleKey}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify(requestBody),
  })
  const text = await response.text()
  const endedAt = performance.now()
  const cpuMs = processCpuMs(pid) - cpuBefore
  if (response.status !== 200) {
    throw new Error(`The function answered ${response.status}: ${text.slice(0, 500)}`)
  }
  const body = JSON.parse(text) as Record<string, unknown>
  return {
    wallMs: endedAt - started,
    cpuMs,
    phases: phasesOf(body),
    scored: Number(body.scored),
    skipped: Array.isArray(body.skipped) ? body.skipped.length : 0,
    endedAt,
  }
}

/** Memory fields of every `score_games_run` log line in the function's output. */
export function runMemoryLines(output: string): RunMemory[] {
  const lines: RunMemory[] = []
  for (const line of output.split('\n')) {
    if (!line.includes('"score_games_run"')) continue
    try {
      const entry = JSON.parse(line) as { memory_mb?: RunMemory }
      if (entry.memory_mb) lines.push(entry.memory_mb)
    } catch {
      // Not a log line of ours.
    }
  }
  return lines
}

/** Starts a fresh function process, calls it cold then warm, and stops it. */
export async function measureFunction(options: FunctionRunOptions): Promise<FunctionMeasurement> {
  const server = await spawnFunction({ port: options.port, env: options.env })
  const pid = server.process.pid
  if (pid === undefined) throw new Error('Cannot measure the function: it has no process id')
  try {
    await server.answering({ pollMs: 10 })
    const bootMs = performance.now() - server.spawnedAt
    const bootCpuMs = processCpuMs(pid)
    const [firstBody, ...warmBodies] = options.bodies
    if (firstBody === undefined) throw new Error('Cannot measure the function: no request body')
    const { endedAt, ...first } = await scoringCall(server.url, pid, firstBody)
    options.onCall?.('cold', first)
    const coldStartMs = endedAt - server.spawnedAt
    const warm: ScoringCall[] = []
    for (const [index, body] of warmBodies.entries()) {
      const { endedAt: _, ...result } = await scoringCall(server.url, pid, body)
      options.onCall?.(`warm ${index + 1}`, result)
      warm.push(result)
    }
    const memory = runMemoryLines(server.output())
    return {
      bootMs,
      bootCpuMs,
      coldStartMs,
      first,
      warm,
      peakRssMb: peakRssMb(pid),
      peakHeapPlusExternalMb: Math.max(0, ...memory.map((line) => line.heap_used + line.external)),
      lastRunMemory: memory.at(-1) ?? null,
    }
  } catch (error) {
    const output = server.output().split('\n').slice(-20).join('\n')
    throw new Error(
      `${
        error instanceof Error ? error.message : String(error)
      }\nfunction output (last lines):\n${output}`,
    )
  } finally {
    await server.stop()
  }
}
