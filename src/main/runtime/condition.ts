/** Condition (asyncio.Condition, CPython 3.12): wait for a notification while holding a lock. */
import { getRunningLoop } from './current'
import { CancelledError, RuntimeError } from './errors'
import type { Future } from './future'
import { Lock } from './locks'
import { describeValue } from './validate'

export class Condition {
  private readonly lock: Lock
  /** insertion-ordered: notify() wakes the longest waiting first */
  private readonly waiters = new Set<Future<boolean>>()

  /** Uses `lock` (shared with other conditions or code), or a fresh Lock. */
  constructor(lock?: Lock) {
    if (lock !== undefined && !(lock instanceof Lock)) throw new TypeError(`Condition() takes a Lock, got ${describeValue(lock)}`)
    this.lock = lock ?? new Lock()
  }

  locked(): boolean {
    return this.lock.locked()
  }
  /** Acquires the underlying lock; returns true. */
  acquire(): Promise<true> {
    return this.lock.acquire()
  }
  /** Releases the underlying lock; RuntimeError if it is not held. */
  release(): void {
    this.lock.release()
  }

  /**
   * Releases the lock, waits until notified, re-acquires the lock and returns true. The lock is
   * held again however the wait ends: a cancelled wait re-acquires it before the CancelledError
   * propagates (as CPython, retrying if cancelled again while re-acquiring). RuntimeError if the
   * lock is not held.
   */
  async wait(): Promise<true> {
    if (!this.locked()) throw new RuntimeError('cannot wait on un-acquired lock')
    this.release()
    try {
      const fut = getRunningLoop().createFuture<boolean>()
      this.waiters.add(fut)
      try {
        await fut
        return true
      } finally {
        this.waiters.delete(fut)
      }
    } finally {
      let cancelled: CancelledError | null = null
      for (;;) {
        try {
          await this.lock.acquire()
          break
        } catch (e) {
          if (!(e instanceof CancelledError)) throw e
          cancelled = e
        }
      }
      if (cancelled !== null) throw cancelled // eslint-disable-line no-unsafe-finally -- as CPython: cancelled while re-acquiring
    }
  }

  /** Waits until `predicate()` is truthy (checked first, then after each notification); returns its value. */
  async waitFor<T>(predicate: () => T): Promise<T> {
    if (typeof predicate !== 'function') throw new TypeError(`waitFor() takes a predicate function, got ${describeValue(predicate)}`)
    let result = predicate()
    while (!result) {
      await this.wait()
      result = predicate()
    }
    return result
  }

  /** Wakes up to `n` waiters, longest waiting first. RuntimeError if the lock is not held. */
  notify(n = 1): void {
    if (typeof n !== 'number' || Number.isNaN(n)) throw new TypeError(`notify() takes a number, got ${describeValue(n)}`)
    if (!this.locked()) throw new RuntimeError('cannot notify on un-acquired lock')
    let woken = 0
    for (const fut of this.waiters) {
      if (woken >= n) break
      if (!fut.done()) {
        woken++
        fut.setResult(false)
      }
    }
  }

  /** Wakes every waiter. RuntimeError if the lock is not held. */
  notifyAll(): void {
    this.notify(this.waiters.size)
  }
}
