/** Queue (asyncio.Queue): FIFO, bounded when maxsize > 0, fair to waiting getters and putters. */
import { getRunningLoop } from './current'
import { QueueEmpty, QueueFull, ValueError } from './errors'
import { Event } from './locks'
import type { Future } from './future'
import type { ResourceInfo, ResourceKind, ResourceOptions, ResourceRegistry, TrackedResource } from './resources'
import { INTERNAL, WaitFuture, bindResource, resourceIdentity } from './resources'
import type { Task } from './task'
import { Deque } from './queue-structures'
import { describeValue } from './validate'

/** Wakes the first waiter not already woken (insertion-ordered Set: O(1) removal of cancelled ones). */
function wakeupNext(waiters: Set<Future<void>>): void {
  for (const w of waiters) {
    waiters.delete(w)
    if (!w.done()) {
      w.setResult()
      return
    }
  }
}

export class Queue<T> implements TrackedResource {
  readonly maxsize: number
  private readonly items = new Deque<T>()
  private readonly getters = new Set<Future<void>>()
  private readonly putters = new Set<Future<void>>()
  private unfinished = 0
  private readonly finished = new Event(INTERNAL)
  /** @internal */ readonly _rid: number
  /** @internal */ readonly _label: string
  /** @internal */ readonly _resKind: ResourceKind
  /** @internal */ _reg: ResourceRegistry | null = null
  /** @internal */ _owner: TrackedResource | null = null

  /**
   * maxsize ≤ 0 means unbounded. Any number, as CPython (1.5 holds 2 items: full when qsize ≥
   * maxsize). `opts.name` labels it in the window's resources view.
   */
  constructor(maxsize = 0, opts?: ResourceOptions) {
    if (typeof maxsize !== 'number' || Number.isNaN(maxsize)) {
      throw new TypeError(`Queue maxsize must be a number, got ${describeValue(maxsize)}`)
    }
    this.maxsize = maxsize
    this._resKind = this instanceof PriorityQueue ? 'PriorityQueue' : this instanceof LifoQueue ? 'LifoQueue' : 'Queue'
    const { rid, label } = resourceIdentity(this._resKind, opts)
    this._rid = rid
    this._label = label
    this.finished._owner = this
    this.finished.set()
  }

  /** @internal */
  _info(): { holders: Task<unknown>[]; extra: Partial<ResourceInfo> } {
    return { holders: [], extra: { size: this._size(), maxsize: this.maxsize, unfinished: this.unfinished } }
  }

  qsize(): number {
    return this._size()
  }
  empty(): boolean {
    return this._size() === 0
  }
  full(): boolean {
    return this.maxsize > 0 && this._size() >= this.maxsize
  }

  // The storage, as asyncio's _put/_get/_qsize: PriorityQueue and LifoQueue change only these.
  /** @internal */
  protected _size(): number {
    return this.items.length
  }
  /** @internal */
  protected _put(item: T): void {
    this.items.push(item)
  }
  /** @internal */
  protected _get(): T {
    return this.items.shift() as T
  }

  /** Puts an item, waiting while the queue is full. */
  async put(item: T): Promise<void> {
    if (this._reg === null) bindResource(this)
    while (this.full()) {
      const putter = new WaitFuture<void>(getRunningLoop(), this, 'put')
      this.putters.add(putter)
      try {
        await putter
      } catch (e) {
        putter.cancel()
        this.putters.delete(putter)
        if (!this.full() && !putter.cancelled()) wakeupNext(this.putters)
        throw e
      }
    }
    this.putNowait(item)
  }

  /** Puts an item at once; QueueFull if there is no room. */
  putNowait(item: T): void {
    if (this._reg === null) bindResource(this)
    if (this.full()) throw new QueueFull(`the queue is full (maxsize ${this.maxsize})`)
    this._put(item)
    this.unfinished++
    this.finished.clear()
    wakeupNext(this.getters)
  }

  /** Removes and returns the first item, waiting while the queue is empty. */
  async get(): Promise<T> {
    if (this._reg === null) bindResource(this)
    while (this.empty()) {
      const getter = new WaitFuture<void>(getRunningLoop(), this, 'get')
      this.getters.add(getter)
      try {
        await getter
      } catch (e) {
        getter.cancel()
        this.getters.delete(getter)
        if (!this.empty() && !getter.cancelled()) wakeupNext(this.getters)
        throw e
      }
    }
    return this.getNowait()
  }

  /** Removes and returns the first item at once; QueueEmpty if there is none. */
  getNowait(): T {
    if (this._reg === null) bindResource(this)
    if (this.empty()) throw new QueueEmpty('the queue is empty')
    const item = this._get()
    wakeupNext(this.putters)
    return item
  }

  /** Marks one item taken with get() as processed; join() returns when all are. */
  taskDone(): void {
    if (this.unfinished <= 0) throw new ValueError('taskDone() called more times than there were items')
    this.unfinished--
    if (this.unfinished === 0) this.finished.set()
  }

  /** Waits until every item put has been marked processed with taskDone(). */
  async join(): Promise<void> {
    if (this._reg === null) bindResource(this)
    if (this.unfinished > 0) await this.finished.wait()
  }
}

/** Orders two items: negative when `a` comes out first (Array.prototype.sort's convention). */
export type Comparator<T> = (a: T, b: T) => number

/**
 * Python's `<` as heapq applies it: arrays compare like tuples (the first differing element
 * decides, a shorter prefix first), anything else with JavaScript's `<`.
 */
export function pythonLess(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.min(a.length, b.length)
    for (let i = 0; i < n; i++) {
      const x: unknown = a[i]
      const y: unknown = b[i]
      if (x === y) continue
      if (Array.isArray(x) && Array.isArray(y) && !pythonLess(x, y) && !pythonLess(y, x)) continue
      return pythonLess(x, y)
    }
    return a.length < b.length
  }
  return (a as number) < (b as number)
}

/**
 * asyncio.PriorityQueue: the smallest item comes out first. By default items compare with `<`,
 * arrays as Python tuples (`[priority, data]` orders by priority, then data); pass
 * `{ comparator }` for anything else. The heap is heapq's, so equal priorities come out in the
 * same order as in CPython (not necessarily insertion order, as there).
 * @example const q = new PriorityQueue<[number, string]>(); q.putNowait([2, 'b']); q.putNowait([1, 'a'])
 */
export class PriorityQueue<T> extends Queue<T> {
  private readonly heap: T[] = []
  private readonly less: (a: T, b: T) => boolean

  constructor(maxsize = 0, opts: { comparator?: Comparator<T> } & ResourceOptions = {}) {
    super(maxsize, opts?.name === undefined ? undefined : { name: opts.name })
    const cmp = opts?.comparator
    if (cmp !== undefined && typeof cmp !== 'function') throw new TypeError(`PriorityQueue comparator must be a function, got ${describeValue(cmp)}`)
    this.less = cmp === undefined ? pythonLess : (a, b) => cmp(a, b) < 0
  }

  protected override _size(): number {
    return this.heap.length
  }
  /** heapq.heappush */
  protected override _put(item: T): void {
    this.heap.push(item)
    this.siftDown(0, this.heap.length - 1)
  }
  /** heapq.heappop */
  protected override _get(): T {
    const heap = this.heap
    const last = heap.pop() as T
    if (heap.length === 0) return last
    const top = heap[0] as T
    heap[0] = last
    this.siftUp(0)
    return top
  }

  private siftDown(start: number, pos: number): void {
    const heap = this.heap
    const item = heap[pos] as T
    while (pos > start) {
      const parentPos = (pos - 1) >> 1
      const parent = heap[parentPos] as T
      if (!this.less(item, parent)) break
      heap[pos] = parent
      pos = parentPos
    }
    heap[pos] = item
  }

  private siftUp(pos: number): void {
    const heap = this.heap
    const end = heap.length
    const start = pos
    const item = heap[pos] as T
    let child = 2 * pos + 1
    while (child < end) {
      const right = child + 1
      if (right < end && !this.less(heap[child] as T, heap[right] as T)) child = right
      heap[pos] = heap[child] as T
      pos = child
      child = 2 * pos + 1
    }
    heap[pos] = item
    this.siftDown(start, pos)
  }
}

/** asyncio.LifoQueue: the last item put comes out first. */
export class LifoQueue<T> extends Queue<T> {
  private readonly stack: T[] = []

  protected override _size(): number {
    return this.stack.length
  }
  protected override _put(item: T): void {
    this.stack.push(item)
  }
  protected override _get(): T {
    return this.stack.pop() as T
  }
}
