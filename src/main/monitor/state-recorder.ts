import { SEGMENT_CAPS } from '../../shared/snapshots'
import type { OpenSegment, SegmentAppend, StateHistory, StateSegment, TaskState } from '../../shared/snapshots'

/** The empty head every recorder starts with (shared; never pushed to). */
const NONE: StateSegment[] = []

/**
 * One task's state history as the monitor records it: the runtime reports each change, the
 * recorder closes the current segment and opens the next (an equal state extends the current one),
 * and keeps the first `caps.head` and the last `caps.tail`. A busy task changes state millions of
 * times, so a change allocates nothing once the tail is full: the tail is a ring of plain values
 * overwritten in place, and the open segment is two fields. Tail objects are made only for what
 * `take()` and `history()` hand out, which deltas bound; head segments after the first, at most
 * `caps.head`, are never changed once closed, so they are shared.
 */
export class StateRecorder {
  /**
   * The first closed segment, inline (most tasks close one or two in their life, and a short
   * task should cost no array and no segment object until a delta reads it); `head` holds the
   * second to the `caps.head`-th, made at the second.
   */
  private firstState: TaskState | null = null
  private firstFrom = 0
  private firstTo = 0
  private head: StateSegment[] = NONE
  /**
   * The tail as a ring in two arrays (states; from, to as unboxed doubles), overwritten in place;
   * grows up to `caps.tail` segments, then wraps (made when first needed).
   */
  private ringStates: TaskState[] | null = null
  private ringTimes: number[] | null = null
  private ringLength = 0
  private ringStart = 0
  private skipped = 0
  private openState: TaskState | null = null
  private openFrom = 0
  /** How many closed segments earlier deltas carried (kept or already skipped). */
  private sent = 0
  private openSent = false

  constructor(private readonly caps: { head: number; tail: number } = SEGMENT_CAPS) {}

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

  private get headLength(): number {
    return this.firstState === null ? 0 : 1 + this.head.length
  }

  /** The kept head from its `from`-th segment on (the first made into an object here). */
  private headFrom(from: number): StateSegment[] {
    if (this.firstState === null) return []
    if (from > 0) return this.head.slice(from - 1)
    return [{ state: this.firstState, from: this.firstFrom, to: this.firstTo }, ...this.head]
  }

  /** How many tail segments the next take() would hand out (what a busy task adds per delta). */
  get pendingTail(): number {
    const total = this.length
    return total - Math.max(this.sent, total - this.ringLength)
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
    const total = this.length
    if (total === this.sent && this.openSent) return []
    const out: SegmentAppend[] = []
    const open = this.open()
    if (this.sent < this.headLength) out.push({ taskId, first: this.sent, segments: this.headFrom(this.sent), open })
    const tailFirst = total - this.ringLength
    const from = Math.max(this.sent, tailFirst)
    if (from < total) out.push({ taskId, first: from, segments: this.tail(from - tailFirst), open })
    if (out.length === 0) out.push({ taskId, first: total, segments: [], open })
    this.sent = total
    this.openSent = true
    return out
  }

  private open(): OpenSegment | null {
    return this.openState === null ? null : { state: this.openState, from: this.openFrom }
  }

  private push(state: TaskState, from: number, to: number): void {
    const cap = this.caps.tail
    if (this.skipped === 0 && this.ringLength === 0 && this.headLength < this.caps.head) {
      if (this.firstState === null) {
        this.firstState = state
        this.firstFrom = from
        this.firstTo = to
      } else if (this.head === NONE) this.head = [{ state, from, to }]
      else this.head.push({ state, from, to })
    } else if (this.ringLength < cap) {
      ;(this.ringStates ??= []).push(state)
      ;(this.ringTimes ??= []).push(from, to)
      this.ringLength++
    } else if (cap === 0) {
      this.skipped++
    } else {
      // Full: the oldest tail segment falls into the gap, its slot takes the new one.
      const k = this.ringStart
      this.ringStates![k] = state
      this.ringTimes![2 * k] = from
      this.ringTimes![2 * k + 1] = to
      this.ringStart = this.ringStart + 1 === cap ? 0 : this.ringStart + 1
      this.skipped++
    }
  }

  /** The tail in order, from its `skip`-th segment on, as fresh objects. */
  private tail(skip: number): StateSegment[] {
    const n = this.ringLength
    const out: StateSegment[] = []
    const states = this.ringStates
    const times = this.ringTimes
    if (states === null || times === null) return out
    for (let i = skip; i < n; i++) {
      const k = (this.ringStart + i) % n
      out.push({ state: states[k]!, from: times[2 * k]!, to: times[2 * k + 1]! })
    }
    return out
  }
}
