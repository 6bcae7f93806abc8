/** run() and the module-level helpers that find the running loop. */
import type { Clock } from './clock'
import { current, getRunningLoop } from './current'
import { RuntimeError } from './errors'
import { EventLoop } from './loop'
import type { Task } from './task'
import { validateCoroutineFunction } from './validate'

export { setDefaultClock } from './loop'

/**
 * asyncio.run: makes a loop, runs `main` as a task, then cancels whatever is left and waits for its
 * cleanup (up to `graceMs`, default unlimited), and closes the loop. Resolves with main's result or
 * rejects with its error. Anything but a function rejects with TypeError.
 * @example await run(async () => { await sleep(1000); return 'done' }, { clock: new VirtualClock() })
 */
export async function run<T>(main: () => PromiseLike<T>, opts: { clock?: Clock; graceMs?: number } = {}): Promise<T> {
  validateCoroutineFunction(main)
  if (current.task !== null) throw new RuntimeError('run() cannot be called from a running task; await instead')
  const loop = new EventLoop(opts?.clock ? { clock: opts.clock } : {})
  try {
    const task = loop.createTask(main, { name: 'main' })
    return await loop.runUntilComplete(task)
  } finally {
    await loop.shutdown({ graceMs: opts?.graceMs ?? Infinity, recancel: true })
    if (!loop.isRunning()) loop.close()
  }
}

/** Starts a task on the running loop. */
export function createTask<T>(coro: () => PromiseLike<T>, opts?: { name?: string }): Task<T> {
  return getRunningLoop().createTask(coro, opts)
}

/** The running loop's not-done tasks. */
export function allTasks(): Set<Task<unknown>> {
  return getRunningLoop().allTasks()
}
