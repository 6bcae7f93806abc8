// The live copy of every task the main side reports. Snapshots arrive from outside in batches, so
// they live in a plain Map behind one `$state` version counter: a delta touching 5,000 tasks costs
// one reactive notification, not 5,000 proxied writes (STYLE.md: `$state.raw` for IPC snapshots).
import { emptyHistory, mergeSegments } from '../../../shared/snapshots'
import type { AppSnapshot, LogLine, LoopClock, StateHistory, TaskDelta, TaskSnapshot } from '../../../shared/snapshots'

/** The newest log lines kept for the whole window; each task keeps its own list as well. */
const MAX_LOG_LINES = 20_000
const MAX_TASK_LOG_LINES = 2_000

export class TaskStore {
  /** Bumped once per applied batch; everything derived from tasks reads it. */
  version = $state(0)
  /** The seq of the last delta applied (deltas at or below it are stale and skipped). */
  seq = 0
  readonly tasks = new Map<number, TaskSnapshot>()
  readonly logsByTask = new Map<number, LogLine[]>()
  /**
   * Each task's state history on its loop clock (running / waiting / cancelling segments, capped
   * by the monitor): from the full snapshot, then extended by every delta's segments. The
   * timeline paints its bars from these, also for a virtual run that arrived in one batch.
   */
  readonly histories = new Map<number, StateHistory>()
  /** All log lines in print order (capped), for the run log. */
  logs = $state.raw<LogLine[]>([])
  clocks = $state.raw<ReadonlyMap<string, LoopClock>>(new Map())

  /** Replace everything with a full snapshot (first connect or reconnect). */
  reset(snapshot: Pick<AppSnapshot, 'seq' | 'tasks' | 'clocks'>): void {
    this.tasks.clear()
    this.logsByTask.clear()
    this.histories.clear()
    for (const { history, ...t } of snapshot.tasks) {
      this.tasks.set(t.id, t)
      if (history) this.histories.set(t.id, history)
    }
    this.seq = snapshot.seq
    this.logs = []
    this.clocks = new Map(snapshot.clocks.map((c) => [c.loop, c]))
    this.version++
  }

  /**
   * Apply one delta: created/changed/ended are upserts by id, `removed` deletes, logs append.
   * A delta whose seq is not newer than the last applied one changes nothing and returns false.
   */
  apply(delta: TaskDelta): boolean {
    if (delta.seq <= this.seq) return false
    this.seq = delta.seq
    for (const list of [delta.created, delta.changed, delta.ended]) {
      for (const t of list) this.tasks.set(t.id, t)
    }
    for (const a of delta.segments ?? []) {
      if (!this.tasks.has(a.taskId)) continue
      let h = this.histories.get(a.taskId)
      if (!h) this.histories.set(a.taskId, (h = emptyHistory()))
      mergeSegments(h, a)
    }
    for (const id of delta.removed) {
      this.tasks.delete(id)
      this.logsByTask.delete(id)
      this.histories.delete(id)
    }
    if (delta.logs.length > 0) this.appendLogs(delta.logs)
    if (delta.clocks.length > 0) {
      const next = new Map(this.clocks)
      for (const c of delta.clocks) next.set(c.loop, c)
      this.clocks = next
    }
    this.version++
    return true
  }

  /**
   * Replaces every task and line of `loop` with `tasks` (each with its state history) and `lines`,
   * and sets its clock (none: the loop is gone). A replay shows a recorded run's state at a moment
   * this way, read only, beside the live loops: deltas never name its loop or its ids.
   */
  showLoop(loop: string, tasks: readonly (TaskSnapshot & { history: StateHistory })[], lines: readonly LogLine[], clock: LoopClock | null): void {
    for (const [id, t] of this.tasks) {
      if (t.loop !== loop) continue
      this.tasks.delete(id)
      this.histories.delete(id)
      this.logsByTask.delete(id)
    }
    for (const { history, ...t } of tasks) {
      this.tasks.set(t.id, t)
      this.histories.set(t.id, history)
    }
    for (const line of lines) {
      if (line.taskId == null) continue
      let list = this.logsByTask.get(line.taskId)
      if (!list) this.logsByTask.set(line.taskId, (list = []))
      list.push(line)
    }
    const others = this.logs.filter((l) => l.loop !== loop)
    this.logs = lines.length === 0 ? others : others.concat(lines.slice(-MAX_LOG_LINES))
    const clocks = new Map(this.clocks)
    if (clock) clocks.set(loop, clock)
    else clocks.delete(loop)
    this.clocks = clocks
    this.version++
  }

  /** Merge lines fetched on demand (task details) without duplicating ones already streamed. */
  mergeTaskLogs(taskId: number, lines: readonly LogLine[]): void {
    const have = this.logsByTask.get(taskId) ?? []
    const seen = new Set(have.map((l) => l.seq))
    const merged = [...have, ...lines.filter((l) => !seen.has(l.seq))].sort((a, b) => a.seq - b.seq)
    this.logsByTask.set(taskId, merged.slice(-MAX_TASK_LOG_LINES))
    this.version++
  }

  private appendLogs(lines: readonly LogLine[]): void {
    const all = this.logs.concat(lines)
    this.logs = all.length > MAX_LOG_LINES ? all.slice(all.length - MAX_LOG_LINES) : all
    for (const line of lines) {
      if (line.taskId == null) continue
      let list = this.logsByTask.get(line.taskId)
      if (!list) this.logsByTask.set(line.taskId, (list = []))
      list.push(line)
      if (list.length > MAX_TASK_LOG_LINES) list.splice(0, list.length - MAX_TASK_LOG_LINES)
    }
  }

  get(id: number | null): TaskSnapshot | undefined {
    void this.version
    return id == null ? undefined : this.tasks.get(id)
  }

  /** The tasks awaiting `id` right now (the "awaited by" half of the await chain). */
  awaitedBy(id: number): TaskSnapshot[] {
    void this.version
    const out: TaskSnapshot[] = []
    // Directly, or through the gather / task group it awaits (main awaiting gather(a, b) awaits a and b).
    for (const t of this.tasks.values()) if (t.awaiting !== null && (t.awaiting.taskId === id || t.awaiting.waitsOn?.includes(id))) out.push(t)
    return out
  }

  /** The tasks `id` created, oldest first. */
  childrenOf(id: number): TaskSnapshot[] {
    void this.version
    const out: TaskSnapshot[] = []
    for (const t of this.tasks.values()) if (t.parentId === id) out.push(t)
    return out.sort((a, b) => a.id - b.id)
  }

  /**
   * The loop clock's reading at wall time `wallNow`: extrapolated for real and scaled clocks,
   * frozen at the last report for a virtual clock (it jumps, so guessing would lie).
   */
  loopNow(loop: string, wallNow: number): number | null {
    const c = this.clocks.get(loop)
    if (!c) return null
    if (c.rate == null) return c.now
    return c.now + Math.max(0, wallNow - c.wall) * c.rate
  }
}
