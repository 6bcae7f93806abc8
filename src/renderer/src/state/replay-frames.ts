// Reconstructing a recorded run at any loop time t from its event stream. Instead of applying
// batches up to t on every scrub (and keeping checkpoints to make that fast), the stream is indexed
// once per task: its last snapshot, every snapshot version with the time its batch was cut, and its
// closed state segments in order. A frame at t is then one binary search per task, so a drag across
// a 10,000-task run costs the same at every point of it.
import { FINAL_STATES, SEGMENT_CAPS, emptyHistory, pushSegment } from '../../../shared/snapshots'
import type { LogLine, OpenSegment, StateHistory, StateSegment, TaskSnapshot, TaskState } from '../../../shared/snapshots'
import type { StreamBatch } from '../../../shared/history-contract'

const FINAL = new Set<TaskState>(FINAL_STATES)

interface TaskTrack {
  last: TaskSnapshot
  /** Snapshot versions in batch order, with each batch's loop time. */
  versions: { t: number; snap: TaskSnapshot }[]
  /** Closed segments received (a gap the monitor's cap left is simply absent). */
  segments: StateSegment[]
  /** Segment indices covered so far (received or left out by the cap). */
  seen: number
  /** Where the task was when its last segments were sent. */
  open: OpenSegment | null
}

/** A task as it was at time t, with its state history up to t (what the store and timeline read). */
export type FrameTask = TaskSnapshot & { history: StateHistory }

export interface Frame {
  t: number
  tasks: FrameTask[]
  /** Lines printed up to t, in print order. */
  logs: LogLine[]
}

/** The loop time of a log line (its own loop clock when it has one). */
const lineAt = (l: LogLine): number => l.at ?? l.t

/** The last index in a sorted-by-`key` list whose key is ≤ t (-1: none). */
function lastAtOrBefore<T>(list: readonly T[], t: number, key: (x: T) => number): number {
  let lo = 0
  let hi = list.length - 1
  let found = -1
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    if (key(list[mid]!) <= t) {
      found = mid
      lo = mid + 1
    } else hi = mid - 1
  }
  return found
}

/**
 * A recorded run, indexed for frames. `start`/`end` bound the scrubber: the first task's creation
 * and the last thing the stream saw (a task's end, a line, a batch).
 *
 * @example
 * const replay = new ReplayIndex(page.chunks.flatMap((c) => c.batches))
 * replay.frame(2500).tasks.filter((t) => t.state === 'waiting')
 */
export class ReplayIndex {
  readonly start: number
  readonly end: number
  readonly batchCount: number
  private readonly tracks = new Map<number, TaskTrack>()
  private readonly logs: LogLine[] = []

  constructor(batches: readonly StreamBatch[]) {
    this.batchCount = batches.length
    let start = Infinity
    let end = -Infinity
    for (const b of batches) {
      for (const snap of b.tasks ?? []) {
        let tr = this.tracks.get(snap.id)
        if (!tr) this.tracks.set(snap.id, (tr = { last: snap, versions: [], segments: [], seen: 0, open: null }))
        tr.last = snap
        tr.versions.push({ t: b.t, snap })
        start = Math.min(start, snap.createdAt.loop)
        end = Math.max(end, snap.endedAt?.loop ?? snap.createdAt.loop, snap.startedAt?.loop ?? -Infinity)
      }
      for (const a of b.segments ?? []) {
        const tr = this.tracks.get(a.taskId)
        if (!tr) continue
        // Numbered within the task's whole history: skip what we have, keep what is new.
        a.segments.forEach((seg, k) => {
          if (a.first + k < tr.seen) return
          tr.segments.push(seg)
          tr.seen = a.first + k + 1
          end = Math.max(end, seg.to)
        })
        tr.open = a.open
        if (a.open) end = Math.max(end, a.open.from)
      }
      for (const l of b.logs ?? []) {
        this.logs.push(l)
        end = Math.max(end, lineAt(l))
      }
      end = Math.max(end, b.t)
    }
    this.logs.sort((x, y) => x.seq - y.seq)
    this.start = Number.isFinite(start) ? start : 0
    this.end = Number.isFinite(end) ? Math.max(end, this.start) : this.start
  }

  /** Tasks the stream knows of. */
  get taskCount(): number {
    return this.tracks.size
  }

  /**
   * A task's state at loop time t, or null if it did not exist yet. Final from its end on; else
   * the segment covering t (running, waiting, cancelling); pending before its first step.
   */
  stateAt(id: number, t: number): TaskState | null {
    const tr = this.tracks.get(id)
    return tr ? this.stateOf(tr, t) : null
  }

  private stateOf(tr: TaskTrack, t: number): TaskState | null {
    const last = tr.last
    if (last.createdAt.loop > t) return null
    if (last.endedAt && FINAL.has(last.state) && last.endedAt.loop <= t) return last.state
    if (last.startedAt === null || last.startedAt.loop > t) return 'pending'
    const segs = tr.segments
    // The segment starting last at or before t (of zero-length running stretches at t, the one
    // after them) covers t unless it closed before t.
    const k = lastAtOrBefore(segs, t, (s) => s.from)
    if (k >= 0 && t < segs[k]!.to) return segs[k]!.state
    if (tr.open && tr.open.from <= t) return tr.open.state
    // In a stretch the monitor's cap left out: the snapshot of the batch cut at or before t says.
    const v = lastAtOrBefore(tr.versions, t, (x) => x.t)
    return v >= 0 ? tr.versions[v]!.snap.state : (segs[k]?.state ?? 'running')
  }

  /** The history up to t: closed segments ending by t, and the one t is in as the open one. */
  private historyOf(tr: TaskTrack, t: number, state: TaskState): StateHistory {
    const h = emptyHistory()
    for (const s of tr.segments) {
      if (s.from > t) break
      if (s.to <= t) pushSegment(h, s, SEGMENT_CAPS)
      else {
        h.open = { state: s.state, from: s.from }
        return h
      }
    }
    if (!FINAL.has(state) && state !== 'pending') {
      const from = tr.open && tr.open.from <= t ? tr.open.from : (tr.segments.at(-1)?.to ?? t)
      h.open = { state, from: Math.min(from, t) }
    }
    return h
  }

  /** Every task that existed at t, as it was then, and the lines printed by then. */
  frame(t: number): Frame {
    const tasks: FrameTask[] = []
    const upTo = lastAtOrBefore(this.logs, t, lineAt)
    const logs = upTo >= 0 ? this.logs.filter((l) => lineAt(l) <= t) : []
    const printed = new Map<number, number>()
    for (const l of logs) if (l.taskId !== null) printed.set(l.taskId, (printed.get(l.taskId) ?? 0) + 1)
    for (const tr of this.tracks.values()) {
      const state = this.stateOf(tr, t)
      if (state === null) continue
      const last = tr.last
      const ended = FINAL.has(state)
      tasks.push({
        ...last,
        state,
        startedAt: last.startedAt && last.startedAt.loop <= t ? last.startedAt : null,
        endedAt: ended ? last.endedAt : null,
        awaiting: state === 'waiting' ? this.awaitingAt(tr, t) : null,
        cancel: last.cancel && last.cancel.at.loop <= t ? last.cancel : null,
        error: ended ? last.error : null,
        deadline: null,
        logCount: printed.get(last.id) ?? 0,
        history: this.historyOf(tr, t, state),
      })
    }
    tasks.sort((a, b) => a.id - b.id)
    return { t, tasks, logs }
  }

  /**
   * What a waiting task awaited at t: the await a batch cut during the same waiting stretch showed
   * (the last one at or before t, else a later one in that stretch). A batch from another stretch
   * says nothing about this one (a virtual run's few batches would show a sleep long over), so
   * without one the await is unknown: null.
   */
  private awaitingAt(tr: TaskTrack, t: number): TaskSnapshot['awaiting'] {
    const segs = tr.segments
    const k = lastAtOrBefore(segs, t, (s) => s.from)
    const inSeg = k >= 0 && t < segs[k]!.to ? segs[k]! : null
    const from = inSeg ? inSeg.from : (tr.open && tr.open.from <= t ? tr.open.from : t)
    const to = inSeg ? inSeg.to : Infinity
    const v = lastAtOrBefore(tr.versions, t, (x) => x.t)
    for (let i = v; i >= 0 && tr.versions[i]!.t >= from; i--) {
      const snap = tr.versions[i]!.snap
      if (snap.state === 'waiting' && snap.awaiting) return snap.awaiting
    }
    for (let i = v + 1; i < tr.versions.length && tr.versions[i]!.t < to; i++) {
      const snap = tr.versions[i]!.snap
      if (snap.state === 'waiting' && snap.awaiting) return snap.awaiting
    }
    return null
  }
}
