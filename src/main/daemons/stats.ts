import { CancelledError, currentTask, sleep, waitFor } from '../runtime'
import type { StatsConfig } from './config'
import { createSampler } from './metrics'
import type { DaemonContext, RunningDaemon, StatsSample } from './types'

/**
 * The course's Example 2 — a daemon that "once a minute sends the system's state to a third-party
 * service" — with real metrics and a real HTTP POST. The request is a foreign promise, so it is
 * awaited through `waitFor(p, null)` (cancellation reaches the await) and given the task's signal
 * (cancellation aborts the socket). A collector outage is logged, not fatal.
 */
export function startStats(ctx: DaemonContext, config: StatsConfig): RunningDaemon {
  const task = ctx.loop.createTask(
    async () => {
      const sampler = createSampler(ctx.taskCounts)
      try {
        for (let seq = 1; ; seq++) {
          await sleep(config.intervalMs)
          const sample = sampler.take(seq)
          try {
            await waitFor(postSample(ctx.collectorUrl, sample, currentTask()?.signal), null)
            ctx.log(
              `${(sample.wall / 1000).toFixed(3)}: stat #${seq} sent (loop delay p99 ${sample.loopDelayMs.p99} ms, rss ${sample.memory.rssMb} MB, cpu ${sample.cpuPercent}%)`,
            )
          } catch (error) {
            if (error instanceof CancelledError) throw error
            ctx.log(`stat #${seq} not delivered: ${(error as Error).message}`, 'stderr')
          }
        }
      } finally {
        sampler.dispose()
      }
    },
    { name: 'stats-daemon' },
  )
  return { tasks: [task] }
}

/** POSTs one sample to the collector; rejects on a non-2xx answer. */
export async function postSample(baseUrl: string, sample: StatsSample, signal?: AbortSignal): Promise<void> {
  const res = await fetch(`${baseUrl}/samples`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(sample),
    ...(signal ? { signal } : {}),
  })
  // Drain the body so the keep-alive socket can be reused.
  const text = await res.text()
  if (!res.ok) throw new Error(`collector answered ${res.status}: ${text.slice(0, 200)}`)
}
