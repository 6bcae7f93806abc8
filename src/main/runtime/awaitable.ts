/** Turning any Awaitable into a runtime Future (asyncio's ensure_future). */
import type { EventLoop } from './loop'
import { Future } from './future'
import { describeValue } from './validate'

/** A runtime future, a coroutine function (wrapped in a task), or a foreign promise. */
export type Awaitable<T> = Future<T> | (() => PromiseLike<T>) | PromiseLike<T>

/** The value an Awaitable settles with. */
export type AwaitedOf<A> = A extends Future<infer T> ? T : A extends () => PromiseLike<infer T> ? T : A extends PromiseLike<infer T> ? T : never

/**
 * A future for `aw`: futures as they are, functions wrapped in a task (as asyncio wraps
 * coroutines), foreign promises in a future whose cancellation only stops the waiting.
 */
export function ensureFuture<T>(aw: Awaitable<T>, loop: EventLoop): Future<T> {
  if (aw instanceof Future) return aw
  if (typeof aw === 'function') return loop.createTask(aw)
  if (aw !== null && typeof aw === 'object' && typeof (aw as PromiseLike<T>).then === 'function') {
    const f = loop.createFuture<T>()
    ;(aw as PromiseLike<T>).then(
      (v) => {
        if (!f.done()) f.setResult(v)
      },
      (e: unknown) => {
        if (!f.done()) f.setException(e)
      },
    )
    return f
  }
  throw new TypeError(`a Future, a coroutine function or a PromiseLike was expected, got ${describeValue(aw)}`)
}
