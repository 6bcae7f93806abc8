/** Condition (asyncio.Condition, CPython 3.12): wait for a notification while holding a lock. */
import { getRunningLoop } from './current'
import { CancelledError, RuntimeError } from './errors'
import type { Future } from './future'
import { Lock } from './locks'
import type { InternalMark, ResourceInfo, ResourceOptions, ResourceRegistry, TrackedResource } from './resources'
import { INTERNAL, WaitFuture, bindResource, resourceIdentity } from './resources'
import type { Task } from './task'
import { describeValue } from './validate'

export class Condition implements TrackedResource {
  private readonly lock: Lock
  /** insertion-ordered: notify() wakes the longest waiting first */
  private readonly waiters = new Set<Future<boolean>>()
  /** @internal */ readonly _rid: number
  /** @internal */ readonly _label: string
  /** @internal */ readonly _resKind = 'Condition' as const
  /** @internal */ _reg: ResourceRegistry | null = null
  /** @internal */ _owner: TrackedResource | null = null

  /**
   * Uses `lock` (shared with other conditions or code: it stays a resource of its own), or a
   * fresh Lock (then part of this condition). `opts.name` labels it in the window's resources view.
   */
  constructor(lock?: Lock, opts?: ResourceOptions | InternalMark) {
    if (lock !== undefined && !(lock instanceof Lock)) throw new TypeError(`Condition() takes a Lock, got ${describeValue(lock)}`)
    const { rid, label } = resourceIdentity('Condition', opts)
    this._rid = rid
    this._label = label
    if (lock === undefined) {
      this.lock = new Lock(INTERNAL)
      this.lock._owner = this
    } else this.lock = lock
  }

  /** @internal part of `owner` (a Barrier): its waits, and its own lock's, are the owner's. */
  _partOf(owner: TrackedResource): void {
    this._owner = owner
    if (this.lock._owner === this) this.lock._owner = owner
  }

  /** @internal */
  _info(): { holders: Task<unknown>[]; extra: Partial<ResourceInfo> } {
    return this.lock._info()
  }

  locked(): boolean {
    return this.lock.locked()
  }
  /** Acquires the underlying lock; returns true. */
  acquire(): Promise<true> {
    if (this._reg === null) bindResource(this)
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
      const fut = new WaitFuture<boolean>(getRunningLoop(), this, 'wait')
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
