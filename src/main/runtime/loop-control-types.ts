/**
 * The loop controls' and loop inspector's plain shapes: no imports, so the shared contract (and
 * through it the renderer) can use them without pulling the runtime in (as states.ts).
 */

/** running; pausing (asked, the iteration under way finishes first); paused; stepping; toNextTimer. */
export const LOOP_CONTROL_STATES = ['running', 'pausing', 'paused', 'stepping', 'toNextTimer'] as const
export type LoopControlState = (typeof LOOP_CONTROL_STATES)[number]

/** A loop clock's speed: 'virtual', or loop ms per real ms (1: real time). */
export type LoopSpeed = 'virtual' | number

/**
 * What a ready-queue entry is: a task's step; a done callback of a future (asyncio's call_soon(cb,
 * fut), which is also how code awaiting a future from outside any task resumes); a plain callSoon
 * callback; a timer moved into the ready queue in the iteration under way.
 */
export const READY_KINDS = ['step', 'doneCallback', 'callback', 'timer'] as const
export type ReadyKind = (typeof READY_KINDS)[number]

/** What a timer is: a task's sleep(), a timeout() / waitFor scope, a deadline, any other callLater / callAt. */
export const TIMER_KINDS = ['sleep', 'timeout', 'deadline', 'callLater'] as const
export type TimerKind = (typeof TIMER_KINDS)[number]

export interface ReadyEntry {
  kind: ReadyKind
  /** One line for a person: "step of Task worker-3 (#12)". */
  text: string
  /** The task it concerns (the stepping task; the task a done callback is about), or null. */
  taskId: number | null
  taskName: string | null
  /** The loop will pass over it: a stale wake-up (the task stepped or finished already), a cancelled handle. */
  skipped: boolean
}

export interface TimerEntry {
  kind: TimerKind
  /** Loop ms it is due at. */
  when: number
  /** when − now: ≤ 0 is due, and fires at the start of the next iteration. */
  inMs: number
  text: string
  /** The sleeping task, the task a timeout or deadline cancels, the task that called callLater; or null. */
  taskId: number | null
  taskName: string | null
}

export interface LoopInspection {
  state: LoopControlState
  speed: LoopSpeed | null
  /** The loop's time (ms) when read. */
  now: number
  /** Handles of the iteration under way still to run (0 at a pause, an iteration boundary). */
  inIteration: number
  /** The ready queue in the order it runs, the first `limit`. */
  ready: ReadyEntry[]
  readyTotal: number
  /** Timers not cancelled, in the order they fire, the first `limit`. */
  timers: TimerEntry[]
  timersTotal: number
  limit: number
}

/** Entries listed per queue by default, and at most. */
export const INSPECT_LIMIT = 200
export const MAX_INSPECT_LIMIT = 1000
