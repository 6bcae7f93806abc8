/**
 * Which loop and task are running right now. The loop sets these around each step; there is no
 * AsyncLocalStorage (measured ≈ 5× dearer per task switch). A task's step lasts until V8's
 * microtask queue has drained, so code running inside it sees the right task.
 */
import type { EventLoop } from './loop'
import type { Task } from './task'
import { RuntimeError } from './errors'

export const current: {
  loop: EventLoop | null
  task: Task<unknown> | null
  /** loops with tasks whose last step ended on a foreign promise (not parked, not done) */
  detachedLoops: Set<EventLoop>
} = { loop: null, task: null, detachedLoops: new Set() }

/** The running loop, inside tasks and loop callbacks; else RuntimeError "no running event loop". */
export function getRunningLoop(): EventLoop {
  const loop = current.loop
  if (loop !== null) return loop
  // A task that awaited a foreign promise directly (fetch, fs) resumes from Node's own event loop.
  // When only one loop has such tasks, that code belongs to it: let it sleep and create tasks there.
  // (It is still outside the loop's ordering and cancellation until it awaits through waitFor.)
  if (current.detachedLoops.size === 1) return current.detachedLoops.values().next().value as EventLoop
  throw new RuntimeError(
    current.detachedLoops.size === 0
      ? 'no running event loop'
      : 'no running event loop (several loops have tasks resumed from foreign promises they awaited directly;' +
          ' await such a promise as `await waitFor(p, null)` so the task stays on its loop)',
  )
}

/** The task whose step is running, or null outside tasks (e.g. in a loop callback). */
export function currentTask(): Task<unknown> | null {
  return current.task
}
