import { CancelledError, Queue, sleep } from '../runtime'
import type { JobsConfig } from './config'
import { jobStore, orderFactory } from './orders'
import type { Job } from './orders'
import type { DaemonContext, RunningDaemon } from './types'

/**
 * The course's "server under load writing to a database": a producer feeds faker orders into a
 * bounded Queue (back-pressure when full), N workers take them and write each in one transaction.
 * On stop the producer stops; a worker holding a job writes it in its cleanup before ending; jobs
 * still queued stay `pending` in the database and are the first taken at the next start.
 */
export function startJobs(ctx: DaemonContext, config: JobsConfig): RunningDaemon {
  const { loop } = ctx
  const store = jobStore(ctx.history.db)
  const nextOrder = orderFactory(config.seed)
  const queue = new Queue<Job>(config.queueSize)
  const counts = { done: 0, failed: 0, finishedInCleanup: 0 }

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

  const producer = loop.createTask(
    async () => {
      for (const job of store.pending()) await queue.put(job)
      for (;;) {
        const order = nextOrder()
        await queue.put({ id: store.accept(order), order })
        await sleep(config.produceEveryMs)
      }
    },
    { name: 'jobs-producer' },
  )

  const workers = Array.from({ length: config.workers }, (_, k) => {
    const name = `job-worker-${k + 1}`
    return loop.createTask(
      async () => {
        for (;;) {
          const job = await queue.get()
          let stop: CancelledError | null = null
          try {
            await sleep(config.jobMs) // the job's own work, before its write
          } catch (error) {
            if (!(error instanceof CancelledError)) throw error
            stop = error
          }
          // Cleanup included: a job in hand is finished, never dropped.
          write(job, name, stop !== null)
          queue.taskDone()
          if (stop) throw stop
        }
      },
      { name },
    )
  })

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
        ctx.jobsProgress({
          wall: Date.now(),
          done: counts.done,
          failed: counts.failed,
          queued: queue.qsize(),
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
