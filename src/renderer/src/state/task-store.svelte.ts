// The live copy of every task the main side reports. Snapshots arrive from outside in batches, so
// they live in a plain Map behind one `$state` version counter: a delta touching 5,000 tasks costs
// one reactive notification, not 5,000 proxied writes (STYLE.md: `$state.raw` for IPC snapshots).
import { emptyHistory, mergeSegments } from '../../../shared/snapshots'
import { isLive } from './states'
import type { AppSnapshot, LogLine, LoopClock, StateHistory, TaskDelta, TaskSnapshot, TaskState } from '../../../shared/snapshots'

/** Tasks per state (only states with members are present). */
export type StateCounts = Partial<Record<TaskState, number>>

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
  /**
   * Tasks per loop and state, kept as snapshots replace each other: the top bar's counts cost the
   * number of loops, not a walk over 100,000 tasks on every delta.
   */
  readonly countsByLoop = new Map<string, StateCounts>()
  /** Per loop, the latest loop time a task of it ended at (a finished run's clock stops there). */
  readonly lastEndedByLoop = new Map<string, number>()
  /**
   * Ended tasks the main side folded out of the live view (its `removed` ids), per loop and by the
   * state they ended in: the window says how many it no longer lists, and their outcomes stay counted.
   */
  readonly foldedByLoop = new Map<string, StateCounts>()
  private readonly listeners = new Set<() => void>()
  /** Task id → ids of the tasks it created, and → ids of the tasks awaiting it (directly or through a gather). */
  private readonly childIds = new Map<number, Set<number>>()
  private readonly waiterIds = new Map<number, Set<number>>()

  /** Called after every applied batch (reset or delta), outside any reactive read. */
  onApplied(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => void this.listeners.delete(listener)
  }

  /** Replace everything with a full snapshot (first connect or reconnect). */
  reset(snapshot: Pick<AppSnapshot, 'seq' | 'tasks' | 'clocks'>): void {
    this.tasks.clear()
    this.logsByTask.clear()
    this.histories.clear()
    this.countsByLoop.clear()
    this.lastEndedByLoop.clear()
    this.childIds.clear()
    this.waiterIds.clear()
    // The snapshot does not say how many were folded before it: the count starts again from here.
    this.foldedByLoop.clear()
    for (const { history, ...t } of snapshot.tasks) {
      this.upsert(t)
      if (history) this.histories.set(t.id, history)
    }
    this.seq = snapshot.seq
    this.logs = []
    this.clocks = new Map(snapshot.clocks.map((c) => [c.loop, c]))
    this.version++
    this.notify()
  }

  /**
   * Apply one delta: created/changed/ended are upserts by id, `removed` deletes, logs append.
   * A delta whose seq is not newer than the last applied one changes nothing and returns false.
   */
  apply(delta: TaskDelta): boolean {
    if (delta.seq <= this.seq) return false
    this.seq = delta.seq
    for (const list of [delta.created, delta.changed, delta.ended]) {
      for (const t of list) this.upsert(t)
    }
    for (const a of delta.segments ?? []) {
      if (!this.tasks.has(a.taskId)) continue
      let h = this.histories.get(a.taskId)
      if (!h) this.histories.set(a.taskId, (h = emptyHistory()))
      mergeSegments(h, a)
    }
    for (const id of delta.removed) {
      const gone = this.tasks.get(id)
      if (gone) {
        this.unlink(gone)
        bump(this.countsByLoop, gone.loop, gone.state, -1)
        if (!isLive(gone.state)) bump(this.foldedByLoop, gone.loop, gone.state, 1)
      }
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
    this.notify()
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
      this.unlink(t)
      this.tasks.delete(id)
      this.histories.delete(id)
      this.logsByTask.delete(id)
    }
    // Its counts and end are made again from the tasks shown now (the indexes stay exact).
    this.countsByLoop.delete(loop)
    this.lastEndedByLoop.delete(loop)
    for (const { history, ...t } of tasks) {
      this.upsert(t)
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
    this.notify()
  }

  private upsert(t: TaskSnapshot): void {
    const old = this.tasks.get(t.id)
    if (old) {
      bump(this.countsByLoop, old.loop, old.state, -1)
      if (old.awaiting !== t.awaiting || old.parentId !== t.parentId) this.unlink(old)
      else {
        bump(this.countsByLoop, t.loop, t.state, 1)
        this.finishUpsert(t)
        return
      }
    }
    bump(this.countsByLoop, t.loop, t.state, 1)
    if (t.parentId !== null) link(this.childIds, t.parentId, t.id)
    for (const target of awaitTargets(t)) link(this.waiterIds, target, t.id)
    this.finishUpsert(t)
  }

  private finishUpsert(t: TaskSnapshot): void {
    if (t.endedAt && t.endedAt.loop > (this.lastEndedByLoop.get(t.loop) ?? -Infinity)) this.lastEndedByLoop.set(t.loop, t.endedAt.loop)
    this.tasks.set(t.id, t)
  }

  private unlink(t: TaskSnapshot): void {
    if (t.parentId !== null) unlinkId(this.childIds, t.parentId, t.id)
    for (const target of awaitTargets(t)) unlinkId(this.waiterIds, target, t.id)
  }

  private notify(): void {
    for (const l of this.listeners) l()
  }

  /** Ended tasks folded out of the view in the loops `inScope` admits, by final state, and their total. */
  folded(inScope: (loop: string) => boolean = () => true): { total: number; states: StateCounts } {
    void this.version
    const states: StateCounts = {}
    let total = 0
    for (const [loop, counts] of this.foldedByLoop) {
      if (!inScope(loop)) continue
      for (const [state, n] of Object.entries(counts) as [TaskState, number][]) {
        states[state] = (states[state] ?? 0) + n
        total += n
      }
    }
    return { total, states }
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
      // The details' task:get may have brought this line already (printed before the delta was cut):
      // twice in the list, its key repeats and the details' {#each} stops rendering.
      const last = list.at(-1)
      if (last !== undefined && line.seq <= last.seq && list.some((l) => l.seq === line.seq)) continue
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
    // Directly, or through the gather / task group it awaits (main awaiting gather(a, b) awaits a and b).
    return this.byIds(this.waiterIds.get(id)).sort((a, b) => a.id - b.id)
  }

  /** The tasks `id` created, oldest first. */
  childrenOf(id: number): TaskSnapshot[] {
    void this.version
    return this.byIds(this.childIds.get(id)).sort((a, b) => a.id - b.id)
  }

  private byIds(ids: ReadonlySet<number> | undefined): TaskSnapshot[] {
    const out: TaskSnapshot[] = []
    for (const id of ids ?? []) {
      const t = this.tasks.get(id)
      if (t) out.push(t)
    }
    return out
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

function bump(map: Map<string, StateCounts>, loop: string, state: TaskState, by: number): void {
  let counts = map.get(loop)
  if (!counts) map.set(loop, (counts = {}))
  const n = (counts[state] ?? 0) + by
  if (n > 0) counts[state] = n
  else delete counts[state]
}

/** The tasks `t` awaits: the one it awaits directly, and those of the gather or group it awaits. */
function awaitTargets(t: TaskSnapshot): number[] {
  const a = t.awaiting
  if (a === null) return []
  const out = a.waitsOn ? [...a.waitsOn] : []
  if (a.taskId != null) out.push(a.taskId)
  return out
}

function link(map: Map<number, Set<number>>, key: number, id: number): void {
  let set = map.get(key)
  if (!set) map.set(key, (set = new Set()))
  set.add(id)
}

function unlinkId(map: Map<number, Set<number>>, key: number, id: number): void {
  const set = map.get(key)
  if (!set) return
  set.delete(id)
  if (set.size === 0) map.delete(key)
}
