/** Shared vocabulary of the runtime: states, cancel sources, instruments, reports. */
import type { Task } from './task'

export { TASK_STATES, FINAL_STATES, CANCEL_SOURCES } from './states'
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
  /** A real clock (ms) the loop stamps each task's queued wake-up with (Task._queuedAt): the ready-queue wait. */
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
