import { CancelledError, MAX_WALL_DELAY_MS } from '../runtime'
import type { EventLoop, ShutdownReport, Task } from '../runtime'

/**
 * Stops a group of tasks the way the loop's own shutdown does, without touching the loop's other
 * tasks: cancels them newest-first with `reason`, lets their cleanup run for up to `graceMs` of
 * real (wall-clock) time, then reports what finished, what was still running, and cleanup errors
 * (a task that ended `failed` instead of cancelled). A task still unfinished when the grace runs out
 * ends `abandoned`, as the loop's own shutdown leaves it: left `cancelling`, it read as live in every
 * count while its daemon read stopped. Call from outside the loop's tasks.
 */
export async function stopTasks(
  loop: EventLoop,
  tasks: readonly Task<unknown>[],
  graceMs: number,
  reason: string,
): Promise<ShutdownReport> {
  const started = loop.time()
  const wall = loop.wallTimer
  const wallStarted = wall.now()
  const live = tasks.filter((t) => !t.done())
  for (const t of [...live].reverse()) t.cancel(reason, { source: 'shutdown' })

  if (live.length > 0) {
    await new Promise<void>((resolve) => {
      let left = live.length
      // Grace is wall time (the loop's timer, callLater, made a 5 s grace last 500 s at speed 0.01).
      const timer = graceMs <= MAX_WALL_DELAY_MS ? wall.setTimeout(resolve, graceMs) : null
      for (const t of live) {
        t.addDoneCallback(() => {
          if (--left === 0) {
            if (timer !== null) wall.clearTimeout(timer)
            resolve()
          }
        })
      }
    })
  }

  const report: ShutdownReport = {
    graceMs,
    elapsedMs: loop.time() - started,
    wallMs: Math.round(wall.now() - wallStarted),
    finished: [],
    forced: [],
    cleanupErrors: [],
  }
  for (const t of live) {
    if (!t.done()) {
      t._abandon()
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
