// Bulk actions on many tasks at once (the window's "Cancel N shown…", "Deadline on N shown…"):
// one command carries the ids, main routes each id the way a single cancel or deadline goes (this
// process's runtime, or a connected process through its agent) and answers how each one went.
import * as v from 'valibot'
import type { TaskState } from './snapshots'

/**
 * The most task ids one bulk action takes. A filter showing more is narrowed first: the window
 * says so rather than sending several actions the person did not confirm one by one.
 */
export const MAX_BULK_TASKS = 5_000
/** The longest deadline a bulk action (or a single one) puts on a task: a day. */
export const MAX_DEADLINE_MS = 24 * 3_600_000
/** Failures listed one by one in an outcome (the rest are counted). */
export const MAX_BULK_FAILURES_LISTED = 20

export const BULK_ACTIONS = ['cancel', 'deadline'] as const
export type BulkActionKind = (typeof BULK_ACTIONS)[number]

const taskId = v.pipe(v.number(), v.safeInteger(), v.minValue(1))
export const deadlineInMs = v.pipe(v.number(), v.finite(), v.minValue(0), v.maxValue(MAX_DEADLINE_MS))

export const bulkSchema = v.strictObject({
  action: v.variant('kind', [
    v.strictObject({ kind: v.literal('cancel'), reason: v.nullable(v.pipe(v.string(), v.maxLength(500))) }),
    v.strictObject({ kind: v.literal('deadline'), inMs: deadlineInMs }),
  ]),
  taskIds: v.pipe(
    v.array(taskId),
    v.minLength(1, 'name at least one task'),
    v.maxLength(MAX_BULK_TASKS, `a bulk action takes at most ${MAX_BULK_TASKS} tasks: narrow the filter`),
  ),
})
export type BulkRequest = v.InferOutput<typeof bulkSchema>

/** How one bulk action went, task by task (each id appears in exactly one list, duplicates once). */
export interface BulkOutcome {
  kind: BulkActionKind
  /** Distinct ids asked for. */
  asked: number
  /** The action reached these tasks: cancellation requested, or deadline set. */
  applied: number[]
  /** Had already ended when the action arrived, with the state each ended in. */
  alreadyEnded: { taskId: number; state: TaskState }[]
  /** No such task (never seen, or forgotten since). */
  notFound: number[]
  /** Refused or unanswered (a lost process, a timeout): the first MAX_BULK_FAILURES_LISTED. */
  failed: { taskId: number; message: string }[]
  /** All failures, listed or not. */
  failedCount: number
}
