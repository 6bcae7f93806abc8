/** sleep(): one future that is also its own timer — one object per sleep, no closure. */
import type { Timer } from './handle'
import { getRunningLoop } from './current'
import { Future } from './future'
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

/**
 * Suspends the current task for `ms` on the loop's clock, then resolves with `value`.
 * `sleep(0)` (or any delay ≤ 0) yields once to the loop, as asyncio's sleep(0). NaN is a TypeError.
 * @example await sleep(1000)
 */
export function sleep<T = void>(ms: number, value?: T): Future<T> {
  validateDelay(ms, 'sleep')
  const loop = getRunningLoop()
  if (ms <= 0) {
    const f = new YieldFuture<T>(loop)
    f._result = value as T
    return f
  }
  const f = new SleepFuture<T>(loop, loop.time() + ms, value as T)
  loop._addTimer(f)
  return f
}
