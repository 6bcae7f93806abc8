/**
 * The runtime's closed vocabularies, each written once as an `as const` list; the types derive
 * from the lists. This file imports nothing, so `src/shared/snapshots.ts` (compiled for the
 * renderer too, with no Node types) can take them from here without pulling in the scheduler.
 */

/**
 * A task's state, printable as is.
 * pending: created, first step not run yet · running: inside a step · waiting: parked at an await ·
 * cancelling: cancellation requested and not yet finished (overrides running/waiting) ·
 * done / failed / cancelled: final · abandoned: final, left unfinished by a shutdown whose grace ran out
 * (its coroutine is never resumed again; as a future it reads cancelled, source `shutdown`).
 */
export const TASK_STATES = ['pending', 'running', 'waiting', 'cancelling', 'done', 'failed', 'cancelled', 'abandoned'] as const
export type TaskState = (typeof TASK_STATES)[number]

/** States after which a task never changes again. */
export const FINAL_STATES = ['done', 'failed', 'cancelled', 'abandoned'] as const satisfies readonly TaskState[]
export type FinalState = (typeof FINAL_STATES)[number]

/**
 * Who asked for a cancellation (every cancel has an owner, as in Trio).
 * user: from outside every task (a UI button, host code) · program: a task's code cancelled another
 * (`cancelRequest().by` names it) · deadline: a task deadline (`setDeadline`) · timeout: a
 * `timeout()` scope or `waitFor` cancelling its inner work · shutdown: the loop or host stopping ·
 * sibling: a task group's child failed · parent: passed down from what awaited it.
 */
export const CANCEL_SOURCES = ['user', 'program', 'deadline', 'timeout', 'shutdown', 'sibling', 'parent'] as const
export type CancelSource = (typeof CANCEL_SOURCES)[number]

/** The links a cancel cause keeps at most (the nearest ones; its `more` counts the rest): bounded on the wire too. */
export const MAX_CANCEL_HOPS = 16
