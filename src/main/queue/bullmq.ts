// The BullMQ backend: jobs live in Redis, any number of processes (on any machine) take them.
// BullMQ does the queueing, locking, stalled-job recovery, retries and counts; this file only maps
// a BullMQ job onto a runtime task, so each job is a task the window shows and can cancel.
import { Job, Queue, WaitingError, Worker } from 'bullmq'
import type { WorkerOptions } from 'bullmq'
import { CancelledError, Event, sleep, waitFor } from '../runtime'
import { settlesWithin, within } from './settles-within'
import type { Task } from '../runtime'
import { redisOptions } from './redis-url'
import type { JobHandler, JobOutcome, ProcessOptions, QueueBackend, QueueCounts } from './types'
import { QUEUE_COUNT_KINDS } from './types'
import { errorLines } from './error-lines'

/** How long a stopping worker waits for BullMQ to move a job back to waiting. */
const RELEASE_MS = 2000
/** How long a close waits for BullMQ once no job is in hand, before it drops the connections. */
const CLOSE_MS = 1500

/** BullMQ's close once the jobs in hand are done: bounded, then the connections are dropped. */
async function closeWithin(worker: Worker, closing: Promise<void>): Promise<void> {
  if (!(await settlesWithin(closing, CLOSE_MS))) await settlesWithin(worker.disconnect(), CLOSE_MS)
}

/** The queue's name when none is given. */
export const DEFAULT_QUEUE_NAME = 'loopwatch-jobs'

export interface BullmqBackendOptions {
  url: string
  queue?: string
  /** Runs per job before it lands in the failed set (BullMQ `attempts`, default 1). */
  attempts?: number
  /** How this process's worker is named in the tasks (default `worker <pid>`). */
  slot?: string
  /** Lock and stalled-check settings (BullMQ's; short ones make tests of a killed worker quick). */
  worker?: Pick<WorkerOptions, 'lockDuration' | 'stalledInterval' | 'maxStalledCount'>
  /** A connection or worker error (BullMQ reconnects on its own); default: one line on stderr. */
  onError?: (error: Error) => void
}

/** The task name of a job run: its id and which attempt this is. */
export function jobTaskName(id: string, attempt: number, attempts: number): string {
  // A stalled job's rerun does not count against `attempts` (BullMQ's maxStalledCount does): "of N" only when retries are on.
  return attempts > 1 || attempt > 1 ? `job ${id} (attempt ${attempt}${attempts > 1 ? ` of ${attempts}` : ''})` : `job ${id}`
}

/**
 * A BullMQ queue on `url`. `process()` starts one BullMQ Worker whose every job runs as a runtime
 * task named `job <id>`; the task's return value is the job's return value, a throw (or a cancel)
 * fails it — BullMQ then retries or moves it to the failed set as its `attempts` say.
 *
 * @example const backend = bullmqBackend<{ ms: number }>({ url: 'redis://127.0.0.1:6379' })
 */
export function bullmqBackend<T, R = unknown>(
  opts: BullmqBackendOptions,
): QueueBackend<T, R> & { readonly queue: Queue; releaseJobsInHand(reason: string): number; readonly released: number } {
  const connection = redisOptions(opts.url)
  const name = opts.queue ?? DEFAULT_QUEUE_NAME
  const onError = opts.onError ?? errorLines((line) => void process.stderr.write(`${line}\n`), 'loopwatch queue')
  const queue = new Queue(name, { connection })
  queue.on('error', onError)
  /** Each started worker's close (once, whoever asks first). */
  const closers: { worker: Worker; close: () => Promise<void> }[] = []
  let closed: Promise<void> | null = null
  const listeners = new Set<(o: JobOutcome<R>) => void>()
  const tell = (o: JobOutcome<R>) => listeners.forEach((l) => l(o))
  /** The job tasks running now, and whether their cancel should hand the job back instead of failing it. */
  const inHand = new Set<Task<R>>()
  let releasing = false
  let released = 0

  return {
    kind: 'bullmq',
    queue,
    // waitFor: a foreign promise awaited as a runtime future keeps the calling task on its loop.
    add: (id: string, data: T) => waitFor(queue.add('job', data, { jobId: id, attempts: opts.attempts ?? 1 }).then(() => undefined), null),
    process(handler: JobHandler<T, R>, { loop, concurrency, name: taskName = 'bullmq-worker' }: ProcessOptions): Task<unknown>[] {
      const slot = opts.slot ?? `worker ${process.pid}`
      let closing: Promise<void> | null = null
      /**
       * Stops taking jobs (BullMQ's close), then moves job `id` back to waiting through the Queue's
       * own connection: the worker's may be held by its long poll for the next job (BullMQ 6.7 then
       * lets the move wait behind it). Bounded: a job not moved back stays active until its lock
       * expires, and BullMQ's stalled check hands it on.
       */
      const handBack = async (id: string, token: string): Promise<void> => {
        void closeOnce()
        const move = Job.fromId(queue, id).then(async (mine) => {
          if (!mine) return false
          await mine.moveToWait(token)
          return true
        })
        if (await within(move, RELEASE_MS, false)) released++
      }
      const worker = new Worker(
        name,
        async (job: Job, token?: string) => {
          const id = job.id ?? '?'
          // Taken while this worker stops (BullMQ fetched it before the close reached it): it goes
          // straight back, no task started on a loop that is shutting down.
          if (token !== undefined && (closing !== null || releasing || supervisor.cancelRequest() !== null)) {
            await handBack(id, token)
            throw new WaitingError(`job ${id} released: worker stopping`)
          }
          const attempts = job.opts.attempts ?? 1
          const attempt = job.attemptsStarted
          const task = loop.createTask(() => handler({ id, data: job.data as T, attempt, attempts }, slot), {
            name: jobTaskName(id, attempt, attempts),
          })
          inHand.add(task)
          try {
            return await task
          } catch (error) {
            // A job cancelled because this worker stops (its loop shut down, or its grace ran out)
            // is not the job's failure: it goes back to waiting, unused attempt and all, for any
            // worker to take. A cancel of the job itself (the window's) fails it as its attempts say.
            const why = task.cancelRequest()
            if (error instanceof CancelledError && token !== undefined && (releasing || why?.source === 'shutdown')) {
              await handBack(id, token)
              throw new WaitingError(`job ${id} released: ${why?.reason ?? 'worker stopping'}`)
            }
            throw error
          } finally {
            inHand.delete(task)
          }
        },
        // name: BullMQ stores it on each job it takes (processedBy), so a job says which process has it.
        // drainDelay: a worker with a free slot long-polls Redis for the next job, and its close waits
        // for that poll to return; 1 s (BullMQ's default is 5) lets a stop end within a short grace.
        { connection, concurrency, name: slot, drainDelay: 1, ...opts.worker },
      )
      worker.on('error', onError)
      worker.on('completed', (job: Job, value: R) => tell({ id: job.id ?? '?', attempt: job.attemptsStarted, ok: true, value }))
      worker.on('failed', (job: Job | undefined, error: Error) => {
        if (job) tell({ id: job.id ?? '?', attempt: job.attemptsStarted, ok: false, error: error.message })
      })
      const closeOnce = (): Promise<void> => (closing ??= worker.close().catch(onError))
      closers.push({ worker, close: closeOnce })
      // Stays waiting while the worker takes jobs; cancelling it stops taking new ones at once, lets
      // the jobs in hand (their own tasks) settle, then waits a bounded while for BullMQ's close.
      const stop = new Event()
      const supervisor = loop.createTask(
        async () => {
          try {
            await stop.wait()
          } finally {
            const closed = closeOnce()
            try {
              while (inHand.size > 0) await sleep(20)
            } catch (error) {
              if (!(error instanceof CancelledError)) throw error
            }
            await waitFor(closeWithin(worker, closed), null)
          }
        },
        { name: taskName },
      )
      return [supervisor]
    },
    /** Jobs this process handed back to the queue (cancelled because it stopped). */
    get released() {
      return released
    },
    /** Cancels every job in hand and hands each back to the queue (waiting again); returns how many. */
    releaseJobsInHand(reason: string): number {
      releasing = true
      let n = 0
      for (const t of inHand) if (t.cancel(reason)) n++
      return n
    },
    onFinished(listener) {
      listeners.add(listener)
      return () => void listeners.delete(listener)
    },
    async counts(): Promise<QueueCounts> {
      const c = await queue.getJobCounts(...QUEUE_COUNT_KINDS)
      return Object.fromEntries(QUEUE_COUNT_KINDS.map((k) => [k, c[k] ?? 0])) as QueueCounts
    },
    close() {
      closed ??= (async () => {
        await Promise.all(closers.map(({ worker, close }) => closeWithin(worker, close())))
        if (!(await settlesWithin(queue.close(), CLOSE_MS))) await settlesWithin(queue.disconnect(), CLOSE_MS)
      })()
      return closed
    },
  }
}
