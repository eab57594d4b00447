/**
 * CPU time and memory of a process (and its descendants) from Linux's /proc: what the benchmark
 * reports for the served function. CPU time is utime + stime of every thread, plus that of
 * children the process has waited for, plus that of live descendants.
 */
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'

let ticksPerSecond: number | undefined

/** Clock ticks per second of /proc's CPU times (`getconf CLK_TCK`, usually 100). */
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim())
    } catch {
      ticksPerSecond = 100
    }
    if (!(ticksPerSecond > 0)) ticksPerSecond = 100
  }
  return ticksPerSecond
}

function ownAndWaitedTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // Fields after the command name (which may hold spaces), from field 3 (state) on.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const [utime, stime, cutime, cstime] = [11, 12, 13, 14].map((index) => Number(fields[index]))
  return (utime ?? 0) + (stime ?? 0) + (cutime ?? 0) + (cstime ?? 0)
}

function childrenOf(pid: number): number[] {
  const children: number[] = []
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      const list = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim()
      if (list !== '') children.push(...list.split(' ').map(Number))
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return children
}

/** CPU milliseconds used so far by a process and its descendants. */
export function processCpuMs(pid: number): number {
  let ticks = 0
  const pending = [pid]
  while (pending.length > 0) {
    const next = pending.pop() as number
    try {
      ticks += ownAndWaitedTicks(next)
      pending.push(...childrenOf(next))
    } catch {
      // A descendant that ended meanwhile is counted by its parent once waited for.
    }
  }
  return (ticks * 1000) / clockTicks()
}

function statusField(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const match = status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'))
  if (!match?.[1]) throw new Error(`Cannot read ${field} of process ${pid}`)
  return Number(match[1]) / 1024
}

/** Peak resident set size of a process so far (VmHWM), in MiB. */
export function peakRssMb(pid: number): number {
  return statusField(pid, 'VmHWM')
}

/** Resident set size of a process now (VmRSS), in MiB. */
export function rssMb(pid: number): number {
  return statusField(pid, 'VmRSS')
}
