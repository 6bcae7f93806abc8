import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import type { StatsSample, TaskCounts } from './types'

const MB = 1024 * 1024
const round = (x: number, digits = 3): number => {
  const f = 10 ** digits
  return Number.isFinite(x) ? Math.round(x * f) / f : 0
}

/**
 * Samples this process: Node event-loop delay (how long something — a long task step — kept Node
 * from its timers and I/O), task counts, memory and CPU. Each `take()` covers the time since the
 * previous one. `dispose()` stops the delay histogram.
 */
export function createSampler(taskCounts: () => TaskCounts): { take(seq: number): StatsSample; dispose(): void } {
  // Node's histogram records the whole interval between its timer's ticks (an idle loop reads
  // ≈ 10.2 ms at a 10 ms resolution): the delay is what exceeds the resolution.
  const resolutionMs = 10
  const delay = monitorEventLoopDelay({ resolution: resolutionMs })
  delay.enable()
  let cpu = process.cpuUsage()
  let wall = performance.now()
  return {
    take(seq) {
      const now = performance.now()
      const used = process.cpuUsage(cpu)
      const elapsedMs = now - wall
      const ns = (x: number): number => (delay.count > 0 ? round(Math.max(0, x / 1e6 - resolutionMs)) : 0)
      const memory = process.memoryUsage()
      const sample: StatsSample = {
        wall: Date.now(),
        loopDelayMs: {
          mean: ns(delay.mean),
          p50: ns(delay.percentile(50)),
          p99: ns(delay.percentile(99)),
          max: ns(delay.max),
        },
        tasks: taskCounts(),
        memory: { rssMb: round(memory.rss / MB, 1), heapUsedMb: round(memory.heapUsed / MB, 1) },
        cpuPercent: elapsedMs > 0 ? round(((used.user + used.system) / 1000 / elapsedMs) * 100, 1) : 0,
        extra: { seq, intervalRealMs: round(elapsedMs, 1) },
      }
      delay.reset()
      cpu = process.cpuUsage()
      wall = now
      return sample
    },
    dispose() {
      delay.disable()
    },
  }
}

/** Counts tasks by state (the default provider: the daemons loop's own tasks). */
export function countByState(tasks: Iterable<{ state: string }>): TaskCounts {
  const counts: Record<string, number> = {}
  for (const t of tasks) counts[t.state] = (counts[t.state] ?? 0) + 1
  return counts as TaskCounts
}
