// The app's side of the job queue: what the queue view reads (counts, throughput, workers, the
// failed set), retrying from the window, and — when the queue is BullMQ — recording every
// completed job into SQLite once by id, whichever process ran it. The in-process queue needs none
// of the Redis parts: its counts come from the live in-process backend (in-process.ts).
import { Job, Queue } from 'bullmq'
import type { Database } from '../history'
import { AppError } from '../ipc/app-error'
import { QUEUE_COUNT_KINDS, QUEUE_LIMITS, isJobWorker } from '../../shared/queue-contract'
import type { FailedJobInfo, FailedJobsPage, QueueCounts, QueueRetryAllResult, QueueRetryResult, QueueStatus, QueueWorkerInfo } from '../../shared/queue-contract'
import type { SourceInfo } from '../../shared/snapshots'
import { recordCompletedJobs } from './completed-jobs'
import { settlesWithin } from './settles-within'
import type { CompletedJobsRecorder } from './completed-jobs'
import { errorLines } from './error-lines'
import { inProcessQueues } from './in-process'
import { redisOptions } from './redis-url'
import { Throughput } from './throughput'

/** A status is reused this long: however many windows poll, Redis sees a few requests a second. */
const STATUS_REUSE_MS = 250
/** A Redis request from the window waits at most this long (ioredis would queue it forever while Redis is down). */
const REDIS_ANSWER_MS = 3000
/** Active jobs read to say which worker holds what (more are counted, not attributed). */
const MAX_ACTIVE_READ = 1000

interface BullTarget {
  url: string
  name: string
  queue: Queue
  recorder: CompletedJobsRecorder
  throughput: Throughput
}

export interface AppQueueOptions {
  db: Database
  /** The connected processes, to link a worker to its source in the window. */
  sources: () => SourceInfo[]
  onError?: (error: Error) => void
}

/** `redis://user:***@host:port/db`: a URL the window may show. */
export function redactRedisUrl(url: string): string {
  try {
    const u = new URL(url)
    if (u.password) u.password = '***'
    return u.toString().replace(/\/$/, '')
  } catch {
    return '(unparsable URL)'
  }
}

function within<T>(p: Promise<T>, what: string, redis: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AppError('invalid_state', `Redis at ${redis} did not answer ${what} within ${REDIS_ANSWER_MS / 1000} s`)), REDIS_ANSWER_MS)
  })
  return Promise.race([p, late]).finally(() => clearTimeout(timer))
}

/**
 * The app's job queue view and recorder. `configure` follows the settings (a Redis URL, or none
 * for the in-process default); every method answers for the queue configured now.
 *
 * @example const q = new AppQueue({ db, sources: () => [] }); await q.configure(url, 'loopwatch-jobs'); await q.status()
 */
export class AppQueue {
  private target: BullTarget | null = null
  /** Reconfigurations run one after another (a close must end before the next open). */
  private chain: Promise<void> = Promise.resolve()
  private cached: { at: number; status: Promise<QueueStatus> } | null = null
  private closed = false
  private readonly onError: (error: Error) => void

  constructor(private readonly opts: AppQueueOptions) {
    this.onError = opts.onError ?? errorLines((line) => void process.stderr.write(`${line}\n`), 'loopwatch queue')
  }

  /** The BullMQ queue now (null: in-process). */
  get bullmq(): { url: string; name: string; recorder: CompletedJobsRecorder } | null {
    return this.target
  }

  /**
   * Points the view and the recorder at BullMQ queue `name` on `url`, or (url null) at the
   * in-process queue. Resolves once the completed-jobs listener listens. The same target again is a no-op.
   */
  configure(url: string | null, name: string): Promise<void | undefined> {
    this.chain = this.chain.then(async () => {
      if (this.closed) return
      if (url === this.target?.url && name === this.target?.name) return
      if (url === null && this.target === null) return
      await this.release()
      this.cached = null
      if (url === null) return
      const queue = new Queue(name, { connection: redisOptions(url) })
      queue.on('error', this.onError)
      const throughput = new Throughput()
      const recorder = recordCompletedJobs({ db: this.opts.db, url, queue, onError: this.onError, onCompleted: (_id, wall) => throughput.record(Math.min(wall, Date.now())), fromStart: true })
      this.target = { url, name, queue, recorder, throughput }
    })
    // The chain never waits on Redis (a server that is down must not hold up a later close).
    return this.chain.then(() => this.target?.recorder.ready)
  }

  /** Counts, throughput and workers; Redis trouble is reported in `error`, never thrown. */
  status(): Promise<QueueStatus> {
    const now = Date.now()
    if (this.cached && now - this.cached.at < STATUS_REUSE_MS) return this.cached.status
    const status = this.target ? this.bullStatus(this.target) : Promise.resolve(this.inProcessStatus())
    this.cached = { at: now, status }
    return status
  }

  /** One page of the failed set (in-process: none is kept). */
  async failed(offset: number, limit: number): Promise<FailedJobsPage> {
    const t = this.target
    if (!t) return { backend: 'in-process', total: 0, offset, jobs: [] }
    const redis = redactRedisUrl(t.url)
    const [total, jobs] = await within(Promise.all([t.queue.getFailedCount(), t.queue.getFailed(offset, offset + limit - 1)]), 'the failed set', redis)
    return { backend: 'bullmq', total, offset, jobs: jobs.filter((j): j is Job => j != null).map(failedInfo) }
  }

  /** Moves failed job `jobId` back to waiting (BullMQ's job.retry). */
  async retry(jobId: string): Promise<QueueRetryResult> {
    const t = this.bullOrRefuse()
    const redis = redactRedisUrl(t.url)
    const job = await within(Job.fromId(t.queue, jobId), `job ${jobId}`, redis)
    if (!job) throw new AppError('not_found', `no job ${JSON.stringify(jobId)} in queue ${t.name}`)
    const state = await within(job.getState(), `job ${jobId}'s state`, redis)
    if (state !== 'failed') throw new AppError('invalid_state', `job ${jobId} is ${state}, not failed: only a failed job is retried`)
    await within(job.retry('failed'), `the retry of job ${jobId}`, redis)
    this.cached = null
    return { jobId, state: 'waiting' }
  }

  /** Moves every failed job back to waiting (BullMQ's retryJobs). */
  async retryAll(): Promise<QueueRetryAllResult> {
    const t = this.bullOrRefuse()
    const redis = redactRedisUrl(t.url)
    const retried = await within(t.queue.getFailedCount(), 'the failed count', redis)
    await within(t.queue.retryJobs({ count: 1000, state: 'failed' }), 'retrying the failed set', redis)
    this.cached = null
    return { retried }
  }

  /** Stops listening and releases the Redis connections; idempotent. */
  async close(): Promise<void> {
    this.closed = true
    await this.chain
    await this.release()
  }

  private bullOrRefuse(): BullTarget {
    if (!this.target) throw new AppError('invalid_state', 'the jobs run on the in-process queue, which keeps no failed set: set a Redis URL to use BullMQ')
    return this.target
  }

  private async release(): Promise<void> {
    const t = this.target
    this.target = null
    if (!t) return
    await t.recorder.close().catch(this.onError)
    if (!(await settlesWithin(t.queue.close(), 2000))) await settlesWithin(t.queue.disconnect(), 2000)
  }

  private inProcessStatus(): QueueStatus {
    const [q] = inProcessQueues()
    const zero = Object.fromEntries(QUEUE_COUNT_KINDS.map((k) => [k, 0])) as QueueCounts
    return {
      backend: 'in-process',
      queue: null,
      redis: null,
      running: q !== undefined,
      paused: false,
      counts: q ? q.counts() : zero,
      throughput: (q?.throughput ?? new Throughput()).read(),
      workers: (q?.workers() ?? []).slice(0, QUEUE_LIMITS.maxWorkers),
      error: null,
      wall: Date.now(),
    }
  }

  private async bullStatus(t: BullTarget): Promise<QueueStatus> {
    const redis = redactRedisUrl(t.url)
    const base = { backend: 'bullmq' as const, queue: t.name, redis, running: true, throughput: t.throughput.read() }
    try {
      const [raw, paused, active] = await within(
        Promise.all([t.queue.getJobCounts(...QUEUE_COUNT_KINDS), t.queue.isPaused(), t.queue.getActive(0, MAX_ACTIVE_READ - 1)]),
        'the queue counts',
        redis,
      )
      const counts = Object.fromEntries(QUEUE_COUNT_KINDS.map((k) => [k, raw[k] ?? 0])) as QueueCounts
      return { ...base, paused, counts, workers: this.bullWorkers(active), error: null, wall: Date.now() }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      return { ...base, paused: false, counts: null, workers: this.bullWorkers([]), error: message, wall: Date.now() }
    }
  }

  /**
   * The workers: every connected `loopwatch worker` and every name holding an active job (a worker
   * on another machine, or one not connected to this app), with the jobs each holds.
   */
  private bullWorkers(active: (Job | undefined)[]): QueueWorkerInfo[] {
    const holding = new Map<string, number>()
    for (const j of active) if (j?.processedBy) holding.set(j.processedBy, (holding.get(j.processedBy) ?? 0) + 1)
    const live = this.opts.sources().filter((s) => isJobWorker(s) && (s.state === 'connected' || s.state === 'stopping'))
    const bySource = new Map(live.map((s) => [s.name, s.id]))
    const names = [...new Set([...live.map((s) => s.name), ...holding.keys()])].sort()
    return names.slice(0, QUEUE_LIMITS.maxWorkers).map((name) => ({ name, sourceId: bySource.get(name) ?? null, active: holding.get(name) ?? 0 }))
  }
}

function failedInfo(j: Job): FailedJobInfo {
  const reason = j.failedReason ?? ''
  const max = QUEUE_LIMITS.maxErrorChars
  return {
    id: j.id ?? '?',
    name: j.name.slice(0, 200),
    failedReason: reason.length > max ? `${reason.slice(0, max - 1)}…` : reason,
    attemptsMade: j.attemptsMade,
    // BullMQ stores 0 when the job was added without `attempts`: one run.
    attempts: Math.max(1, j.opts.attempts ?? 1),
    finishedOn: j.finishedOn ?? null,
    processedBy: j.processedBy?.slice(0, 200) ?? null,
  }
}
