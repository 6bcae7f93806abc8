/**
 * Which loop and task are running right now. The loop sets these around each step; there is no
 * AsyncLocalStorage (measured ≈ 5× dearer per task switch). A task's step lasts until V8's
 * microtask queue has drained, so code running inside it sees the right task.
 */
import type { EventLoop } from './loop'
import type { Task } from './task'
import type { Future } from './future'
import { RuntimeError } from './errors'

export const current: {
  loop: EventLoop | null
  task: Task<unknown> | null
  /** loops with tasks whose last step ended on a foreign promise (not parked, not done) */
  detachedLoops: Set<EventLoop>
  /** the first native sleep made in the running step (awaited natively: the task parks on it as the step ends) */
  stepYield: Future<unknown> | null
  /** any further ones, in the order made (rare: side chains of one task) */
  moreYields: Future<unknown>[] | null
  /** inside a plain (non-async) coroutine's first call: what it makes may be its return value (see sleep) */
  plainCoro: boolean
} = { loop: null, task: null, detachedLoops: new Set(), stepYield: null, moreYields: null, plainCoro: false }

/** The running loop, inside tasks and loop callbacks; else RuntimeError "no running event loop". */
export function getRunningLoop(): EventLoop {
  const loop = current.loop
  if (loop !== null) return loop
  // Code resumed by a foreign promise that a task awaited directly (fetch, fs) runs from Node's own
  // event loop, outside every loop: nothing says which task it belongs to, so it cannot sleep,
  // create tasks or be cancelled there. Say how to keep it on its loop rather than guess a loop.
  throw new RuntimeError(
    current.detachedLoops.size === 0
      ? 'no running event loop'
      : 'no running event loop (if this code runs in a task after it awaited a foreign promise directly — fetch,' +
          ' fs, setTimeout — that task has left its loop: await the promise as `await waitFor(p, null)` instead)',
  )
}

/**
 * The task whose step is running; null inside the running loop but outside tasks (a loop
 * callback). With no running loop, RuntimeError "no running event loop", as CPython 3.12.
 */
export function currentTask(): Task<unknown> | null {
  if (current.loop === null) getRunningLoop() // throws, with the foreign-promise hint when it applies
  return current.task
}
