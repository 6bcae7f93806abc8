/** Event, Lock, Semaphore, BoundedSemaphore (asyncio's), all FIFO fair. Waiters are insertion-ordered Sets. */
import { current, getRunningLoop } from './current'
import { CancelledError, RuntimeError, ValueError } from './errors'
import type { Future } from './future'
import type { InternalMark, ResourceInfo, ResourceKind, ResourceOptions, ResourceRegistry, TrackedResource, WaitOp } from './resources'
import type { EventLoop } from './loop'
import { Holders, WaitFuture, bindResource, resourceIdentity } from './resources'
import type { Task } from './task'
import { describeValue } from './validate'

/**
 * Joins the back of `waiters` with a fresh future and waits for it to be set; leaves the line
 * however the wait ends. `ticket.fut` tells the caller which future was theirs.
 */
async function waitInLine(
  waiters: Set<Future<true>>,
  resource: TrackedResource,
  ticket?: { fut: Future<true> | null },
): Promise<void> {
  const fut = new WaitFuture<true>(getRunningLoop(), resource, 'acquire')
  if (ticket) ticket.fut = fut
  waiters.add(fut)
  try {
    await fut
  } finally {
    waiters.delete(fut)
  }
}

/** What every primitive carries for the resources registry (see resources.ts). */
abstract class Resource implements TrackedResource {
  /** @internal */ readonly _rid: number
  /** @internal */ readonly _label: string
  /** @internal */ _reg: ResourceRegistry | null = null
  /** @internal */ _owner: TrackedResource | null = null
  /** @internal on each class's prototype: no field per instance */
  declare readonly _resKind: ResourceKind

  constructor(kind: ResourceKind, opts: ResourceOptions | InternalMark | undefined) {
    const { rid, label } = resourceIdentity(kind, opts)
    this._rid = rid
    this._label = label
  }

  /** @internal */
  abstract _info(): { holders: Task<unknown>[]; extra: Partial<ResourceInfo> }
}

export class Event extends Resource {
  /** @internal */ declare readonly _resKind: 'Event'
  private value = false
  /**
   * The waiters in arrival order: an array, each waiter knowing its slot, so leaving empties the
   * slot with no hashing (100k waiters cancelled at once leave one by one); set() wakes the line
   * and starts a new one. Emptied slots are squeezed out once they are most of the line.
   */
  private line: (EventWaiter | null)[] = []
  private gone = 0

  /** `opts.name` labels it in the window's resources view. */
  constructor(opts?: ResourceOptions | InternalMark) {
    super('Event', opts)
  }

  isSet(): boolean {
    return this.value
  }
  /** Sets the flag and wakes every waiter. */
  set(): void {
    if (this._reg === null) bindResource(this)
    if (this.value) return
    this.value = true
    const line = this.line
    this.line = []
    this.gone = 0
    for (const w of line) if (w !== null && !w.done()) w.setResult(true)
  }
  clear(): void {
    this.value = false
  }
  /** Waits until the flag is set; returns true. */
  async wait(): Promise<true> {
    if (this._reg === null) bindResource(this)
    if (this.value) return true
    const fut = new EventWaiter(getRunningLoop(), this, this._owner === null ? 'wait' : 'join', this.line.length)
    this.line.push(fut)
    try {
      return await fut
    } finally {
      this.leave(fut)
    }
  }

  /** A waiter's wait ended: out of the line (a no-op once set() has woken the line it stood in). */
  private leave(w: EventWaiter): void {
    const line = this.line
    const slot = w._slot
    if (line[slot] !== w) return
    line[slot] = null
    if (++this.gone < 32 || this.gone * 2 < line.length) return
    let n = 0
    for (const x of line) {
      if (x === null) continue
      x._slot = n
      line[n++] = x
    }
    line.length = n
    this.gone = 0
  }

  /** @internal */
  _info(): { holders: Task<unknown>[]; extra: Partial<ResourceInfo> } {
    return { holders: [], extra: { isSet: this.value } }
  }
}
Object.defineProperty(Event.prototype, '_resKind', { value: 'Event' })

/** An Event's waiter: a WaitFuture that knows its slot in the line. */
class EventWaiter extends WaitFuture<true> {
  constructor(
    loop: EventLoop,
    resource: TrackedResource,
    op: WaitOp,
    /** @internal */ public _slot: number,
  ) {
    super(loop, resource, op)
  }
}

export class Lock extends Resource {
  /** @internal */ declare readonly _resKind: 'Lock'
  private held = false
  private readonly waiters = new Set<Future<true>>()
  /** @internal the task that acquired it (null outside tasks, or when free) */
  _holder: Task<unknown> | null = null

  /** `opts.name` labels it in the window's resources view. */
  constructor(opts?: ResourceOptions | InternalMark) {
    super('Lock', opts)
  }

  locked(): boolean {
    return this.held
  }

  /** Acquires the lock, waiting in FIFO order; returns true. */
  async acquire(): Promise<true> {
    if (this._reg === null) bindResource(this)
    if (!this.held && [...this.waiters].every((w) => w.cancelled())) {
      this.held = true
      this._holder = current.task
      return true
    }
    try {
      await waitInLine(this.waiters, this)
    } catch (e) {
      // Keep the invariant: if the lock is free and someone waits, the first waiter gets woken.
      if (e instanceof CancelledError && !this.held) this.wakeUpFirst()
      throw e
    }
    this.held = true
    this._holder = current.task
    return true
  }

  /** Releases the lock; RuntimeError if it is not held. */
  release(): void {
    if (!this.held) throw new RuntimeError('release() of a Lock that is not acquired')
    this.held = false
    this._holder = null
    this.wakeUpFirst()
  }

  private wakeUpFirst(): void {
    const first = this.waiters.values().next()
    if (!first.done && !first.value.done()) first.value.setResult(true)
  }

  /** @internal */
  _info(): { holders: Task<unknown>[]; extra: Partial<ResourceInfo> } {
    return { holders: this.held && this._holder !== null ? [this._holder] : [], extra: { locked: this.held } }
  }
}
Object.defineProperty(Lock.prototype, '_resKind', { value: 'Lock' })

export class Semaphore extends Resource {
  /** @internal */ declare readonly _resKind: 'Semaphore' | 'BoundedSemaphore'
  /** @internal free units */
  protected value: number
  private readonly initial: number
  private readonly waiters = new Set<Future<true>>()
  /** who holds units: kept only once tracked (see Holders) */
  private holders: Holders | null = null

  /** `opts.name` labels it in the window's resources view. */
  constructor(value = 1, opts?: ResourceOptions) {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      throw new RangeError(`Semaphore initial value must be an integer ≥ 0, got ${describeValue(value)}`)
    }
    super(new.target === BoundedSemaphore || new.target.prototype instanceof BoundedSemaphore ? 'BoundedSemaphore' : 'Semaphore', opts)
    this.value = value
    this.initial = value
  }

  /** True when acquire() would wait. */
  locked(): boolean {
    return this.value === 0 || [...this.waiters].some((w) => !w.cancelled())
  }

  /** Acquires one unit, FIFO: waits for earlier waiters even if units are free. Returns true. */
  async acquire(): Promise<true> {
    if (this._reg === null) this.bind()
    if (!this.locked()) {
      this.value--
      this.holders?.add(current.task)
      return true
    }
    const line = { fut: null as Future<true> | null }
    try {
      await waitInLine(this.waiters, this, line)
    } catch (e) {
      // Woken but cancelled before it could run: give the unit back.
      if (line.fut !== null && line.fut.done() && !line.fut.cancelled()) this.value++
      throw e
    } finally {
      while (this.value > 0 && this.wakeUpNext()) {
        // wake as many as the free units allow
      }
    }
    this.holders?.add(current.task)
    return true
  }

  release(): void {
    if (this._reg === null) this.bind()
    this.value++
    this.holders?.remove(current.task)
    this.wakeUpNext()
  }

  private bind(): void {
    bindResource(this)
    if (this._reg !== null) this.holders ??= new Holders()
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

  /** @internal */
  _info(): { holders: Task<unknown>[]; extra: Partial<ResourceInfo> } {
    return { holders: this.holders?.list() ?? [], extra: { value: this.value, initial: this.initial } }
  }
}
Object.defineProperty(Semaphore.prototype, '_resKind', { value: 'Semaphore' })

/**
 * asyncio.BoundedSemaphore: a Semaphore whose release() beyond the initial value is a ValueError
 * (a unit released that was never acquired), changing nothing.
 */
export class BoundedSemaphore extends Semaphore {
  private readonly bound: number

  constructor(value = 1, opts?: ResourceOptions) {
    super(value, opts)
    this.bound = value
  }

  override release(): void {
    if (this.value >= this.bound) throw new ValueError('BoundedSemaphore released too many times')
    super.release()
  }
}
Object.defineProperty(BoundedSemaphore.prototype, '_resKind', { value: 'BoundedSemaphore' })
