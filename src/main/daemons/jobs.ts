import { CancelledError, sleep, waitFor } from '../runtime'
import { bullmqBackend, inProcessBackend, redisUrlFrom } from '../queue'
import type { QueueBackend, QueueCounts } from '../queue'
import type { JobsConfig } from './config'
import { jobStore, orderFactory } from './orders'
import type { Job } from './orders'
import type { DaemonContext, RunningDaemon } from './types'

/** On BullMQ a job id must not be a bare integer: the daemon's jobs are `order-<row id>`. */
const bullmqJobId = (id: number): string => `order-${id}`

/** The queue the jobs run on: BullMQ when a Redis URL is set (settings, else LOOPWATCH_REDIS_URL), else in-process. */
function backendFor(config: JobsConfig): QueueBackend<Job> & { jobId(id: number): string } {
  const url = redisUrlFrom(config.redisUrl)
  if (url === null) return Object.assign(inProcessBackend<Job>(config.queueSize), { jobId: String })
  return Object.assign(bullmqBackend<Job>({ url, queue: config.queue }), { jobId: bullmqJobId })
}

/**
 * The course's "server under load writing to a database": a producer feeds faker orders into a
 * bounded queue (back-pressure when full), N workers take them and write each in one transaction.
 * On stop the producer stops; a worker holding a job writes it in its cleanup before ending; jobs
 * still queued stay `pending` in the database and are the first taken at the next start.
 * The queue is the in-process one by default, or BullMQ on Redis (config.redisUrl): then the
 * jobs wait in Redis, any `loopwatch worker` can take them too, and a stop lets the jobs in hand
 * finish (BullMQ's graceful close) before the daemon ends.
 */
export function startJobs(ctx: DaemonContext, config: JobsConfig): RunningDaemon {
  const { loop } = ctx
  const store = jobStore(ctx.history.db)
  const nextOrder = orderFactory(config.seed)
  const backend = backendFor(config)
  const counts = { done: 0, failed: 0, finishedInCleanup: 0 }
  const queueCounts = async (): Promise<QueueCounts> => {
    const c = backend.counts()
    return c instanceof Promise ? await waitFor(c, null) : c
  }

  const write = (job: Job, worker: string, inCleanup: boolean): void => {
    try {
      if (store.complete(job, worker)) {
        counts.done++
        if (inCleanup) counts.finishedInCleanup++
      }
    } catch (error) {
      // The transaction rolled back: the job is still pending and will be retried at next start.
      counts.failed++
      ctx.log(`job ${job.id} not written: ${(error as Error).message}`, 'stderr')
    }
  }

  const add = async (job: Job): Promise<void> => {
    // Redis has no bounded queue: the producer waits while queueSize jobs already wait.
    while (backend.kind === 'bullmq' && (await queueCounts()).waiting >= config.queueSize) await sleep(Math.max(config.jobMs, 10))
    await backend.add(backend.jobId(job.id), job)
  }

  const producer = loop.createTask(
    async () => {
      try {
        for (const job of store.pending()) await add(job)
        for (;;) {
          const order = nextOrder()
          await add({ id: store.accept(order), order })
          await sleep(config.produceEveryMs)
        }
      } finally {
        if (backend.kind === 'bullmq') await backend.close()
      }
    },
    { name: 'jobs-producer' },
  )

  const workers = backend.process(
    async ({ data: job }, slot) => {
      let stop: CancelledError | null = null
      try {
        await sleep(config.jobMs) // the job's own work, before its write
      } catch (error) {
        if (!(error instanceof CancelledError)) throw error
        stop = error
      }
      // Cleanup included: a job in hand is finished, never dropped.
      write(job, slot, stop !== null)
      if (stop) throw stop
    },
    { loop, concurrency: config.workers, name: 'job-worker' },
  )

  const t0 = loop.time()
  const progress = loop.createTask(
    async () => {
      let lastDone = 0
      let lastT = t0
      for (;;) {
        await sleep(config.progressMs)
        const now = loop.time()
        const seconds = (now - lastT) / 1000
        const jobsPerSec = seconds > 0 ? Math.round(((counts.done - lastDone) / seconds) * 10) / 10 : 0
        const queued = (await queueCounts()).waiting
        ctx.jobsProgress({
          wall: Date.now(),
          done: counts.done,
          failed: counts.failed,
          queued,
          pending: store.pendingCount(),
          perSecond: jobsPerSec,
        })
        lastDone = counts.done
        lastT = now
      }
    },
    { name: 'jobs-progress' },
  )

  return {
    tasks: [producer, ...workers, progress],
    workers,
    afterStop: () => ({ ...counts, pending: store.pendingCount() }),
  }
}
