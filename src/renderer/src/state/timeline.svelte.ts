// The timeline's view: which time window it shows (fit, or zoomed and panned). Freezing keeps a
// copy of the rows in the component, so events keep arriving while a person inspects.
import type { StateHistory, TaskSnapshot, TaskState } from '../../../shared/snapshots'
import type { TaskRow } from './task-rows'

/** Time for a task on the axis the timeline uses: its loop clock, or wall time when loops mix. */
export type Axis = 'loop' | 'wall'

export interface TimeSpan {
  start: number
  end: number
}

export function taskStart(t: TaskSnapshot, axis: Axis): number {
  const s = t.startedAt ?? t.createdAt
  return axis === 'loop' ? s.loop : s.wall
}

export function taskEnd(t: TaskSnapshot, axis: Axis, now: number | null): number | null {
  if (t.endedAt) return axis === 'loop' ? t.endedAt.loop : t.endedAt.wall
  return now
}

/** A stretch of a bar in one state on the axis; 'gap' marks segments the cap left out (`count` of them). */
export interface Stretch {
  state: TaskState | 'gap'
  from: number
  to: number
  count?: number
}

/**
 * The stretches a task's bar is painted with, on `axis`: its recorded segments (running, waiting,
 * cancelling, and the gap the cap left), then the state it is in now up to `axisNow`. On the wall
 * axis loop times are placed linearly between the task's start and end stamps (exact for real-time
 * loops; a virtual run's seconds squeeze into the wall instant it took). Without a history the
 * bar is one stretch in its current state.
 *
 * @example
 * barStretches(task, store.histories.get(task.id), 'loop', clockNow, clockNow)
 * // [{ state: 'running', from: 0, to: 0 }, { state: 'waiting', from: 0, to: 1000 }, …]
 */
export function barStretches(
  t: TaskSnapshot,
  h: StateHistory | undefined,
  axis: Axis,
  loopNow: number | null,
  axisNow: number | null,
): Stretch[] {
  const s = taskStart(t, axis)
  const e = taskEnd(t, axis, axisNow) ?? s
  if (!h || (h.head.length === 0 && h.tail.length === 0 && !h.open)) return [{ state: t.state, from: s, to: e }]
  const ls = (t.startedAt ?? t.createdAt).loop
  const le = t.endedAt?.loop ?? loopNow ?? ls
  const place =
    axis === 'loop' ? (v: number) => v : (v: number) => (le > ls ? s + ((v - ls) * (e - s)) / (le - ls) : s)
  const out: Stretch[] = h.head.map((g) => ({ state: g.state, from: place(g.from), to: place(g.to) }))
  const lastHead = h.head[h.head.length - 1]
  const firstTail = h.tail[0]
  if (h.skipped > 0 && lastHead && firstTail) {
    out.push({ state: 'gap', from: place(lastHead.to), to: place(firstTail.from), count: h.skipped })
  }
  for (const g of h.tail) out.push({ state: g.state, from: place(g.from), to: place(g.to) })
  if (h.open && !t.endedAt) out.push({ state: h.open.state, from: place(h.open.from), to: Math.max(place(h.open.from), e) })
  return out
}

/** The stretch covering `at` (the last one starting at or before it), if any. */
export function stretchAt(stretches: readonly Stretch[], at: number): Stretch | undefined {
  let found: Stretch | undefined
  for (const st of stretches) {
    if (st.from > at) break
    if (at <= st.to) found = st
  }
  return found
}

/** Loop time when every row shares one loop (their clocks agree), else wall time. */
export function chooseAxis(rows: readonly TaskRow[]): Axis {
  const first = rows[0]?.task.loop
  for (const r of rows) if (r.task.loop !== first) return 'wall'
  return 'loop'
}

/** Where the rows lie on the axis, apart from `now`: what fitSpan needs, once per set of rows. */
export interface RowsExtent {
  start: number
  /** The latest end of an ended row. */
  endEnded: number
  /** The latest start of a live row (its end when no clock reading is known). */
  startLive: number
}

/** The rows' extent on `axis`, or null for no rows (one walk; the clock's ticks do not repeat it). */
export function rowsExtent(rows: readonly TaskRow[], axis: Axis): RowsExtent | null {
  let start = Infinity
  let endEnded = -Infinity
  let startLive = -Infinity
  for (const r of rows) {
    const s = taskStart(r.task, axis)
    if (s < start) start = s
    const e = taskEnd(r.task, axis, null)
    if (e == null) {
      if (s > startLive) startLive = s
    } else if (e > endEnded) endEnded = e
  }
  return Number.isFinite(start) ? { start, endEnded, startLive } : null
}

/** The span covering an extent, from the earliest start to the latest end or `now`. */
export function spanOf(extent: RowsExtent | null, now: number | null): TimeSpan | null {
  if (!extent) return null
  const start = extent.start
  let end = Math.max(extent.endEnded, now ?? extent.startLive)
  if (!Number.isFinite(end)) end = start
  // A little air after the now-line, and never a zero-width span.
  const width = Math.max(end - start, 1000)
  return { start, end: start + width * 1.03 }
}

/** The span covering every row, from the earliest start to the latest end or `now`. */
export function fitSpan(rows: readonly TaskRow[], axis: Axis, now: number | null): TimeSpan | null {
  return spanOf(rowsExtent(rows, axis), now)
}

/** Ticks at a 1-2-5 step giving about `target` labels across the span. */
export function ticks(span: TimeSpan, target: number): number[] {
  const raw = (span.end - span.start) / Math.max(1, target)
  const pow = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? raw
  const out: number[] = []
  for (let v = Math.ceil(span.start / step) * step; v <= span.end; v += step) out.push(v)
  return out
}

export class TimelineView {
  /** A zoomed window; null follows the data (fit and keep the now-line in view). */
  zoom = $state.raw<TimeSpan | null>(null)

  /** Zoom around `at` by `factor` (< 1 zooms in). */
  zoomAt(current: TimeSpan, at: number, factor: number): void {
    const start = at - (at - current.start) * factor
    const end = at + (current.end - at) * factor
    if (end - start < 5) return
    this.zoom = { start, end }
  }

  pan(current: TimeSpan, delta: number): void {
    this.zoom = { start: current.start + delta, end: current.end + delta }
  }

  fit(): void {
    this.zoom = null
  }
}
