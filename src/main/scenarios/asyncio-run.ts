import type { EventLoop, Task } from '../runtime/index'

/**
 * `asyncio.run(main())` on a given loop: runs `main` as a task named "main", then — however it
 * ended — cancels every task still alive and waits for their cleanup, as asyncio.run does.
 * Errors raised by those tasks while cancelling are reported through `warn` (CPython logs them
 * as "unhandled exception during asyncio.run() shutdown").
 */
export async function asyncioRun<T>(loop: EventLoop, main: () => Promise<T>, warn: (message: string) => void): Promise<T> {
  const task = loop.createTask(main, { name: 'main' })
  try {
    return await loop.runUntilComplete(task)
  } finally {
    await cancelAllTasks(loop, warn)
  }
}

async function cancelAllTasks(loop: EventLoop, warn: (message: string) => void): Promise<void> {
  const left = [...loop.allTasks()]
  if (left.length === 0) return
  // The loop's own shutdown with no time limit (asyncio.run waits for every cleanup), cancelling
  // again what the program cancelled but did not await, as asyncio.run does. Tasks a graceful
  // stop() already asked are left to finish their cleanup, and the loop is shared with that stop().
  await loop.shutdown({ graceMs: Infinity, recancel: true })
  for (const task of left) reportShutdownError(task, warn)
}

function reportShutdownError(task: Task<unknown>, warn: (message: string) => void): void {
  if (task.cancelled()) return
  const error = task.exception()
  if (error === null) return
  const text = error instanceof Error ? `${error.name}(${JSON.stringify(error.message)})` : String(error)
  warn(`unhandled exception during asyncio.run() shutdown: task ${task.name}: ${text}`)
}
