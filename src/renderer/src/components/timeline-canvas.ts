// Paints the timeline on a canvas: axis, one bar per row (solid running, hatched waiting, amber
// cancelling), cancel and deadline marks, and the now-line. Pure drawing: the component decides
// what is shown, barStretches() what each bar is made of.
import type { SlowStep, StateHistory, TaskSnapshot, TaskState } from '../../../shared/snapshots'
import { formatSeconds } from '../state/format'
import { rowLabel, type TaskRow } from '../state/task-rows'
import { barStretches, taskEnd, taskStart, ticks, type Axis, type TimeSpan } from '../state/timeline.svelte'

export const ROW_H = 20
export const LABEL_W = 150
export const AXIS_H = 22

export interface TimelineScene {
  rows: readonly TaskRow[]
  axis: Axis
  span: TimeSpan | null
  /** Where times are counted from on the axis (0 on a loop clock, the first start on wall time). */
  origin: number
  now: number | null
  /** The clock has stopped (a finished run): the now-line reads "end". */
  stopped: boolean
  firstRow: number
  selectedId: number | null
  /** The snapshot to paint for a row (default: the one the row holds). */
  taskOf?: (row: TaskRow) => TaskSnapshot
  /** Each task's state history (loop clock), by id. */
  histories: ReadonlyMap<number, StateHistory>
  /** A loop's clock now (for a live task's current stretch on the wall axis). */
  loopNowOf: (loop: string) => number | null
  width: number
  height: number
  /** Slow steps by task id: a small mark on the task's row where each ended (issue 11 §1). */
  slowMarks?: ReadonlyMap<number, readonly SlowStep[]>
}

function stateColor(css: CSSStyleDeclaration, s: TaskState): string {
  return css.getPropertyValue(`--st-${s}`).trim() || '#888'
}

// One diagonal-stripe pattern per colour (a handful: the state colours of the current theme).
const hatchCache = new Map<string, CanvasPattern>()

/** Forget the stripe patterns (the theme changed). */
export function resetPatterns(): void {
  hatchCache.clear()
}

function hatch(ctx: CanvasRenderingContext2D, color: string, dpr: number): CanvasPattern | string {
  const key = `${color}@${dpr}`
  const cached = hatchCache.get(key)
  if (cached) return cached
  const size = Math.round(6 * dpr)
  const c = document.createElement('canvas')
  c.width = c.height = size
  const g = c.getContext('2d')
  if (!g) return color
  g.strokeStyle = color
  g.lineWidth = 1.6 * dpr
  g.beginPath()
  g.moveTo(0, size)
  g.lineTo(size, 0)
  g.moveTo(-size / 2, size / 2)
  g.lineTo(size / 2, -size / 2)
  g.moveTo(size / 2, size * 1.5)
  g.lineTo(size * 1.5, size / 2)
  g.stroke()
  const pattern = ctx.createPattern(c, 'repeat')
  if (pattern) hatchCache.set(key, pattern)
  return pattern ?? color
}

/** Paint `scene` on `canvas`, resizing its backing store only when the box or pixel ratio changed. */
export function drawTimeline(canvas: HTMLCanvasElement, scene: TimelineScene): void {
  const ctx = canvas.getContext('2d')
  if (!ctx) return
  const { rows, axis, span, origin, now, stopped, firstRow, selectedId, histories, loopNowOf, taskOf, width, height } = scene
  const dpr = window.devicePixelRatio || 1
  // Resizing the backing store reallocates it: only when the box or the pixel ratio changed.
  const w = Math.round(width * dpr)
  const h = Math.round(height * dpr)
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w
    canvas.height = h
  }
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0)
  const css = getComputedStyle(canvas)
  const text = css.getPropertyValue('--text').trim()
  const muted = css.getPropertyValue('--muted').trim()
  const border = css.getPropertyValue('--border').trim()
  const accent = css.getPropertyValue('--accent').trim()
  const selected = css.getPropertyValue('--selected').trim()
  ctx.clearRect(0, 0, width, height)
  ctx.font = `11px ${css.getPropertyValue('--font')}`
  ctx.textBaseline = 'middle'
  if (!span) return
  const plotW = Math.max(10, width - LABEL_W - 8)
  const x = (v: number) => LABEL_W + ((v - span.start) / (span.end - span.start)) * plotW

  // Axis: ticks in seconds from the origin (loop time reads as the program's own time).
  ctx.fillStyle = muted
  ctx.strokeStyle = border
  ctx.lineWidth = 1
  // Round numbers from the origin, so wall-clock labels read 0.000, 20.000… and not 17.098.
  const relative = { start: span.start - origin, end: span.end - origin }
  // Where the now/end label sits: a tick label that would run into it is left out.
  const nowPx = now == null ? null : Math.round(x(now)) + 0.5
  const nowLabel = nowPx != null && nowPx >= LABEL_W && nowPx <= width ? Math.min(nowPx + 3, width - 24) : null
  for (const rel of ticks(relative, Math.max(2, Math.floor(plotW / 90)))) {
    const tv = rel + origin
    const px = Math.round(x(tv)) + 0.5
    ctx.beginPath()
    ctx.moveTo(px, AXIS_H - 4)
    ctx.lineTo(px, height)
    ctx.globalAlpha = 0.5
    ctx.stroke()
    ctx.globalAlpha = 1
    const label = `${formatSeconds(tv - origin)} s`
    const lw = ctx.measureText(label).width
    const hitsNow = nowLabel != null && px + 3 < nowLabel + 24 && px + 3 + lw > nowLabel - 4
    if (px + 3 + lw < width - 2 && !hitsNow) ctx.fillText(label, px + 3, 10)
  }

  const first = Math.max(0, Math.floor(firstRow))
  const visible = Math.ceil((height - AXIS_H) / ROW_H)
  ctx.save()
  ctx.beginPath()
  ctx.rect(0, AXIS_H, width, height - AXIS_H)
  ctx.clip()
  for (let i = 0; i < visible; i++) {
    const row = rows[first + i]
    if (!row) break
    const t = taskOf ? taskOf(row) : row.task
    const y = AXIS_H + i * ROW_H
    if (selectedId != null && row.ids.includes(selectedId)) {
      ctx.fillStyle = selected
      ctx.fillRect(0, y, width, ROW_H)
    }
    ctx.fillStyle = text
    ctx.save()
    ctx.beginPath()
    ctx.rect(0, y, LABEL_W - 8, ROW_H)
    ctx.clip()
    ctx.fillText(rowLabel(row), 8, y + ROW_H / 2)
    ctx.restore()

    const s = taskStart(t, axis)
    const e = taskEnd(t, axis, now) ?? s
    const x0 = Math.max(LABEL_W, x(s))
    const x1 = Math.max(x0 + 2, Math.min(width, x(e)))
    const by = y + 4
    const bh = ROW_H - 8
    const color = stateColor(css, t.state)
    const ended = t.endedAt != null
    const stretches = barStretches(t, histories.get(t.id), axis, loopNowOf(t.loop), now)
    // A finished bar is drawn a little quieter than a live one; its end glyph tells the outcome.
    ctx.globalAlpha = ended ? 0.8 : 1
    for (const st of stretches) {
      const sx0 = Math.max(x0, x(st.from))
      // A step that took an instant (a wake-up, on any clock) still gets a hairline, so each round shows.
      const minW = st.state === 'waiting' || st.state === 'gap' ? 0 : 1.5
      const sx1 = Math.min(x1, Math.max(sx0 + minW, x(st.to)))
      if (sx1 <= sx0) continue
      if (st.state === 'gap') {
        // Segments the cap left out: a dotted midline with how many there were.
        ctx.strokeStyle = muted
        ctx.setLineDash([2, 3])
        ctx.beginPath()
        ctx.moveTo(sx0, by + bh / 2 + 0.5)
        ctx.lineTo(sx1, by + bh / 2 + 0.5)
        ctx.stroke()
        ctx.setLineDash([])
        const label = `+${st.count ?? 0}`
        const lw = ctx.measureText(label).width
        if (sx1 - sx0 > lw + 8) {
          ctx.fillStyle = muted
          ctx.fillText(label, (sx0 + sx1 - lw) / 2, by + bh / 2)
        }
      } else if (st.state === 'waiting') {
        ctx.fillStyle = hatch(ctx, stateColor(css, 'waiting'), dpr)
        ctx.fillRect(sx0, by, sx1 - sx0, bh)
      } else if (st.state === 'pending') {
        ctx.strokeStyle = stateColor(css, 'pending')
        ctx.strokeRect(sx0 + 0.5, by + 0.5, Math.max(1, sx1 - sx0 - 1), bh - 1)
      } else {
        ctx.fillStyle = stateColor(css, st.state)
        ctx.fillRect(sx0, by, sx1 - sx0, bh)
      }
    }
    ctx.globalAlpha = 1
    // Cancellation request: an amber tick with a triangle; the end glyph says how it finished.
    if (t.cancel) {
      const cx = x(axis === 'loop' ? t.cancel.at.loop : t.cancel.at.wall)
      ctx.fillStyle = stateColor(css, 'cancelling')
      ctx.fillRect(cx - 1, y + 2, 2, ROW_H - 4)
      ctx.beginPath()
      ctx.moveTo(cx - 4, y + 1)
      ctx.lineTo(cx + 4, y + 1)
      ctx.lineTo(cx, y + 6)
      ctx.fill()
    }
    if (t.deadline) {
      const dx = x(axis === 'loop' ? t.deadline.at.loop : t.deadline.at.wall)
      ctx.strokeStyle = stateColor(css, 'failed')
      ctx.setLineDash([3, 2])
      ctx.beginPath()
      ctx.moveTo(dx + 0.5, y + 1)
      ctx.lineTo(dx + 0.5, y + ROW_H - 1)
      ctx.stroke()
      ctx.setLineDash([])
    }
    if (scene.slowMarks) drawSlowMarks(ctx, scene.slowMarks, row.ids, axis, x, y, stateColor(css, 'failed'), x0 - 4, x1 + 4)
    if (t.state === 'failed' || t.state === 'cancelled' || t.state === 'abandoned') {
      ctx.fillStyle = color
      ctx.fillText(t.state === 'failed' ? '✕' : '⊘', x1 + 3, y + ROW_H / 2)
    }
  }
  ctx.restore()

  if (now != null) {
    const nx = Math.round(x(now)) + 0.5
    if (nx >= LABEL_W && nx <= width) {
      ctx.strokeStyle = stopped ? muted : accent
      ctx.lineWidth = 1.5
      ctx.beginPath()
      ctx.moveTo(nx, AXIS_H - 6)
      ctx.lineTo(nx, height)
      ctx.stroke()
      ctx.fillStyle = stopped ? muted : accent
      ctx.fillText(stopped ? 'end' : 'now', Math.min(nx + 3, width - 24), AXIS_H - 8)
    }
  }
}

/** A slow step: a small upward triangle at the bar's foot where the step ended (a group row shows its members'). */
function drawSlowMarks(
  ctx: CanvasRenderingContext2D,
  marks: ReadonlyMap<number, readonly SlowStep[]>,
  ids: readonly number[],
  axis: 'loop' | 'wall',
  x: (v: number) => number,
  y: number,
  color: string,
  minX: number,
  maxX: number,
): void {
  ctx.fillStyle = color
  // A group row of thousands checks each member: a Map lookup each, marks only for the few with slow steps.
  for (const id of ids) {
    const list = marks.get(id)
    if (!list) continue
    for (const s of list) {
      const mx = x(axis === 'loop' ? s.at.loop : s.at.wall)
      if (mx < Math.max(LABEL_W, minX) || mx > maxX) continue
      ctx.beginPath()
      ctx.moveTo(mx, y + ROW_H - 7)
      ctx.lineTo(mx - 4, y + ROW_H)
      ctx.lineTo(mx + 4, y + ROW_H)
      ctx.fill()
    }
  }
}
