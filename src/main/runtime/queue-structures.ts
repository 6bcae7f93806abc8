/**
 * The scheduler's two data structures: a FIFO ring buffer for the ready queue (O(1) push/shift,
 * no `Array.shift` copying on long queues) and a binary min-heap of timers keyed by
 * (deadline, sequence) so equal deadlines fire in scheduling order, as a real clock would.
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

export class TimerHeap<T extends HeapItem> {
  private items: T[] = []

  get size(): number {
    return this.items.length
  }
  peek(): T | undefined {
    return this.items[0]
  }
  push(item: T): void {
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
  pop(): T | undefined {
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
  /** The heap's array as is (heap order, not sorted): for inspection only, never to modify. */
  view(): readonly T[] {
    return this.items
  }
  /** Drops every item for which `dead` holds (cancelled timers), keeping heap order. */
  prune(dead: (item: T) => boolean): void {
    const kept = this.items.filter((x) => !dead(x))
    this.items = []
    for (const x of kept) this.push(x)
  }
}
