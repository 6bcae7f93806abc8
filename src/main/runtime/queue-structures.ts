/**
 * The scheduler's two data structures: a FIFO ring buffer for the ready queue (O(1) push/shift,
 * no `Array.shift` copying on long queues) and the timers keyed by (deadline, sequence) so equal
 * deadlines fire in scheduling order, as a real clock would (a min-heap beside an in-order run).
 */

export class Deque<T> {
  private buf: (T | undefined)[] = new Array(16)
  private head = 0
  private n = 0

  get length(): number {
    return this.n
  }
  push(v: T): void {
    if (this.n === this.buf.length) this.grow()
    this.buf[(this.head + this.n) & (this.buf.length - 1)] = v
    this.n++
  }
  shift(): T | undefined {
    if (this.n === 0) return undefined
    const v = this.buf[this.head]
    this.buf[this.head] = undefined
    this.head = (this.head + 1) & (this.buf.length - 1)
    this.n--
    return v
  }
  /** The i-th item from the front (0: what shift() returns next); undefined past the end. */
  at(i: number): T | undefined {
    return i >= 0 && i < this.n ? this.buf[(this.head + i) & (this.buf.length - 1)] : undefined
  }
  clear(): void {
    this.buf = new Array(16)
    this.head = 0
    this.n = 0
  }
  private grow(): void {
    const old = this.buf
    const next = new Array<T | undefined>(old.length * 2)
    for (let i = 0; i < this.n; i++) next[i] = old[(this.head + i) & (old.length - 1)]
    this.buf = next
    this.head = 0
  }
}

export interface HeapItem {
  when: number
  seq: number
}

const before = (a: HeapItem, b: HeapItem): boolean => a.when < b.when || (a.when === b.when && a.seq < b.seq)

/**
 * Timers keyed by (deadline, sequence). Two parts: a binary min-heap, and an in-order run — a FIFO
 * of timers each pushed at or after the run's last deadline (sequence numbers only grow, so such a
 * timer sorts after it). Timers mostly come in deadline order (one delay used over and over, or
 * sleeps spread over a span): those cost an append and a shift, with no sifting through a heap
 * whose nodes are scattered over memory. The earliest timer is the smaller of the two fronts.
 */
export class TimerHeap<T extends HeapItem> {
  private items: T[] = []
  /** the in-order run from `runHead` on (slots before it were shifted out) */
  private run: (T | undefined)[] = []
  private runHead = 0

  get size(): number {
    return this.items.length + this.run.length - this.runHead
  }
  peek(): T | undefined {
    const h = this.items[0]
    const r = this.run[this.runHead]
    if (r === undefined) return h
    return h === undefined || before(r, h) ? r : h
  }
  push(item: T): void {
    const run = this.run
    const n = run.length
    if (n === this.runHead || !before(item, run[n - 1]!)) {
      run.push(item)
      return
    }
    this.pushHeap(item)
  }
  pop(): T | undefined {
    const h = this.items[0]
    const r = this.run[this.runHead]
    if (r !== undefined && (h === undefined || before(r, h))) return this.shiftRun()
    return this.popHeap()
  }
  /** The timers as they are stored (neither part sorted as a whole): for inspection only. */
  view(): readonly T[] {
    return [...this.items, ...(this.run.slice(this.runHead) as T[])]
  }
  /** Drops every item for which `dead` holds (cancelled timers), keeping both parts' order. */
  prune(dead: (item: T) => boolean): void {
    const kept = this.items.filter((x) => !dead(x))
    this.items = []
    for (const x of kept) this.pushHeap(x)
    this.run = (this.run.slice(this.runHead) as T[]).filter((x) => !dead(x))
    this.runHead = 0
  }

  private shiftRun(): T {
    const run = this.run
    const v = run[this.runHead]!
    run[this.runHead++] = undefined
    if (this.runHead === run.length) {
      run.length = 0
      this.runHead = 0
    } else if (this.runHead >= 1024 && this.runHead * 2 >= run.length) {
      run.splice(0, this.runHead) // the shifted-out front, dropped once it is half the array
      this.runHead = 0
    }
    return v
  }
  private pushHeap(item: T): void {
    const a = this.items
    a.push(item)
    let i = a.length - 1
    while (i > 0) {
      const p = (i - 1) >> 1
      if (!before(item, a[p]!)) break
      a[i] = a[p]!
      i = p
    }
    a[i] = item
  }
  private popHeap(): T | undefined {
    const a = this.items
    const top = a[0]
    const last = a.pop()
    if (a.length > 0 && last !== undefined) {
      let i = 0
      const n = a.length
      for (;;) {
        const l = 2 * i + 1
        if (l >= n) break
        const r = l + 1
        const c = r < n && before(a[r]!, a[l]!) ? r : l
        if (!before(a[c]!, last)) break
        a[i] = a[c]!
        i = c
      }
      a[i] = last
    }
    return top
  }
}
