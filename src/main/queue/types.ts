// The queue backend the job workers run on: what the jobs daemon and `loopwatch worker` need of a
// queue, whichever engine holds it (in-process.ts: the embedded default; bullmq.ts: BullMQ on Redis).
import type { EventLoop, Task } from '../runtime'
import type { QueueCounts } from '../../shared/queue-contract'

import type { QueueBackendKind } from '../../shared/queue-contract'

// The count kinds and backend kinds are the queue view's contract (shared with the window).
export { QUEUE_COUNT_KINDS, QUEUE_BACKEND_KINDS as BACKEND_KINDS } from '../../shared/queue-contract'
export type { QueueCountKind, QueueCounts } from '../../shared/queue-contract'
export type BackendKind = QueueBackendKind

/** A job as a handler sees it. */
export interface QueuedJob<T> {
  /** Unique per job across retries (BullMQ's job id). */
  id: string
  data: T
  /** 1 for the first run, 2 after a stall or retry (BullMQ's attemptsStarted). */
  attempt: number
  /** How many runs the job may have (BullMQ's `attempts` option; 1 in-process). */
  attempts: number
}

/**
 * Runs one job inside a runtime task; its return value is the job's result, a throw fails it.
 * `slot` names where it ran (`job-worker-2` in-process, `worker 4242` on BullMQ).
 */
export type JobHandler<T, R> = (job: QueuedJob<T>, slot: string) => Promise<R>

export interface ProcessOptions {
  loop: EventLoop
  concurrency: number
  /** Prefix of the in-process worker tasks' names (`job-worker` → `job-worker-1` …). */
  name?: string
}

/** How a job run ended, as the backend that ran it reports it. */
export type JobOutcome<R> =
  | { id: string; attempt: number; ok: true; value: R }
  | { id: string; attempt: number; ok: false; error: string }

export interface QueueBackend<T, R = unknown> {
  readonly kind: BackendKind
  /**
   * Adds a job under `id` (call inside a task). In-process this waits while the queue is full
   * (back-pressure); on BullMQ an id already in the queue is not added twice.
   */
  add(id: string, data: T): PromiseLike<void>
  /**
   * Starts taking jobs with `concurrency` at a time. Returns the long-lived tasks that do it:
   * cancelling them stops taking jobs; each finishes (or cancels) the jobs in hand before it ends.
   */
  process(handler: JobHandler<T, R>, opts: ProcessOptions): Task<unknown>[]
  /** Hears every job run this process's `process()` ends (not other processes' runs). Returns off(). */
  onFinished(listener: (outcome: JobOutcome<R>) => void): () => void
  /** The queue's counts (in-process: synchronous; BullMQ: one round trip). */
  counts(): QueueCounts | Promise<QueueCounts>
  /** Releases connections (BullMQ); idempotent. */
  close(): Promise<void>
}
