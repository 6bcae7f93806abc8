import { emptyHistory, historyLength, pushSegment, SEGMENT_CAPS } from '../../shared/snapshots'
import type { SegmentAppend, StateHistory, TaskState } from '../../shared/snapshots'

/**
 * One task's state history as the monitor records it: the runtime reports each change, the
 * recorder closes the current segment and opens the next (an equal state extends the current one),
 * and keeps what SEGMENT_CAPS allows. `take()` hands out what a delta has not carried yet.
 */
export class StateRecorder {
  private readonly h: StateHistory = emptyHistory()
  /** How many closed segments earlier deltas carried (kept or already skipped). */
  private sent = 0
  private openSent = false

  constructor(private readonly caps: { head: number; tail: number } = SEGMENT_CAPS) {}

  /** The task is in `state` from loop time `at` on. Before its first step ('pending') nothing is kept. */
  enter(state: TaskState, at: number): void {
    const open = this.h.open
    if (open?.state === state) return
    if (!open && state === 'pending') return
    if (open) pushSegment(this.h, { state: open.state, from: open.from, to: Math.max(open.from, at) }, this.caps)
    this.h.open = { state, from: at }
    this.openSent = false
  }

  /** The task reached a final state at `at`: the current segment closes, no new one opens. */
  end(at: number): void {
    const open = this.h.open
    if (!open) return
    pushSegment(this.h, { state: open.state, from: open.from, to: Math.max(open.from, at) }, this.caps)
    this.h.open = null
    this.openSent = false
  }

  /** A copy of everything kept (for full snapshots). */
  history(): StateHistory {
    return { head: [...this.h.head], skipped: this.h.skipped, tail: [...this.h.tail], open: this.h.open && { ...this.h.open } }
  }

  /**
   * The segments closed since the last take (at most two runs: the rest of the head, then the
   * tail; anything dropped between them the receiver counts as skipped), or nothing if unchanged.
   */
  take(taskId: number): SegmentAppend[] {
    const total = historyLength(this.h)
    if (total === this.sent && this.openSent) return []
    const out: SegmentAppend[] = []
    const open = this.h.open && { ...this.h.open }
    if (this.sent < this.h.head.length) {
      out.push({ taskId, first: this.sent, segments: this.h.head.slice(this.sent), open })
    }
    const tailFirst = total - this.h.tail.length
    const from = Math.max(this.sent, tailFirst)
    if (from < total) out.push({ taskId, first: from, segments: this.h.tail.slice(from - tailFirst), open })
    if (out.length === 0) out.push({ taskId, first: total, segments: [], open })
    this.sent = total
    this.openSent = true
    return out
  }
}
