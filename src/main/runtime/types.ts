/** Shared vocabulary of the runtime: states, cancel sources, instruments, reports. */
import type { Task } from './task'

export { TASK_STATES, FINAL_STATES, CANCEL_SOURCES, MAX_CANCEL_HOPS } from './states'
export type { TaskState, FinalState, CancelSource } from './states'
import type { CancelSource, TaskState } from './states'

export interface CancelRequest {
  source: CancelSource
  reason?: string
  /** loop time (ms) of the request */
  at: number
  /** source `program`: the task whose code asked */
  by?: { id: number; name: string }
}

/**
 * Where a chain of cancellations began: the task whose own request (its deadline, a timeout scope,
 * a person, a program, a shutdown) the others' cancellations came from. For a task group's
 * `sibling` cancellations, the child whose failure started them (`failed`: its error, in one line).
 */
export interface CancelOrigin {
  id: number
  name: string
  source: CancelSource
  reason?: string
  /** loop time (ms) of the request (of the failure, for `failed`) */
  at: number
  /** source `program`: the task whose code asked */
  by?: { id: number; name: string }
  failed?: string
}

/** One link between a cancelled task and the origin: a task, or the gather / task group it came through. */
export interface CancelHop {
  kind: 'task' | 'gather' | 'taskGroup'
  /** a task's id (absent for a gather or task group) */
  id?: number
  name: string
}

/**
 * Why a task is cancelled when the cancellation came from elsewhere: requests passed down an await
 * (`parent`) or across a task group (`sibling`), and CancelledErrors a task received from what it
 * awaited (a gather child's deadline reaching `main`). Read as "task ← path… ← origin".
 */
export interface CancelCause {
  origin: CancelOrigin
  /** from this task (excluded) to the origin (excluded), nearest first, at most MAX_CANCEL_HOPS */
  path: CancelHop[]
  /** links of a longer chain left out between the last of `path` and the origin */
  more?: number
}

/**
 * The one observability seam (as Trio's Instrument). Called synchronously from the scheduler;
 * an instrument that throws is logged once and removed.
 */
export interface Instrument {
  taskCreated?(t: Task<unknown>): void
  taskStateChanged?(t: Task<unknown>, from: TaskState, to: TaskState): void
  taskDone?(t: Task<unknown>): void
  /** with afterTaskStep: who held the loop, for how long (only called when some instrument defines them) */
  beforeTaskStep?(t: Task<unknown>): void
  afterTaskStep?(t: Task<unknown>): void
  /**
   * The clock the loop stamps each task's queued wake-up with (Task._queuedAt), for its wait in
   * the ready queue: a step timer's own, returning small non-negative integers.
   */
  stepClock?: () => number
}

export interface ShutdownReport {
  /** the grace period, in real (wall-clock) ms */
  graceMs: number
  /** how long cleanup took on the loop's clock */
  elapsedMs: number
  /** how long cleanup took in real ms (≈ graceMs when something was forced) */
  wallMs?: number
  /** settled within the grace period */
  finished: { id: number; name: string; state: TaskState }[]
  /** still running when it ran out */
  forced: { id: number; name: string }[]
  cleanupErrors: { id: number; name: string; message: string }[]
}

/** What a loop's exception handler is told besides the error (asyncio's context dict). */
export interface ExceptionContext {
  /** e.g. "Task exception was never retrieved" */
  message: string
  /** the task concerned, by id and name (it may already be collected) */
  task?: { id: number; name: string }
}

/** A loop's exception handler: `where` names the origin (a loop callback, an instrument, a task). */
export type ExceptionHandler = (error: unknown, where: string, context?: ExceptionContext) => void

export interface Handle {
  cancel(): void
  cancelled(): boolean
}

export const FIRST_COMPLETED = 'FIRST_COMPLETED'
export const FIRST_EXCEPTION = 'FIRST_EXCEPTION'
export const ALL_COMPLETED = 'ALL_COMPLETED'
export type ReturnWhen = typeof FIRST_COMPLETED | typeof FIRST_EXCEPTION | typeof ALL_COMPLETED

/** Task._queuedAt while no wake-up of the task was stamped since its last step (see Instrument.stepClock). */
export const NOT_QUEUED = -2
