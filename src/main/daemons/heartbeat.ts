import { CancelledError, currentTask, sleep } from '../runtime'
import type { HeartbeatConfig } from './config'
import type { DaemonContext, RunningDaemon } from './types'

/** Loop ms a cancelled worker spends on its cleanup: long enough that a person sees `cancelling`. */
export const HEARTBEAT_CLEANUP_MS = 50

/**
 * The course's "Task" section daemon: N workers, each printing a heartbeat every interval, forever
 * (print first, then sleep, as the course's `worker(idx)` does). A cancelled worker says who
 * stopped it and why, spends HEARTBEAT_CLEANUP_MS on its cleanup, and ends `cancelled`.
 */
export function startHeartbeat(ctx: DaemonContext, config: HeartbeatConfig): RunningDaemon {
  const tasks = []
  for (let i = 1; i <= config.workers; i++) {
    const name = `worker-${i}`
    tasks.push(
      ctx.loop.createTask(
        async () => {
          try {
            for (;;) {
              ctx.log(`${name} heartbeat`)
              await sleep(config.intervalMs)
            }
          } catch (e) {
            if (e instanceof CancelledError) {
              ctx.log(`${name} stopping (${cancelledBy()})`)
              // A cleanup step on the loop clock; a second cancel cuts it short, which is fine.
              await sleep(HEARTBEAT_CLEANUP_MS)
              ctx.log(`${name} stopped`)
            }
            throw e
          }
        },
        { name },
      ),
    )
  }
  return { tasks }
}

/** "cancelled by user: reason", read from the current task's cancel request. */
function cancelledBy(): string {
  const req = currentTask()?.cancelRequest()
  if (!req) return 'cancelled'
  return `cancelled by ${req.source}${req.reason ? `: ${req.reason}` : ''}`
}
