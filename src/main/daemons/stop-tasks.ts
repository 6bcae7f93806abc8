import { CancelledError } from '../runtime'
import type { EventLoop, ShutdownReport, Task } from '../runtime'

/**
 * Stops a group of tasks the way the loop's own shutdown does, without touching the loop's other
 * tasks: cancels them newest-first with `reason`, lets their cleanup run for up to `graceMs` of the
 * loop's clock, then reports what finished, what was still running, and cleanup errors (a task
 * that ended `failed` instead of cancelled). Call from outside the loop's tasks.
 */
export async function stopTasks(
  loop: EventLoop,
  tasks: readonly Task<unknown>[],
  graceMs: number,
  reason: string,
): Promise<ShutdownReport> {
  const started = loop.time()
  const live = tasks.filter((t) => !t.done())
  for (const t of [...live].reverse()) t.cancel(reason, { source: 'shutdown' })

  if (live.length > 0) {
    await new Promise<void>((resolve) => {
      let left = live.length
      const timer = loop.callLater(graceMs, resolve)
      for (const t of live) {
        t.addDoneCallback(() => {
          if (--left === 0) {
            timer.cancel()
            resolve()
          }
        })
      }
    })
  }

  const report: ShutdownReport = {
    graceMs,
    elapsedMs: loop.time() - started,
    finished: [],
    forced: [],
    cleanupErrors: [],
  }
  for (const t of live) {
    if (!t.done()) {
      report.forced.push({ id: t.id, name: t.name })
      continue
    }
    report.finished.push({ id: t.id, name: t.name, state: t.state })
    if (t.state === 'failed') {
      const error = t.exception()
      if (!(error instanceof CancelledError)) {
        report.cleanupErrors.push({ id: t.id, name: t.name, message: error instanceof Error ? error.message : String(error) })
      }
    }
  }
  return report
}
