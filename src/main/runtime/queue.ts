/** Queue (asyncio.Queue): FIFO, bounded when maxsize > 0, fair to waiting getters and putters. */
import { getRunningLoop } from './current'
import { QueueEmpty, QueueFull, ValueError } from './errors'
import { Event } from './locks'
import type { Future } from './future'
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

export class Queue<T> {
  readonly maxsize: number
  private readonly items = new Deque<T>()
  private readonly getters = new Set<Future<void>>()
  private readonly putters = new Set<Future<void>>()
  private unfinished = 0
  private readonly finished = new Event()

  /** maxsize ≤ 0 means unbounded. Any number, as CPython (1.5 holds 2 items: full when qsize ≥ maxsize). */
  constructor(maxsize = 0) {
    if (typeof maxsize !== 'number' || Number.isNaN(maxsize)) {
      throw new TypeError(`Queue maxsize must be a number, got ${describeValue(maxsize)}`)
    }
    this.maxsize = maxsize
    this.finished.set()
  }

  qsize(): number {
    return this.items.length
  }
  empty(): boolean {
    return this.items.length === 0
  }
  full(): boolean {
    return this.maxsize > 0 && this.items.length >= this.maxsize
  }

  /** Puts an item, waiting while the queue is full. */
  async put(item: T): Promise<void> {
    while (this.full()) {
      const putter = getRunningLoop().createFuture<void>()
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
    if (this.full()) throw new QueueFull(`the queue is full (maxsize ${this.maxsize})`)
    this.items.push(item)
    this.unfinished++
    this.finished.clear()
    wakeupNext(this.getters)
  }

  /** Removes and returns the first item, waiting while the queue is empty. */
  async get(): Promise<T> {
    while (this.empty()) {
      const getter = getRunningLoop().createFuture<void>()
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
    if (this.empty()) throw new QueueEmpty('the queue is empty')
    const item = this.items.shift() as T
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
    if (this.unfinished > 0) await this.finished.wait()
  }
}
