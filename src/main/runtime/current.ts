/**
 * Which loop and task are running right now. The loop sets these around each step; there is no
 * AsyncLocalStorage (measured ≈ 5× dearer per task switch). A task's step lasts until V8's
 * microtask queue has drained, so code running inside it sees the right task.
 */
import type { EventLoop } from './loop'
import type { Task } from './task'
import { RuntimeError } from './errors'

export const current: { loop: EventLoop | null; task: Task<unknown> | null } = { loop: null, task: null }

/** The running loop, inside tasks and loop callbacks; else RuntimeError "no running event loop". */
export function getRunningLoop(): EventLoop {
  const loop = current.loop
  if (loop === null) throw new RuntimeError('no running event loop')
  return loop
}

/** The task whose step is running, or null outside tasks (e.g. in a loop callback). */
export function currentTask(): Task<unknown> | null {
  return current.task
}
