/** Callbacks the loop runs: plain handles (callSoon) and timer handles (callLater / callAt). */
import type { Handle } from './types'
import type { Task } from './task'

/** What set a callLater / callAt timer, for the loop inspector (one list; the type derives from it). */
export const TIMER_PURPOSES = ['callLater', 'timeout', 'deadline'] as const
export type TimerPurpose = (typeof TIMER_PURPOSES)[number]

/** Anything the ready queue can hold. `_kind` 1 is a task step; everything else is run via `_run`. */
export interface Runnable {
  readonly _kind: number
  _cancelled: boolean
  _run(): void
}

/** Timers in the loop's heap: a deadline, a sequence number for FIFO ties, and what to run. */
export interface Timer extends Runnable {
  when: number
  seq: number
}

export type ErrorReporter = (error: unknown, where: string) => void

/**
 * A callback for the ready queue. `_kind` 2 marks one that resumes awaiting code outside any task
 * step (a `then` registered from outside a task): the loop lets the microtasks it starts drain
 * before the next handle, as after a task step, so that code runs in order and on its loop.
 */
export class CallbackHandle<A = undefined> implements Runnable, Handle {
  _cancelled = false

  constructor(
    private fn: ((arg: A) => void) | null,
    private readonly arg: A,
    private readonly report: ErrorReporter,
    readonly _kind: 0 | 2 = 0,
  ) {}

  cancel(): void {
    this._cancelled = true
    this.fn = null
  }
  cancelled(): boolean {
    return this._cancelled
  }
  /** @internal the loop inspector's view: what it calls, and with what (a future, for done callbacks) */
  _target(): { fn: ((arg: A) => void) | null; arg: A } {
    return { fn: this.fn, arg: this.arg }
  }
  _run(): void {
    const fn = this.fn
    if (fn === null) return
    try {
      fn(this.arg)
    } catch (e) {
      this.report(e, 'a loop callback')
    }
  }
}

/** A callLater / callAt timer; kind 2, as a user callback may resume awaiting code (see CallbackHandle). */
export class TimerHandle implements Timer, Handle {
  readonly _kind = 2
  _cancelled = false
  seq = 0
  /** @internal for the loop inspector: why it was set, and for which task (the one that set it, by default) */
  _purpose: TimerPurpose = 'callLater'
  _for: Task<unknown> | null = null

  constructor(
    readonly when: number,
    private fn: (() => void) | null,
    private readonly report: ErrorReporter,
    private readonly onCancel: () => void,
  ) {}

  cancel(): void {
    if (this._cancelled) return
    this._cancelled = true
    this.fn = null
    this.onCancel()
  }
  cancelled(): boolean {
    return this._cancelled
  }
  _run(): void {
    const fn = this.fn
    if (fn === null) return
    this.fn = null
    try {
      fn()
    } catch (e) {
      this.report(e, 'a timer callback')
    }
  }
}
