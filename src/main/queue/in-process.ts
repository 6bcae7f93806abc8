// The embedded default: a bounded runtime Queue inside this process. No server, nothing to
// install; jobs live as long as the process does (the jobs daemon keeps its own pending rows in
// SQLite for that).
import { CancelledError, Queue } from '../runtime'
import type { JobHandler, JobOutcome, ProcessOptions, QueueBackend, QueueCounts, QueuedJob } from './types'

/**
 * A queue of at most `maxSize` jobs taken by `concurrency` worker tasks. A worker that is
 * cancelled while its handler runs lets the handler finish its cleanup (the handler decides what
 * "finish" means) and then ends.
 *
 * @example const backend = inProcessBackend<Order>(100)
 */
export function inProcessBackend<T, R = unknown>(maxSize: number): QueueBackend<T, R> {
  const queue = new Queue<QueuedJob<T>>(maxSize)
  const counts: QueueCounts = { waiting: 0, active: 0, completed: 0, failed: 0, delayed: 0 }
  const listeners = new Set<(o: JobOutcome<R>) => void>()
  const tell = (o: JobOutcome<R>) => listeners.forEach((l) => l(o))
  return {
    kind: 'in-process',
    add: (id, data) => queue.put({ id, data, attempt: 1, attempts: 1 }),
    process(handler: JobHandler<T, R>, { loop, concurrency, name = 'job-worker' }: ProcessOptions) {
      return Array.from({ length: concurrency }, (_, k) => {
        const slot = `${name}-${k + 1}`
        return loop.createTask(
          async () => {
            for (;;) {
              const job = await queue.get()
              counts.active++
              try {
                const value = await handler(job, slot)
                counts.completed++
                tell({ id: job.id, attempt: 1, ok: true, value })
              } catch (error) {
                // A handler ends its job in its cleanup, then passes the stop on: the worker ends.
                if (error instanceof CancelledError) throw error
                counts.failed++
                tell({ id: job.id, attempt: 1, ok: false, error: error instanceof Error ? error.message : String(error) })
              } finally {
                counts.active--
                queue.taskDone()
              }
            }
          },
          { name: slot },
        )
      })
    },
    onFinished(listener) {
      listeners.add(listener)
      return () => void listeners.delete(listener)
    },
    counts: () => ({ ...counts, waiting: queue.qsize() }),
    close: async () => {},
  }
}
