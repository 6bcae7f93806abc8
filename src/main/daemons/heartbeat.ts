import { sleep } from '../runtime'
import type { HeartbeatConfig } from './config'
import type { DaemonContext, RunningDaemon } from './types'

/**
 * The course's "Task" section daemon: N workers, each printing a heartbeat every interval, forever
 * (print first, then sleep, as the course's `worker(idx)` does).
 */
export function startHeartbeat(ctx: DaemonContext, config: HeartbeatConfig): RunningDaemon {
  const tasks = []
  for (let i = 1; i <= config.workers; i++) {
    tasks.push(
      ctx.loop.createTask(
        async () => {
          for (;;) {
            ctx.log(`worker-${i} heartbeat`)
            await sleep(config.intervalMs)
          }
        },
        { name: `worker-${i}` },
      ),
    )
  }
  return { tasks }
}
