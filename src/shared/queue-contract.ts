// The queue view's channels (the job queue's counts, throughput, workers and failed set, and
// retrying from the window): payload schemas, limits and result types in one place. contract.ts
// registers them; the main side (src/main/queue/) and the window (state/queue.svelte.ts) read the
// bounds from here.
import * as v from 'valibot'
import type { SourceId } from './snapshots'

export const QUEUE_LIMITS = {
  /** Failed jobs in one page of queue:failed. */
  maxFailedPage: 100,
  /** A failed job's error message as the window gets it (BullMQ keeps whatever the job threw). */
  maxErrorChars: 500,
  /** Workers listed in one status. */
  maxWorkers: 100,
  /** Seconds of throughput history (one bucket a second). */
  throughputSeconds: 60,
  /** The fastest the window polls queue:status while the view is open, and what it uses. */
  minPollMs: 500,
  pollMs: 1000,
  /** A BullMQ job id as the window may name it. */
  maxJobIdChars: 200,
} as const

/**
 * BullMQ's own count kinds (getJobCounts), in the order the queue view shows them; the in-process
 * queue keeps the same. BullMQ 6 has no paused state for jobs: a paused queue keeps them waiting,
 * so pausing is the status's `paused` flag.
 */
export const QUEUE_COUNT_KINDS = ['waiting', 'active', 'completed', 'failed', 'delayed', 'prioritized'] as const
export type QueueCountKind = (typeof QUEUE_COUNT_KINDS)[number]
export type QueueCounts = Record<QueueCountKind, number>

/** Which engine holds the app's job queue, written once. */
export const QUEUE_BACKEND_KINDS = ['in-process', 'bullmq'] as const
export type QueueBackendKind = (typeof QUEUE_BACKEND_KINDS)[number]

/** One process (or, in-process, one worker task) taking jobs. */
export interface QueueWorkerInfo {
  /** `worker <pid>` for a `loopwatch worker`, `job-worker-2` in-process. */
  name: string
  /** The connected process it is in the window (null: not connected to this app, or in-process). */
  sourceId: SourceId | null
  /** Jobs it holds now. */
  active: number
}

/** What queue:status answers: one snapshot of the queue, for the live view. */
export interface QueueStatus {
  backend: QueueBackendKind
  /** The BullMQ queue's name (null in-process). */
  queue: string | null
  /** Where Redis is, without any password (null in-process). */
  redis: string | null
  /** In-process: whether the jobs daemon (the queue's only user) runs now. BullMQ: always true. */
  running: boolean
  /** BullMQ: the queue is paused (workers take nothing; jobs stay waiting). In-process: never. */
  paused: boolean
  /** The engine's own counts; null when Redis did not answer (see error). */
  counts: QueueCounts | null
  throughput: {
    /** Completed jobs per second over the last minute (or since the app started listening, if shorter). */
    perSecond: number
    /** Completed jobs in each of the last `throughputSeconds` seconds, oldest first; the last is the current second. */
    perSecondSeries: number[]
    /** Wall ms of the start of the series' last second. */
    lastSecondWall: number
  }
  workers: QueueWorkerInfo[]
  /** Why the counts are missing (Redis unreachable), else null. */
  error: string | null
  wall: number
}

/** One job of BullMQ's failed set, as the window lists it. */
export interface FailedJobInfo {
  id: string
  name: string
  /** Its error, capped at QUEUE_LIMITS.maxErrorChars. */
  failedReason: string
  attemptsMade: number
  /** Runs it may have (BullMQ's `attempts`). */
  attempts: number
  finishedOn: number | null
  /** The worker that ran it last (`worker <pid>`). */
  processedBy: string | null
}

export interface FailedJobsPage {
  backend: QueueBackendKind
  /** Jobs in the failed set now. */
  total: number
  offset: number
  jobs: FailedJobInfo[]
}

const jobId = v.pipe(
  v.string(),
  v.minLength(1, 'a job id is not empty'),
  v.maxLength(QUEUE_LIMITS.maxJobIdChars),
  v.regex(/^[\w.:@-]+$/, 'a job id is letters, digits and _ . : @ -'),
)

export const queueFailedSchema = v.optional(
  v.strictObject({
    offset: v.optional(v.pipe(v.number(), v.safeInteger(), v.minValue(0), v.maxValue(10_000_000)), 0),
    limit: v.optional(v.pipe(v.number(), v.safeInteger(), v.minValue(1), v.maxValue(QUEUE_LIMITS.maxFailedPage)), 50),
  }),
)
export const queueRetrySchema = v.strictObject({ jobId })

/** What retrying did: the job is waiting again. */
export interface QueueRetryResult {
  jobId: string
  state: 'waiting'
}

/** What "Retry all" did: how many failed jobs went back to waiting. */
export interface QueueRetryAllResult {
  retried: number
}

/**
 * How a `loopwatch worker` process is named — its source name in the window and its BullMQ worker
 * name (stored on each job it takes as processedBy) — written once, so the app and the window
 * recognise the job workers among the connected processes.
 */
export function jobWorkerName(pid: number): string {
  return `worker ${pid}`
}

/** True for a connected process that is a `loopwatch worker`: named for its own pid. */
export function isJobWorker(source: { name: string; pid: number }): boolean {
  return source.name === jobWorkerName(source.pid)
}
