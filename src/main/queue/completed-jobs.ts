// The app's record of BullMQ jobs that completed: one row per (queue, job id) in the history
// database, whatever worker ran it and however often BullMQ handed it out. A job retried after a
// stall, or completed twice by a worker that lost its lock, is still one row: the insert ignores
// an id it already has. The table is this module's (created on first use, not a history migration).
import { Job, QueueEvents } from 'bullmq'
import type { Queue } from 'bullmq'
import type { Database } from '../history'
import { redisOptions } from './redis-url'
import { errorLines } from './error-lines'
import { settlesWithin } from './settles-within'

const SCHEMA = `CREATE TABLE IF NOT EXISTS queue_jobs (
  queue TEXT NOT NULL,
  job_id TEXT NOT NULL,
  attempts_started INTEGER NOT NULL,
  attempts_made INTEGER NOT NULL,
  stalled_count INTEGER NOT NULL,
  result TEXT,
  finished_at INTEGER,
  recorded_at INTEGER NOT NULL,
  PRIMARY KEY (queue, job_id)
) WITHOUT ROWID`

/** A row of `queue_jobs`. */
export interface CompletedJobRow {
  queue: string
  job_id: string
  attempts_started: number
  attempts_made: number
  stalled_count: number
  result: string | null
  finished_at: number | null
}

/** The `queue_jobs` table on `db`: created if missing; `record` inserts once per job id. */
export function completedJobs(db: Database) {
  db.exec(SCHEMA)
  const insert = db.prepare(
    `INSERT INTO queue_jobs (queue, job_id, attempts_started, attempts_made, stalled_count, result, finished_at, recorded_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (queue, job_id) DO NOTHING`,
  )
  return {
    /** Records a completed job; false when its id was already recorded (a duplicate completion). */
    record(queue: string, job: Job): boolean {
      const result = job.returnvalue === undefined ? null : JSON.stringify(job.returnvalue)
      return insert.run(queue, job.id, job.attemptsStarted, job.attemptsMade, job.stalledCounter, result, job.finishedOn ?? null, Date.now()).changes === 1
    },
    rows(queue: string): CompletedJobRow[] {
      return db.prepare('SELECT queue, job_id, attempts_started, attempts_made, stalled_count, result, finished_at FROM queue_jobs WHERE queue = ? ORDER BY job_id').all(queue) as CompletedJobRow[]
    },
  }
}

/** How long a close waits for Redis before it drops the connection. */
const CLOSE_MS = 2000

export interface CompletedJobsRecorder {
  /** Resolves once the events connection listens (start the producers after this). */
  ready: Promise<void>
  /** Completed events heard, duplicates ones, rows written. */
  readonly stats: { heard: number; duplicates: number; recorded: number }
  close(): Promise<void>
}

/**
 * Listens to BullMQ's `completed` events of `queue` (QueueEvents, a Redis stream BullMQ writes)
 * and records each job, read back from Redis for its attempt counts, exactly once by id.
 *
 * @example const rec = recordCompletedJobs({ db: history.db, url, queue, bullQueue }); await rec.ready
 */
export function recordCompletedJobs(opts: {
  db: Database
  url: string
  queue: Queue
  onError?: (e: Error) => void
  /** Hears each completed event with its wall time, read from its stream id (the queue view's throughput). */
  onCompleted?: (jobId: string, wall: number) => void
  /**
   * Reads BullMQ's event stream from its start (what Redis still keeps of it, BullMQ's maxLenEvents)
   * instead of from now: jobs completed while the app was closed are recorded too, once.
   */
  fromStart?: boolean
}): CompletedJobsRecorder {
  const table = completedJobs(opts.db)
  const name = opts.queue.name
  const events = new QueueEvents(name, { connection: redisOptions(opts.url), ...(opts.fromStart ? { lastEventId: '0-0' } : {}) })
  const onError = opts.onError ?? errorLines((line) => void process.stderr.write(`${line}\n`), 'loopwatch queue events')
  events.on('error', onError)
  const stats = { heard: 0, duplicates: 0, recorded: 0 }
  const inFlight = new Set<Promise<void>>()
  events.on('completed', ({ jobId }, eventId) => {
    stats.heard++
    // A stream id is `<ms>-<seq>`: when Redis took the event.
    opts.onCompleted?.(jobId, Number.parseInt(eventId, 10) || Date.now())
    const p = Job.fromId(opts.queue, jobId)
      .then((job) => {
        if (!job) return // removed since (removeOnComplete): nothing to read back
        if (table.record(name, job)) stats.recorded++
        else stats.duplicates++
      })
      .catch(onError)
      .finally(() => inFlight.delete(p))
    inFlight.add(p)
  })
  return {
    ready: events.waitUntilReady().then(() => undefined),
    stats,
    async close() {
      // Bounded: with Redis gone, the reads in flight and BullMQ's close would wait for it forever.
      if (!(await settlesWithin(Promise.all(inFlight), CLOSE_MS))) onError(new Error(`${inFlight.size} completed jobs not read back before closing`))
      if (!(await settlesWithin(events.close(), CLOSE_MS))) await settlesWithin(events.disconnect(), CLOSE_MS)
    },
  }
}
