/**
 * Future: asyncio's Future as a thenable. Awaiting it inside a task makes V8 call `then` within
 * that task's step, which is how the loop learns the await edge (`task.awaiting()`) and whom to
 * cancel; the task is then woken through the ready queue, as asyncio's Task.__wakeup.
 */
import type { EventLoop } from './loop'
import type { Task } from './task'
import type { CancelSource } from './types'
import { current } from './current'
import { CancelledError, InvalidStateError, RuntimeError } from './errors'

type Resolve = (v: unknown) => void
type Reject = (e: unknown) => void

/**
 * One `then` registration: the callbacks given and the derived promise's resolvers — or, for V8
 * awaiting the future, the await's own resolvers (no callbacks, no derived promise), or a task
 * whose coroutine returned this future (`own`: the outcome is the task's).
 */
export interface ThenWaiter {
  onFulfilled: ((value: never) => unknown) | null
  onRejected: ((reason: unknown) => unknown) | null
  res: Resolve
  rej: Reject
  own: Task<unknown> | null
}

const fnToString = Function.prototype.toString
/** What Function.prototype.toString says of V8's promise resolving functions. */
const NATIVE_ANONYMOUS = fnToString.call(capturedResolver())

function capturedResolver(): Resolve {
  let r!: Resolve
  void new Promise((a) => (r = a as Resolve))
  return r
}

/**
 * True for the pair of resolving functions V8 passes when it awaits a thenable (`await f`,
 * `Promise.resolve(f)`, a resolve with `f`): it ignores what `then` returns, so no derived promise
 * is made for it. This runs once per await, so it tests as little as tells: a function's `length`
 * and `name` are accessors (≈ 25 ns each), its source ≈ 100 ns. Only V8's anonymous built-ins
 * print as NATIVE_ANONYMOUS (a bound function does too, but its name is `bound …`), and V8 passes
 * both functions of one capability, so the first one's name and source say it.
 */
function isAwaitResolvers(res: unknown, rej: unknown): res is Resolve {
  return typeof res === 'function' && typeof rej === 'function' && res.name === '' && fnToString.call(res) === NATIVE_ANONYMOUS
}

// The derived promise's resolvers, captured by one shared executor instead of a closure per `then`.
let capturedRes: Resolve | null = null
let capturedRej: Reject | null = null
function captureResolvers(res: Resolve, rej: Reject): void {
  capturedRes = res
  capturedRej = rej
}

/** A `then` registration with its derived promise. */
function derivedWaiter<R>(onFulfilled: unknown, onRejected: unknown): { derived: Promise<R>; waiter: ThenWaiter } {
  const derived = new Promise<R>(captureResolvers as (res: (v: R) => void, rej: Reject) => void)
  const waiter: ThenWaiter = {
    onFulfilled: typeof onFulfilled === 'function' ? (onFulfilled as (v: never) => unknown) : null,
    onRejected: typeof onRejected === 'function' ? (onRejected as (e: unknown) => unknown) : null,
    res: capturedRes!,
    rej: capturedRej!,
    own: null,
  }
  capturedRes = capturedRej = null
  return { derived, waiter }
}

/**
 * Settles a `then` registration from a done future, or with `override` (the CancelledError a
 * cancelled task receives instead of what it awaited).
 */
export function settleThen(w: ThenWaiter, f: Future<unknown>, override?: unknown): void {
  const own = w.own
  try {
    if (override !== undefined || f._state === CANCELLED || f._hasException) {
      if (f._logTraceback && override === undefined) f._markRetrieved() // awaiting it retrieves its error
      const e = override !== undefined ? override : f._state === CANCELLED ? f._cancelledError : f._exception
      if (own !== null) own._onReject(e)
      else if (w.onRejected !== null) w.res(w.onRejected(e))
      else if ((f as unknown as NativeSide)._native) rejectNative(f, w.res, e) // a sleep(0) awaited natively keeps no reject function
      else w.rej(e)
    } else if (own !== null) own._onResolve(f._result)
    else if (w.onFulfilled !== null) w.res((w.onFulfilled as (v: unknown) => unknown)(f._result))
    else w.res(f._result)
  } catch (e) {
    w.rej(e)
  }
}

/** sleep.ts's NativeYield as settleThen sees it (a sleep(0) that is also a native promise; true on its prototype). */
interface NativeSide {
  _native?: boolean
}

const NativePromise = Promise
const nativeThen = Promise.prototype.then
function noop(): void {}

/**
 * @internal Rejects native promise `p` through its resolve function `res` (resolved with a rejected
 * promise), both marked handled first: perhaps nobody awaits `p` natively (a cold path: a cancel).
 */
export function rejectNative(p: object, res: Resolve, e: unknown): void {
  nativeThen.call(p, undefined, noop)
  const rejected = NativePromise.reject(e)
  nativeThen.call(rejected, undefined, noop)
  res(rejected)
}

/** A RuntimeError delivered from the task's next step, as asyncio's Task.__step does: it yields once first. */
function refuse(task: Task<unknown>, waiter: ThenWaiter, message: string): void {
  const refusal = new Future<unknown>(task._loop)
  task._park(refusal, waiter)
  refusal.setException(new RuntimeError(message))
}

const PENDING = 0
const FINISHED = 1
const CANCELLED = 2

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- stored callbacks must not make Future<T> invariant
type DoneCallback = (f: Future<any>) => void

/** A callback that may resume awaiting code (a user's, or a `then` from outside a task step). */
class ResumingCallback {
  constructor(readonly cb: DoneCallback) {}
}

/** A done callback, or a task parked on this future (woken with a step, no closure needed). */
type Waiter = DoneCallback | ResumingCallback | Task<unknown>

export class Future<T> implements PromiseLike<T> {
  /** @internal */ _state = PENDING
  /** @internal */ _result: T | undefined = undefined
  /** @internal */ _exception: unknown = undefined
  /** @internal */ _hasException = false
  /** @internal the error result() throws once cancelled */ _cancelledError: CancelledError | null = null
  /** @internal */ _loop: EventLoop | null
  /** @internal a single waiter is kept unboxed: most futures have exactly one */
  _waiters: Waiter | Waiter[] | null = null
  /** @internal sleep(0): wakes its awaiting task directly, without a timer or a callback (false on the prototype) */
  declare _yieldOnce: boolean
  /**
   * @internal a failed task whose error nobody has retrieved yet (result(), exception(), an
   * await, gather, a task group): false on the prototype, so other futures carry no field for it.
   */
  declare _logTraceback: boolean

  constructor(loop?: EventLoop | null) {
    this._loop = loop ?? current.loop
  }

  done(): boolean {
    return this._state !== PENDING
  }
  cancelled(): boolean {
    return this._state === CANCELLED
  }

  /** The result; throws the future's error, a CancelledError, or InvalidStateError if not done. */
  result(): T {
    if (this._logTraceback) this._markRetrieved()
    if (this._state === CANCELLED) throw this._cancelledError!
    if (this._state === PENDING) throw new InvalidStateError('Result is not set.')
    if (this._hasException) throw this._exception
    return this._result as T
  }

  /** The error (or null); throws CancelledError if cancelled, InvalidStateError if not done. */
  exception(): unknown | null {
    if (this._logTraceback) this._markRetrieved()
    if (this._state === CANCELLED) throw this._cancelledError!
    if (this._state === PENDING) throw new InvalidStateError('Exception is not set.')
    return this._hasException ? this._exception : null
  }

  setResult(v: T): void {
    if (this._state !== PENDING) throw new InvalidStateError(`${this.describe()} is already done: setResult() refused`)
    this._result = v
    this._state = FINISHED
    this._scheduleWaiters()
  }

  setException(e: unknown): void {
    if (this._state !== PENDING) throw new InvalidStateError(`${this.describe()} is already done: setException() refused`)
    this._exception = e
    this._hasException = true
    this._state = FINISHED
    this._scheduleWaiters()
  }

  /**
   * Cancels the future and schedules its callbacks; false if it was already done. The error's
   * source is `program` when a task of this future's loop calls it, else `user`.
   */
  cancel(msg?: string): boolean {
    const t = current.task
    return this._cancelWith(msg, t !== null && t._inStep && t._loop === this._loop ? 'program' : 'user')
  }

  /** @internal cancellation carrying its source (a task passes its own request to what it awaits). */
  _cancelWith(reason: string | undefined, source: CancelSource, error?: CancelledError): boolean {
    if (this._state !== PENDING) return false
    this._cancelledError = error ?? new CancelledError(reason, source)
    this._state = CANCELLED
    this._scheduleWaiters()
    return true
  }

  /**
   * Calls `cb(future)` from the loop (never synchronously) once done; on the next iteration if
   * already done. Code that `cb` resumes (a promise it resolves) runs before the loop goes on.
   */
  addDoneCallback(cb: (f: Future<T>) => void): void {
    if (typeof cb !== 'function') throw new TypeError('addDoneCallback() takes a function')
    this._whenDone(new ResumingCallback(cb as DoneCallback))
  }

  /** @internal the runtime's own done callbacks: they resume no code, so no microtask checkpoint. */
  _onDone(cb: (f: Future<T>) => void): void {
    this._whenDone(cb as DoneCallback)
  }

  private _whenDone(w: DoneCallback | ResumingCallback): void {
    if (this._state === PENDING) this._addWaiter(w)
    else if (this._loopIsOpen()) this._wake(w)
    else queueMicrotask(() => (w instanceof ResumingCallback ? w.cb : w)(this))
  }

  /** Removes every registration of `cb`; returns how many there were. */
  removeDoneCallback(cb: (f: Future<T>) => void): number {
    return this._removeWaiter(cb)
  }

  then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    const task = current.task
    if (task !== null && task._inStep && task._loop === current.loop) {
      if (isAwaitResolvers(onFulfilled, onRejected)) {
        // The task awaits this future: V8 resumes it through these resolvers and drops what
        // `then` returns, so the task's reusable registration serves and no promise is made.
        this._awaitedBy(task, task._awaitWaiter(onFulfilled, onRejected as Reject, null))
        return undefined as unknown as Promise<R1 | R2>
      }
      const { derived, waiter } = derivedWaiter<R1 | R2>(onFulfilled, onRejected)
      this._awaitedBy(task, waiter)
      return derived
    }
    const { derived, waiter } = derivedWaiter<R1 | R2>(onFulfilled, onRejected)
    if (this._state !== PENDING && !this._loopIsOpen()) {
      queueMicrotask(() => settleThen(waiter, this)) // a done future's outcome needs no loop
    } else {
      // Awaited outside any step but inside this loop's turn: when one task of the loop is detached
      // (it awaited a plain promise a callback resolved), this is that task resuming — park it again.
      const loop = current.loop
      const sole = task === null && this._state === PENDING && loop !== null && loop === this._loop ? loop._soleDetached() : null
      if (sole !== null) {
        sole._reattach()
        sole._park(this as Future<unknown>, waiter)
      } else this._addThenWaiter(waiter)
    }
    return derived
  }

  /** @internal `then` inside `task`'s step: the task parks on this future (or settles at once if done). */
  _awaitedBy(task: Task<unknown>, waiter: ThenWaiter): void {
    if (this._state !== PENDING) settleThen(waiter, this) // asyncio: awaiting a done future does not yield
    else if ((this as Future<unknown>) === task) refuse(task, waiter, `${task.describe()} cannot await itself`)
    else if (this._loop !== task._loop && this._loop !== null && !this._loop._closed) {
      // It would never wake this task: another loop settles it and schedules the wake-up there.
      refuse(task, waiter, `${task.describe()} got ${this.describe()} attached to a different loop`)
    } else task._park(this as Future<unknown>, waiter)
  }

  /** A short human description, e.g. for errors and the monitor. */
  describe(): string {
    return 'Future'
  }

  /** @internal someone took this future's error: no "never retrieved" report for it. */
  _markRetrieved(): void {
    this._logTraceback = false
  }

  /** @internal */
  _addWaiter(w: Waiter): void {
    if (this._yieldOnce) {
      // sleep(0) awaited outside a task step, or handed to gather/wait: settle on the next iteration.
      this._yieldOnce = false
      this._loopFor().callSoon(() => {
        if (!this.done()) this.setResult(this._result as T)
      })
    }
    const ws = this._waiters
    if (ws === null) this._waiters = w
    else if (Array.isArray(ws)) ws.push(w)
    else this._waiters = [ws, w]
  }

  /** @internal */
  _removeWaiter(w: Waiter): number {
    const ws = this._waiters
    if (ws === null) return 0
    const same = (x: Waiter): boolean => x === w || (x instanceof ResumingCallback && x.cb === w)
    if (!Array.isArray(ws)) {
      if (!same(ws)) return 0
      this._waiters = null
      return 1
    }
    const kept = ws.filter((x) => !same(x))
    this._waiters = kept.length === 0 ? null : kept
    return ws.length - kept.length
  }

  /** @internal asyncio schedules every done callback with call_soon, in registration order. */
  _scheduleWaiters(): void {
    const ws = this._waiters
    if (ws === null) return
    this._waiters = null
    if (!Array.isArray(ws)) this._wake(ws)
    else for (const w of ws) this._wake(w)
  }

  /** A `then` from outside a task step: settled from a handle after which the loop lets code run. */
  private _addThenWaiter(waiter: ThenWaiter): void {
    this._whenDone(new ResumingCallback((f) => settleThen(waiter, f)))
  }

  private _wake(w: Waiter): void {
    if (w instanceof ResumingCallback) {
      const loop = this._loopOrNull()
      if (loop === null) queueMicrotask(() => w.cb(this))
      else loop._callSoonArg(w.cb, this, true)
    } else if (typeof w === 'function') {
      const loop = this._loopOrNull()
      if (loop === null) queueMicrotask(() => w(this))
      else loop._callSoonArg(w, this, false)
    } else {
      w._loop._scheduleStep(w)
    }
  }

  /** @internal the loop this future belongs to, bound lazily to the running loop. */
  _loopOrNull(): EventLoop | null {
    if (this._loop === null || this._loop._closed) this._loop = current.loop ?? this._loop
    return this._loop
  }

  private _loopIsOpen(): boolean {
    const loop = this._loopOrNull()
    return loop !== null && !loop._closed
  }

  private _loopFor(): EventLoop {
    const loop = this._loopOrNull()
    if (loop === null) throw new RuntimeError('no running event loop')
    return loop
  }
}

Future.prototype._logTraceback = false
Future.prototype._yieldOnce = false

export const FutureStates = { PENDING, FINISHED, CANCELLED } as const
