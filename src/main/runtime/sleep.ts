/** sleep(): one future that is also its own timer — one object per sleep, no closure. */
import type { Timer } from './handle'
import { getRunningLoop } from './current'
import { Future } from './future'
import type { EventLoop } from './loop'
import { validateDelay } from './validate'

class SleepFuture<T> extends Future<T> implements Timer {
  readonly _kind = 0
  _cancelled = false
  when: number
  seq = 0

  constructor(loop: EventLoop, when: number, private readonly value: T) {
    super(loop)
    this.when = when
  }
  override _cancelWith(...args: Parameters<Future<T>['_cancelWith']>): boolean {
    if (!super._cancelWith(...args)) return false
    this._cancelled = true // the heap drops it lazily
    return true
  }
  _run(): void {
    if (!this.done()) this.setResult(this.value)
  }
  override describe(): string {
    return `sleep until ${(this.when / 1000).toFixed(3)}s`
  }
}

class YieldFuture<T> extends Future<T> {
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
    f._yieldOnce = true
    return f
  }
  const f = new SleepFuture<T>(loop, loop.time() + ms, value as T)
  loop._addTimer(f)
  return f
}
