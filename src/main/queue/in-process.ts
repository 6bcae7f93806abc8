// The embedded default: a bounded runtime Queue inside this process. No server, nothing to
// install; jobs live as long as the process does (the jobs daemon keeps its own pending rows in
// SQLite for that). While its workers run it is listed in `inProcessQueues()`, so the app's queue
// view reads its counts without the daemon having to hand it over.
import { CancelledError, Queue } from '../runtime'
import type { QueueWorkerInfo } from '../../shared/queue-contract'
import { Throughput } from './throughput'
import type { JobHandler, JobOutcome, ProcessOptions, QueueBackend, QueueCounts, QueuedJob } from './types'

/** What the queue view reads of a live in-process queue. */
export interface InProcessQueueView {
  counts(): QueueCounts
  throughput: Throughput
  workers(): QueueWorkerInfo[]
}

/** In-process queues whose workers run now (bounded by the daemons that make them: one today). */
const live = new Set<InProcessQueueView>()

/** The in-process queues being worked now, oldest first. */
export function inProcessQueues(): InProcessQueueView[] {
  return [...live]
}

/**
 * A queue of at most `maxSize` jobs taken by `concurrency` worker tasks. A worker that is
 * cancelled while its handler runs lets the handler finish its cleanup (the handler decides what
 * "finish" means) and then ends.
 *
 * @example const backend = inProcessBackend<Order>(100)
 */
export function inProcessBackend<T, R = unknown>(maxSize: number): QueueBackend<T, R> {
  const queue = new Queue<QueuedJob<T>>(maxSize)
  const counts: QueueCounts = { waiting: 0, active: 0, completed: 0, failed: 0, delayed: 0, prioritized: 0 }
  const listeners = new Set<(o: JobOutcome<R>) => void>()
  const tell = (o: JobOutcome<R>) => listeners.forEach((l) => l(o))
  /** Each worker task's job in hand (null: waiting for one). */
  const holding = new Map<string, string | null>()
  const view: InProcessQueueView = {
    counts: () => ({ ...counts, waiting: queue.qsize() }),
    throughput: new Throughput(),
    workers: () => [...holding].map(([name, job]) => ({ name, sourceId: null, active: job === null ? 0 : 1 })),
  }
  return {
    kind: 'in-process',
    add: (id, data) => queue.put({ id, data, attempt: 1, attempts: 1 }),
    process(handler: JobHandler<T, R>, { loop, concurrency, name = 'job-worker' }: ProcessOptions) {
      const tasks = Array.from({ length: concurrency }, (_, k) => {
        const slot = `${name}-${k + 1}`
        holding.set(slot, null)
        return loop.createTask(
          async () => {
            for (;;) {
              const job = await queue.get()
              counts.active++
              holding.set(slot, job.id)
              try {
                const value = await handler(job, slot)
                counts.completed++
                view.throughput.record()
                tell({ id: job.id, attempt: 1, ok: true, value })
              } catch (error) {
                // A handler ends its job in its cleanup, then passes the stop on: the worker ends.
                if (error instanceof CancelledError) throw error
                counts.failed++
                tell({ id: job.id, attempt: 1, ok: false, error: error instanceof Error ? error.message : String(error) })
              } finally {
                counts.active--
                holding.set(slot, null)
                queue.taskDone()
              }
            }
          },
          { name: slot },
        )
      })
      // Listed while any of its workers runs: the daemon never closes an in-process backend.
      live.add(view)
      let left = tasks.length
      for (const t of tasks) {
        t.addDoneCallback(() => {
          holding.delete(t.name)
          if (--left === 0) live.delete(view)
        })
      }
      return tasks
    },
    onFinished(listener) {
      listeners.add(listener)
      return () => void listeners.delete(listener)
    },
    counts: view.counts,
    close: async () => {
      live.delete(view)
    },
  }
}
