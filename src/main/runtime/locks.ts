/** Event, Lock, Semaphore, BoundedSemaphore (asyncio's), all FIFO fair. Waiters are insertion-ordered Sets. */
import { getRunningLoop } from './current'
import { CancelledError, RuntimeError, ValueError } from './errors'
import type { Future } from './future'
import { describeValue } from './validate'

/**
 * Joins the back of `waiters` with a fresh future and waits for it to be set; leaves the line
 * however the wait ends. `ticket.fut` tells the caller which future was theirs.
 */
async function waitInLine(waiters: Set<Future<true>>, ticket?: { fut: Future<true> | null }): Promise<void> {
  const fut = getRunningLoop().createFuture<true>()
  if (ticket) ticket.fut = fut
  waiters.add(fut)
  try {
    await fut
  } finally {
    waiters.delete(fut)
  }
}

export class Event {
  private value = false
  private readonly waiters = new Set<Future<true>>()

  isSet(): boolean {
    return this.value
  }
  /** Sets the flag and wakes every waiter. */
  set(): void {
    if (this.value) return
    this.value = true
    for (const w of this.waiters) if (!w.done()) w.setResult(true)
  }
  clear(): void {
    this.value = false
  }
  /** Waits until the flag is set; returns true. */
  async wait(): Promise<true> {
    if (this.value) return true
    const fut = getRunningLoop().createFuture<true>()
    this.waiters.add(fut)
    try {
      return await fut
    } finally {
      this.waiters.delete(fut)
    }
  }
}

export class Lock {
  private held = false
  private readonly waiters = new Set<Future<true>>()

  locked(): boolean {
    return this.held
  }

  /** Acquires the lock, waiting in FIFO order; returns true. */
  async acquire(): Promise<true> {
    if (!this.held && [...this.waiters].every((w) => w.cancelled())) {
      this.held = true
      return true
    }
    try {
      await waitInLine(this.waiters)
    } catch (e) {
      // Keep the invariant: if the lock is free and someone waits, the first waiter gets woken.
      if (e instanceof CancelledError && !this.held) this.wakeUpFirst()
      throw e
    }
    this.held = true
    return true
  }

  /** Releases the lock; RuntimeError if it is not held. */
  release(): void {
    if (!this.held) throw new RuntimeError('release() of a Lock that is not acquired')
    this.held = false
    this.wakeUpFirst()
  }

  private wakeUpFirst(): void {
    const first = this.waiters.values().next()
    if (!first.done && !first.value.done()) first.value.setResult(true)
  }
}

export class Semaphore {
  /** @internal free units */
  protected value: number
  private readonly waiters = new Set<Future<true>>()

  constructor(value = 1) {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      throw new RangeError(`Semaphore initial value must be an integer ≥ 0, got ${describeValue(value)}`)
    }
    this.value = value
  }

  /** True when acquire() would wait. */
  locked(): boolean {
    return this.value === 0 || [...this.waiters].some((w) => !w.cancelled())
  }

  /** Acquires one unit, FIFO: waits for earlier waiters even if units are free. Returns true. */
  async acquire(): Promise<true> {
    if (!this.locked()) {
      this.value--
      return true
    }
    const line = { fut: null as Future<true> | null }
    try {
      await waitInLine(this.waiters, line)
    } catch (e) {
      // Woken but cancelled before it could run: give the unit back.
      if (line.fut !== null && line.fut.done() && !line.fut.cancelled()) this.value++
      throw e
    } finally {
      while (this.value > 0 && this.wakeUpNext()) {
        // wake as many as the free units allow
      }
    }
    return true
  }

  release(): void {
    this.value++
    this.wakeUpNext()
  }

  private wakeUpNext(): boolean {
    for (const w of this.waiters) {
      if (!w.done()) {
        this.value--
        w.setResult(true)
        return true
      }
    }
    return false
  }
}

/**
 * asyncio.BoundedSemaphore: a Semaphore whose release() beyond the initial value is a ValueError
 * (a unit released that was never acquired), changing nothing.
 */
export class BoundedSemaphore extends Semaphore {
  private readonly bound: number

  constructor(value = 1) {
    super(value)
    this.bound = value
  }

  override release(): void {
    if (this.value >= this.bound) throw new ValueError('BoundedSemaphore released too many times')
    super.release()
  }
}
