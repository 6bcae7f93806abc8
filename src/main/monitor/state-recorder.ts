import { SEGMENT_CAPS } from '../../shared/snapshots'
import type { OpenSegment, SegmentAppend, StateHistory, StateSegment, TaskState } from '../../shared/snapshots'

/**
 * One task's state history as the monitor records it: the runtime reports each change, the
 * recorder closes the current segment and opens the next (an equal state extends the current one),
 * and keeps the first `caps.head` and the last `caps.tail` (in a ring: a busy task's change costs
 * one small object, no array shifting). `take()` hands out what a delta has not carried yet.
 */
export class StateRecorder {
  private readonly head: StateSegment[] = []
  private readonly ring: StateSegment[] = []
  private ringStart = 0
  private skipped = 0
  private open: OpenSegment | null = null
  /** How many closed segments earlier deltas carried (kept or already skipped). */
  private sent = 0
  private openSent = false

  constructor(private readonly caps: { head: number; tail: number } = SEGMENT_CAPS) {}

  /** The task is in `state` from loop time `at` on. Before its first step ('pending') nothing is kept. */
  enter(state: TaskState, at: number): void {
    const open = this.open
    if (open) {
      if (open.state === state) return
      this.push({ state: open.state, from: open.from, to: Math.max(open.from, at) })
      // Reused in place (the hot path: one change of one task); history() and take() hand out copies.
      open.state = state
      open.from = at
    } else if (state !== 'pending') this.open = { state, from: at }
    else return
    this.openSent = false
  }

  /** The task reached a final state at `at`: the current segment closes, no new one opens. */
  end(at: number): void {
    const open = this.open
    if (!open) return
    this.push({ state: open.state, from: open.from, to: Math.max(open.from, at) })
    this.open = null
    this.openSent = false
  }

  /** A copy of everything kept (for full snapshots). */
  history(): StateHistory {
    return { head: [...this.head], skipped: this.skipped, tail: this.tail(0), open: this.open && { ...this.open } }
  }

  /**
   * The segments closed since the last take (at most two runs: the rest of the head, then the
   * tail; anything dropped between them the receiver counts as skipped), or nothing if unchanged.
   */
  take(taskId: number): SegmentAppend[] {
    const total = this.head.length + this.skipped + this.ring.length
    if (total === this.sent && this.openSent) return []
    const out: SegmentAppend[] = []
    const open = this.open && { ...this.open }
    if (this.sent < this.head.length) out.push({ taskId, first: this.sent, segments: this.head.slice(this.sent), open })
    const tailFirst = total - this.ring.length
    const from = Math.max(this.sent, tailFirst)
    if (from < total) out.push({ taskId, first: from, segments: this.tail(from - tailFirst), open })
    if (out.length === 0) out.push({ taskId, first: total, segments: [], open })
    this.sent = total
    this.openSent = true
    return out
  }

  private push(seg: StateSegment): void {
    if (this.skipped === 0 && this.ring.length === 0 && this.head.length < this.caps.head) {
      this.head.push(seg)
    } else if (this.ring.length < this.caps.tail) {
      this.ring.push(seg)
    } else {
      // Full: the oldest tail segment falls into the gap.
      this.ring[this.ringStart] = seg
      this.ringStart = (this.ringStart + 1) % this.caps.tail
      this.skipped += 1
    }
  }

  /** The tail in order, from its `skip`-th segment on. */
  private tail(skip: number): StateSegment[] {
    const n = this.ring.length
    const out: StateSegment[] = []
    for (let i = skip; i < n; i++) out.push(this.ring[(this.ringStart + i) % n]!)
    return out
  }
}
