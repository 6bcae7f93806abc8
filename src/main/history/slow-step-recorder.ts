// A run's slow steps kept with it (issue 11 §1): the steps the monitor's deltas carry
// (TaskDelta.slowSteps, this app's loops and connected processes' alike) are buffered per run and
// written in one transaction a flush, into a table that keeps at most SLOW_STEP_LIMITS.perRun a
// run — the longest; the shorter ones past the cap are dropped and counted (runs.slow_steps_omitted).
import { FlushTimer } from './flush-timer'
import { SLOW_STEP_LIMITS } from '../../shared/history-contract'
import type { SlowStep } from '../../shared/snapshots'
import type { Database } from './sqlite'

/** Knobs of the slow-step recorder (tests shrink them). */
export interface SlowStepLimits {
  /** Slow steps kept a run (default 500): past it the shortest go. */
  perRun: number
  /** Wall ms steps may wait in memory before they are written (default 500). */
  flushMs: number
}

export const SLOW_STEP_DEFAULTS: SlowStepLimits = { perRun: SLOW_STEP_LIMITS.perRun, flushMs: 500 }

interface SlowStepDbRow {
  seq: number
  loop: string
  task_id: number
  task_name: string
  duration_ms: number
  at_loop: number
  at_wall: number
  resumed_from: string | null
  parked_on: string | null
}

/** A run's kept slow steps, oldest first, and how many it had past the cap. */
export interface RunSlowSteps {
  steps: SlowStep[]
  omitted: number
}

/** `text` cut to `max` characters, the cut marked with an ellipsis. */
function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}

const finite = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n)
const safeId = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n)

/**
 * The step as stored (texts capped), or null when its numbers cannot be stored truthfully. A
 * connected process's step is stored under the task's id in that process (its `localId`), the id
 * the run's task rows keep (source-history.ts), so a row names a task of the run's own list.
 */
export function boundSlowStep(s: SlowStep): SlowStep | null {
  const taskId = s.localId ?? s.taskId
  if (!safeId(s.seq) || !safeId(taskId) || !finite(s.durationMs) || s.durationMs < 0 || !finite(s.at?.loop) || !finite(s.at?.wall)) return null
  if (typeof s.loop !== 'string' || typeof s.taskName !== 'string') return null
  const text = (t: string | null) => (typeof t === 'string' ? cut(t, SLOW_STEP_LIMITS.awaitChars) : null)
  return {
    seq: s.seq,
    loop: cut(s.loop, SLOW_STEP_LIMITS.nameChars),
    runId: s.runId,
    taskId,
    taskName: cut(s.taskName, SLOW_STEP_LIMITS.nameChars),
    durationMs: s.durationMs,
    at: { loop: s.at.loop, wall: s.at.wall },
    resumedFrom: text(s.resumedFrom),
    parkedOn: text(s.parkedOn),
  }
}

/**
 * Keeps the slow steps of the runs being recorded. `add` is called once per monitor delta that
 * carries slow steps; it only filters and buffers (a run's buffer is itself cut to its longest
 * `perRun`). Writes happen on a timer, on `flush()` (reads flush first) and on `dispose()`.
 */
export class SlowStepRecorder {
  private readonly pending = new Map<number, SlowStep[]>()
  /** Steps dropped from a buffer before they were written (counted as omitted at the next flush). */
  private readonly droppedEarly = new Map<number, number>()
  private readonly flushTimer: FlushTimer
  private disposed = false
  private readonly insert
  private readonly countRun
  private readonly dropShortest
  private readonly addOmitted
  private readonly select
  private readonly selectOmitted

  /** `recording(runId)`: is that run's stream still open (a run this history records)? */
  constructor(
    private readonly db: Database,
    private readonly recording: (runId: number) => boolean,
    private readonly limits: SlowStepLimits = SLOW_STEP_DEFAULTS,
    private readonly onBackgroundError: (error: unknown) => void = () => {},
  ) {
    this.flushTimer = new FlushTimer(limits.flushMs, () => this.flush(), onBackgroundError)
    // The run may have been deleted meanwhile (retention after its end): then nothing is written.
    this.insert = db.prepare(`INSERT OR IGNORE INTO run_slow_steps
      (run_id, seq, loop, task_id, task_name, duration_ms, at_loop, at_wall, resumed_from, parked_on)
      SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM runs WHERE id = ?)`)
    this.countRun = db.prepare('SELECT count(*) AS n FROM run_slow_steps WHERE run_id = ?')
    this.dropShortest = db.prepare(`DELETE FROM run_slow_steps WHERE id IN
      (SELECT id FROM run_slow_steps WHERE run_id = ? ORDER BY duration_ms ASC, id DESC LIMIT ?)`)
    this.addOmitted = db.prepare('UPDATE runs SET slow_steps_omitted = slow_steps_omitted + ? WHERE id = ?')
    this.select = db.prepare(`SELECT seq, loop, task_id, task_name, duration_ms, at_loop, at_wall, resumed_from, parked_on
      FROM run_slow_steps WHERE run_id = ? ORDER BY at_wall, id`)
    this.selectOmitted = db.prepare('SELECT slow_steps_omitted AS n FROM runs WHERE id = ?')
  }

  /** Buffers the steps of runs being recorded; others' (the daemons', unknown runs') are ignored. */
  add(steps: readonly SlowStep[]): void {
    if (this.disposed || steps.length === 0) return
    let added = false
    for (const s of steps) {
      if (!safeId(s.runId) || !this.recording(s.runId)) continue
      const kept = boundSlowStep(s)
      if (!kept) continue
      let list = this.pending.get(s.runId)
      if (!list) this.pending.set(s.runId, (list = []))
      list.push(kept)
      // A burst between flushes: the table keeps the longest anyway, so the buffer does too.
      if (list.length > 2 * this.limits.perRun) this.pending.set(s.runId, this.longest(s.runId, list))
      added = true
    }
    if (added) this.flushTimer.arm()
  }

  /** Writes every buffered step, one transaction; each run touched is cut back to its longest `perRun`. */
  flush(): void {
    this.flushTimer.disarm()
    if (this.pending.size === 0) return
    const batch = [...this.pending]
    const early = new Map(this.droppedEarly)
    this.pending.clear()
    this.droppedEarly.clear()
    this.db.transaction(() => {
      for (const [runId, list] of batch) {
        for (const s of list) {
          this.insert.run(runId, s.seq, s.loop, s.taskId, s.taskName, s.durationMs, s.at.loop, s.at.wall, s.resumedFrom, s.parkedOn, runId)
        }
        const over = (this.countRun.all(runId)[0] as { n: number }).n - this.limits.perRun
        if (over > 0) this.dropShortest.run(runId, over)
        const omitted = Math.max(0, over) + (early.get(runId) ?? 0)
        if (omitted > 0) this.addOmitted.run(omitted, runId)
      }
    })()
  }

  /** Run `runId`'s kept steps, oldest first, with the count past the cap (buffered ones flushed first). */
  read(runId: number): RunSlowSteps {
    this.flush()
    const steps = (this.select.all(runId) as SlowStepDbRow[]).map((r): SlowStep => ({
      seq: r.seq, loop: r.loop, runId, taskId: r.task_id, taskName: r.task_name, durationMs: r.duration_ms,
      at: { loop: r.at_loop, wall: r.at_wall }, resumedFrom: r.resumed_from, parkedOn: r.parked_on,
    }))
    const omitted = (this.selectOmitted.all(runId)[0] as { n: number } | undefined)?.n ?? 0
    return { steps, omitted }
  }

  /** Stops: buffered steps are written, later ones ignored. */
  dispose(): void {
    if (this.disposed) return
    this.flush()
    this.disposed = true
  }

  /** The longest `perRun` of a buffer (their order kept), counting the others as dropped. */
  private longest(runId: number, list: SlowStep[]): SlowStep[] {
    const keep = new Set([...list].sort((a, b) => b.durationMs - a.durationMs).slice(0, this.limits.perRun))
    this.droppedEarly.set(runId, (this.droppedEarly.get(runId) ?? 0) + list.length - keep.size)
    return list.filter((s) => keep.has(s))
  }
}
