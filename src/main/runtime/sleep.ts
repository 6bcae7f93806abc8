/** sleep(): one future that is also its own timer — one object per sleep, no closure. */
import type { Timer } from './handle'
import { current, getRunningLoop } from './current'
import { Future, rejectNative } from './future'
import type { EventLoop } from './loop'
import { validateDelay } from './validate'

class SleepFuture<T> extends Future<T> implements Timer {
  /** a timer in the ready queue (kind 0, on the prototype) */
  declare readonly _kind: 0
  /** false on the prototype until cancelled */
  declare _cancelled: boolean
  when: number
  seq = 0

  constructor(loop: EventLoop, when: number, value: T) {
    super(loop)
    this.when = when
    this._result = value // what it resolves with; nothing else reads _result before it is done
  }
  override _cancelWith(...args: Parameters<Future<T>['_cancelWith']>): boolean {
    if (!super._cancelWith(...args)) return false
    this._cancelled = true // the heap drops it lazily
    return true
  }
  _run(): void {
    if (!this.done()) this.setResult(this._result as T)
  }
  override describe(): string {
    return `sleep until ${(this.when / 1000).toFixed(3)}s`
  }
}

Object.defineProperties(SleepFuture.prototype, { _kind: { value: 0 }, _cancelled: { value: false, writable: true } })

class YieldFuture<T> extends Future<T> {
  /** sleep(0) is made to yield once: its own field, so other futures carry none */
  override _yieldOnce = true
  override describe(): string {
    return 'sleep(0)'
  }
}

/** The intrinsic Promise: what V8's await compares a promise's `constructor` with (a test may swap the global). */
const IntrinsicPromise = Promise
let capturedRes: ((v: unknown) => void) | null = null
function capture(res: (v: unknown) => void): void {
  capturedRes = res
}
const CAPTURE_ARGS = [capture]

/**
 * sleep(0) made inside a task step: a runtime future that is also a native promise (its
 * `constructor` is the intrinsic Promise), so `await sleep(0)` takes V8's native-promise path —
 * no wrapper promise, no thenable job, no `then` call. Nobody calls `then`, so the task is parked
 * on it when its step ends (Task._afterStep, see current.stepYield), which is where asyncio puts a
 * bare yield's wake-up: Task.__step call_soon's itself after coro.send() returns, after every
 * handle the step scheduled. `then`, gather and friends still work on it as on any future.
 *
 * A parked task holds it until its next step, long enough to be promoted with 100k tasks, so it
 * is kept small: Future's fields that only an error, a cancel or a waiter sets live on the
 * prototype until then, and only the resolve function is kept (a rejection resolves with a
 * rejected promise: two more microtasks, on that cold path only).
 */
export class NativeYield<T> extends Future<T> {
  /** @internal the native side's resolve function (noop once a task's registration holds it) */
  declare _nres: (v: unknown) => void
  override describe(): string {
    return 'sleep(0)'
  }
  /** Settled some other way (handed to gather, cancelled): a native await of it settles too. */
  override setResult(v: T): void {
    super.setResult(v)
    this._nres(v)
  }
  override setException(e: unknown): void {
    super.setException(e)
    rejectNative(this, this._nres, e)
  }
  override _cancelWith(...args: Parameters<Future<T>['_cancelWith']>): boolean {
    if (!super._cancelWith(...args)) return false
    rejectNative(this, this._nres, this._cancelledError)
    return true
  }
}

/**
 * sleep(ms > 0) made inside a task step: the timer future as a native promise, as NativeYield
 * (an `await sleep(1000)` makes no wrapper promise, no thenable job, no `then` call, and the
 * parked task holds one resolve function instead of the wrapper's pair).
 */
export class NativeSleep<T> extends SleepFuture<T> {
  /** @internal as NativeYield's */
  declare _nres: (v: unknown) => void
  override setResult(v: T): void {
    super.setResult(v)
    this._nres(v)
  }
  override setException(e: unknown): void {
    super.setException(e)
    rejectNative(this, this._nres, e)
  }
  override _cancelWith(...args: Parameters<Future<T>['_cancelWith']>): boolean {
    if (!super._cancelWith(...args)) return false
    rejectNative(this, this._nres, this._cancelledError)
    return true
  }
}

for (const proto of [NativeYield.prototype, NativeSleep.prototype]) {
  Object.defineProperties(proto, {
    constructor: { value: IntrinsicPromise, writable: true, configurable: true },
    _native: { value: true },
    // set only by an error, a cancel or a waiter (own properties from then on)
    _exception: { value: undefined, writable: true },
    _hasException: { value: false, writable: true },
    _cancelledError: { value: null, writable: true },
    _waiters: { value: null, writable: true },
  })
}

function nativeSleep<T>(loop: EventLoop, when: number, value: T): NativeSleep<T> {
  const f = Reflect.construct(IntrinsicPromise, CAPTURE_ARGS, NativeSleep) as NativeSleep<T>
  // always in this order, so every NativeSleep shares one hidden class
  f._state = 0
  f._result = value
  f._loop = loop
  f.when = when
  f.seq = 0
  f._nres = capturedRes!
  capturedRes = null
  return f
}

function nativeYield<T>(loop: EventLoop, value: T): NativeYield<T> {
  const f = Reflect.construct(IntrinsicPromise, CAPTURE_ARGS, NativeYield) as NativeYield<T>
  // always in this order, so every NativeYield shares one hidden class
  f._state = 0
  f._result = value
  f._loop = loop
  f._yieldOnce = true
  f._nres = capturedRes!
  capturedRes = null
  return f
}

/**
 * Suspends the current task for `ms` on the loop's clock, then resolves with `value`.
 * `sleep(0)` (or any delay ≤ 0) yields once to the loop, as asyncio's sleep(0). NaN is a TypeError.
 * @example await sleep(1000)
 */
export function sleep<T = void>(ms: number, value?: T): Future<T> {
  validateDelay(ms, 'sleep')
  const loop = getRunningLoop()
  const task = current.task
  // In a task step a sleep is a native promise: the task parks on it as the step ends.
  const native = task !== null && task._inStep && task._loop === loop
  if (ms <= 0) {
    if (native) return noteNative(nativeYield(loop, value as T))
    const f = new YieldFuture<T>(loop)
    f._result = value as T
    return f
  }
  // Not a timer made inside a plain (non-async) coroutine's own call: that may return it as the
  // task's outcome (`() => sleep(60_000)`), nothing awaits it natively, and the plain future is
  // smaller while it waits. Where a timer registers does not move any wake-up (its deadline does).
  const timerNative = native && !current.plainCoro
  const f = timerNative ? nativeSleep(loop, loop.time() + ms, value as T) : new SleepFuture<T>(loop, loop.time() + ms, value as T)
  loop._addTimer(f)
  return timerNative ? noteNative(f) : f
}

/** A native sleep made in the running step: its task parks on it as the step ends, unless something registered on it. */
function noteNative<F extends Future<unknown>>(f: F): F {
  if (current.stepYield === null) current.stepYield = f
  else (current.moreYields ??= []).push(f)
  return f
}
