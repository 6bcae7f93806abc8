import { SEGMENT_CAPS, TASK_STATES } from '../../shared/snapshots'
import type { OpenSegment, SegmentAppend, StateHistory, StateSegment, TaskState } from '../../shared/snapshots'

/**
 * A state as a small number (its index in TASK_STATES): segments are kept as numbers, not objects.
 * A switch, not a Map: it runs at every state change, and compares interned strings by identity.
 */
export function stateCode(state: TaskState): number {
  switch (state) {
    case 'pending':
      return 0
    case 'running':
      return 1
    case 'waiting':
      return 2
    case 'cancelling':
      return 3
    case 'done':
      return 4
    case 'failed':
      return 5
    case 'cancelled':
      return 6
    case 'abandoned':
      return 7
  }
}

// The switch above follows TASK_STATES' order; a state added there must be added here.
for (const [i, s] of TASK_STATES.entries()) if (stateCode(s) !== i) throw new Error(`stateCode(${s}) is not its index ${i}`)

export function stateOfCode(code: number): TaskState {
  return TASK_STATES[code]!
}

/** StateRecorder.flags: its open segment went with the last take (bits below it are a subclass's). */
const OPEN_SENT = 1 << 16

/**
 * One task's state history as the monitor records it: the runtime reports each change, the
 * recorder closes the current segment and opens the next (an equal state extends the current one),
 * and keeps the first `caps.head` and the last `caps.tail`. A busy task changes state millions of
 * times, so a change allocates nothing once the tail is full: the tail is a ring overwritten in
 * place, and the open segment is two fields. Closed segments are kept as numbers (state code, from,
 * to) in two arrays of numbers, head and ring, never as one object each: 10,000 tasks with 200
 * segments kept were two million objects for the garbage collector to trace and promote, and most
 * of what watching W2 cost. Segment objects are made only for what `take()` and `history()` hand
 * out, which deltas bound.
 */
export class StateRecorder {
  /**
   * The first `caps.head` closed segments, as (code, from, to) triples (made at the first): past
   * the first `inlineSegments`, which a subclass keeps in typed storage of its own (inlineStore).
   */
  private head: number[] | null = null
  private headLength = 0
  /**
   * The tail as a ring of (code, from, to) triples, overwritten in place; grows up to `caps.tail`
   * segments (16, then all of them; a typed array, so neither the collector traces nor copies it, and a
   * busy task's 150 tail segments are written in place, not pushed onto a growing array: that push
   * was 2% of W2 watched, and the arrays' copying a part of its scavenges)
   * segments, then wraps (made when first needed).
   */
  private ring: Float64Array | null = null
  private ringLength = 0
  private ringStart = 0
  private skipped = 0
  private openState: TaskState | null = null
  private openFrom = 0
  /** How many closed segments earlier deltas carried (kept or already skipped). */
  private sent = 0
  /**
   * Yes/no facts as bits: the recorder's own is OPEN_SENT (the open segment went with the last
   * take); a subclass keeps its own in the bits below it (one field per task, not one each).
   */
  protected flags = 0
  /** The first `head` closed segments are kept, and the last `tail` (SEGMENT_CAPS unless given). */
  declare private readonly caps: { head: number; tail: number }

  constructor(caps?: { head: number; tail: number }) {
    // The default lives on the prototype: one field fewer on each of 100,000 recorders.
    if (caps !== undefined) (this as unknown as { caps: { head: number; tail: number } }).caps = caps
  }

  /**
   * How many of the first head segments live in inlineStore() (0 here; on the prototype, so a
   * recorder pays no field for it). The monitor's entries keep a short task's whole history there,
   * in a typed array the garbage collector never traces: no array object per task.
   */
  declare protected readonly inlineSegments: number

  /** Where the inline segments live: the array and the index of the first triple (see inlineSegments). */
  protected inlineStore(): Float64Array {
    throw new Error('no inline segments')
  }
  protected inlineAt(): number {
    return 0
  }

  /** Number `k` (0 code, 1 from, 2 to) of head segment `i`. */
  private headNum(i: number, k: number): number {
    const inline = this.inlineSegments
    if (i < inline) return this.inlineStore()[this.inlineAt() + 3 * i + k]!
    return this.head![3 * (i - inline) + k]!
  }

  private get openSent(): boolean {
    return (this.flags & OPEN_SENT) !== 0
  }
  private set openSent(v: boolean) {
    this.flags = v ? this.flags | OPEN_SENT : this.flags & ~OPEN_SENT
  }

  /** The task is in `state` from loop time `at` on. Before its first step ('pending') nothing is kept. */
  enter(state: TaskState, at: number): void {
    const open = this.openState
    if (open !== null) {
      if (open === state) return
      const from = this.openFrom
      this.push(open, from, at > from ? at : from)
    } else if (state === 'pending') return
    this.openState = state
    this.openFrom = at
    this.openSent = false
  }

  /** The task reached a final state at `at`: the current segment closes, no new one opens. */
  end(at: number): void {
    const open = this.openState
    if (open === null) return
    const from = this.openFrom
    this.push(open, from, at > from ? at : from)
    this.openState = null
    this.openSent = false
  }

  /** How many closed segments it has seen (kept or skipped). */
  get length(): number {
    return this.headLength + this.skipped + this.ringLength
  }

  /** How many tail segments the next take() would hand out (what a busy task adds per delta). */
  get pendingTail(): number {
    const total = this.length
    return total - Math.max(this.sent, total - this.ringLength)
  }

  /** Closed, ended and fully taken: its kept segments are all there is to it (see packInto). */
  get settled(): boolean {
    return this.openState === null && this.sent === this.length && this.openSent
  }

  /** A copy of everything kept (for full snapshots). */
  history(): StateHistory {
    return { head: this.headFrom(0), skipped: this.skipped, tail: this.tail(0), open: this.open() }
  }

  /**
   * The segments closed since the last take (at most two runs: the rest of the head, then the
   * tail; anything dropped between them the receiver counts as skipped), or nothing if unchanged.
   */
  take(taskId: number): SegmentAppend[] {
    const out: SegmentAppend[] = []
    this.takeInto(taskId, out)
    return out
  }

  /**
   * take(), its appends pushed onto `out` (a delta's list: no array per task). Returns what they
   * cost a delta's segment budget: their segments, at least one per append.
   */
  takeInto(taskId: number, out: SegmentAppend[]): number {
    const total = this.length
    if (total === this.sent && this.openSent) return 0
    const open = this.open()
    let cost = 0
    const headed = this.sent < this.headLength
    if (headed) {
      const segments = this.headFrom(this.sent)
      out.push({ taskId, first: this.sent, segments, open })
      cost += Math.max(1, segments.length)
    }
    const tailFirst = total - this.ringLength
    const from = Math.max(this.sent, tailFirst)
    if (from < total) {
      const segments = this.tail(from - tailFirst)
      out.push({ taskId, first: from, segments, open })
      cost += Math.max(1, segments.length)
    } else if (!headed) {
      out.push({ taskId, first: total, segments: [], open })
      cost += 1
    }
    this.sent = total
    this.openSent = true
    return cost
  }

  /** Kept head and tail segments and the gap between them (for packInto). */
  get kept(): { head: number; skipped: number; tail: number } {
    return { head: this.headLength, skipped: this.skipped, tail: this.ringLength }
  }

  /** Writes the kept segments as (code, from, to) triples at `at`: the head, then the tail in order. */
  packInto(out: Float64Array, at: number): void {
    for (let i = 0; i < this.headLength; i++) {
      out[at++] = this.headNum(i, 0)
      out[at++] = this.headNum(i, 1)
      out[at++] = this.headNum(i, 2)
    }
    const ring = this.ring
    const n = this.ringLength
    for (let i = 0; i < n; i++) {
      const k = 3 * ((this.ringStart + i) % n)
      out[at++] = ring![k]!
      out[at++] = ring![k + 1]!
      out[at++] = ring![k + 2]!
    }
  }

  /**
   * Takes back what packInto wrote for an ended task (head, gap, tail), as fully taken: the
   * deltas already carried all of it.
   */
  unpack(from: Float64Array, at: number, headCount: number, skipped: number, tailCount: number): void {
    const inline = Math.min(headCount, this.inlineSegments)
    if (inline > 0) this.inlineStore().set(from.subarray(at, at + 3 * inline), this.inlineAt())
    this.head = headCount > inline ? Array.from(from.subarray(at + 3 * inline, at + 3 * headCount)) : null
    this.headLength = headCount
    at += 3 * headCount
    this.ring = tailCount > 0 ? from.slice(at, at + 3 * tailCount) : null
    this.ringLength = tailCount
    this.ringStart = 0
    this.skipped = skipped
    this.openState = null
    this.sent = headCount + skipped + tailCount
    this.openSent = true
  }

  /** The kept head from its `from`-th segment on, as fresh objects (an array of their number: one per delta per task). */
  private headFrom(from: number): StateSegment[] {
    const n = this.headLength - from
    const out: StateSegment[] = n > 0 ? new Array<StateSegment>(n) : []
    for (let i = 0; i < n; i++) {
      const j = from + i
      out[i] = { state: TASK_STATES[this.headNum(j, 0)]!, from: this.headNum(j, 1), to: this.headNum(j, 2) }
    }
    return out
  }

  private open(): OpenSegment | null {
    return this.openState === null ? null : { state: this.openState, from: this.openFrom }
  }

  private push(state: TaskState, from: number, to: number): void {
    const cap = this.caps.tail
    const code = stateCode(state)
    if (this.skipped === 0 && this.ringLength === 0 && this.headLength < this.caps.head) {
      if (this.headLength < this.inlineSegments) {
        const a = this.inlineStore()
        const k = this.inlineAt() + 3 * this.headLength
        a[k] = code
        a[k + 1] = from
        a[k + 2] = to
      } else if (this.head === null) {
        // Room for three segments (a short task's whole life: running, waiting, running) in one
        // allocation: pushing onto a three-number array grows it to 25 numbers and drops the first.
        const head = [code, from, to, 0, 0, 0, 0, 0, 0]
        head.length = 3
        this.head = head
      } else this.head.push(code, from, to)
      this.headLength++
    } else if (this.ringLength < cap) {
      const k = 3 * this.ringLength
      let ring = this.ring
      if (ring === null || k + 3 > ring.length) ring = this.growRing(k + 3, cap)
      ring[k] = code
      ring[k + 1] = from
      ring[k + 2] = to
      this.ringLength++
    } else if (cap === 0) {
      this.skipped++
    } else {
      // Full: the oldest tail segment falls into the gap, its slot takes the new one.
      const k = 3 * this.ringStart
      const ring = this.ring!
      ring[k] = code
      ring[k + 1] = from
      ring[k + 2] = to
      this.ringStart = this.ringStart + 1 === cap ? 0 : this.ringStart + 1
      this.skipped++
    }
  }

  /**
   * Room in the ring for `need` numbers: 16 segments at first, then the whole cap (a task past 66
   * segments is a busy one that fills it: one more allocation, not four doublings of an
   * ArrayBuffer each).
   */
  private growRing(need: number, cap: number): Float64Array {
    const old = this.ring
    const size = Math.min(3 * cap, Math.max(need, old === null ? 3 * 16 : 3 * cap))
    const ring = new Float64Array(size)
    if (old !== null) ring.set(old)
    this.ring = ring
    return ring
  }

  /** The tail in order, from its `skip`-th segment on, as fresh objects. */
  private tail(skip: number): StateSegment[] {
    const n = this.ringLength
    const ring = this.ring
    if (ring === null || skip >= n) return []
    const out = new Array<StateSegment>(n - skip)
    for (let i = skip; i < n; i++) {
      const k = 3 * ((this.ringStart + i) % n)
      out[i - skip] = { state: TASK_STATES[ring[k]!]!, from: ring[k + 1]!, to: ring[k + 2]! }
    }
    return out
  }
}

/** The history packInto wrote (an ended task's: no open segment), as fresh objects. */
export function unpackedHistory(from: Float64Array, at: number, headCount: number, skipped: number, tailCount: number): StateHistory {
  const seg = (i: number): StateSegment => ({ state: TASK_STATES[from[at + 3 * i]!]!, from: from[at + 3 * i + 1]!, to: from[at + 3 * i + 2]! })
  const head: StateSegment[] = []
  for (let i = 0; i < headCount; i++) head.push(seg(i))
  const tail: StateSegment[] = []
  for (let i = 0; i < tailCount; i++) tail.push(seg(headCount + i))
  return { head, skipped, tail, open: null }
}

;(StateRecorder.prototype as unknown as { caps: { head: number; tail: number } }).caps = SEGMENT_CAPS
;(StateRecorder.prototype as unknown as { inlineSegments: number }).inlineSegments = 0
