import type { EventLoop, Instrument, Task, TaskState } from '../runtime/index'
import { FINAL_STATES } from '../../shared/snapshots'
import type { LogLine, LoopClock, LoopLabel, RunId, SegmentAppend, Stamp, TaskDelta, TaskSnapshot } from '../../shared/snapshots'
import { describeAwait } from './describe-await'
import { StateRecorder } from './state-recorder'
import { toErrorSnapshot } from './error-snapshot'
import { Throttle, realTimers } from './throttle'
import type { Timers } from './throttle'

/** How a loop is shown: its label, the run it belongs to, and its clock rate (null: virtual). */
export interface LoopInfo {
  label: LoopLabel
  runId: RunId | null
  rate: number | null
}

/** A printed line as the scenarios emit it (ScenarioRun.onRecord). */
export interface LogRecord {
  t: number
  line: string
  taskId: number | null
  taskName: string | null
  stream: 'stdout' | 'stderr'
}

export interface MonitorOptions {
  /** Receives each batch; called at most `maxPerSecond` times a second. */
  emit: (delta: TaskDelta) => void
  maxPerSecond?: number
  /** Tasks kept for the live view; beyond it the oldest ended tasks are dropped (default 50,000). */
  maxTasks?: number
  /** Log lines kept per task for task:get (default 1,000; the newest win). */
  maxLogsPerTask?: number
  /** Log lines per delta; more wait for the next delta (default 5,000). */
  maxLogsPerDelta?: number
  /**
   * State segments per delta (default 50,000: about the size of 10,000 task snapshots); tasks beyond it send theirs with a later delta, and
   * segments the per-task cap dropped meanwhile reach the UI as its gap.
   */
  maxSegmentsPerDelta?: number
  timers?: Timers
  wallNow?: () => number
}

interface LoopEntry {
  info: LoopInfo
  loop: EventLoop
  remove: () => void
}

interface TaskEntry {
  /** The live task, until its final snapshot has been taken. */
  task: Task<unknown> | null
  loop: LoopEntry
  snap: TaskSnapshot
  logs: LogLine[]
  /** Its running / waiting / cancelling stretches on the loop clock. */
  states: StateRecorder
  emitted: boolean
  endedEmitted: boolean
}

const FINAL = new Set<TaskState>(FINAL_STATES)

/**
 * The runtime instrument behind the live view. Attached to every loop, it keeps one TaskSnapshot
 * per task and sends what changed as batched TaskDeltas (at most 60 a second; a task that changed
 * a thousand times between two batches is sent once). Callbacks only mark tasks dirty; snapshots
 * are read off the tasks when a batch is cut, so the scheduler's hot path stays a Map lookup.
 *
 * @example
 * const monitor = new TaskMonitor({ emit: (d) => send('tasks:delta', d) })
 * const detach = monitor.attach(loop, { label: 'run-1', runId: 1, rate: null })
 */
export class TaskMonitor {
  private readonly tasks = new Map<number, TaskEntry>()
  private readonly loops = new Map<LoopLabel, LoopEntry>()
  private readonly dirty = new Map<number, TaskEntry>()
  /** Tasks whose new segments have not been sent yet (a delta's segment budget ran out). */
  private readonly segmentsDue = new Map<number, TaskEntry>()
  private pendingLogs: LogLine[] = []
  private removed: number[] = []
  private seq = 0
  private logSeq = 0
  private readonly throttle: Throttle
  private readonly minIntervalMs: number
  private readonly wallNow: () => number
  private readonly maxTasks: number
  private readonly maxLogsPerTask: number
  private readonly maxLogsPerDelta: number
  private readonly maxSegmentsPerDelta: number

  constructor(private readonly opts: MonitorOptions) {
    this.wallNow = opts.wallNow ?? Date.now
    this.maxTasks = opts.maxTasks ?? 50_000
    this.maxLogsPerTask = opts.maxLogsPerTask ?? 1_000
    this.maxLogsPerDelta = opts.maxLogsPerDelta ?? 5_000
    this.maxSegmentsPerDelta = opts.maxSegmentsPerDelta ?? 50_000
    this.minIntervalMs = 1000 / (opts.maxPerSecond ?? 60)
    this.throttle = new Throttle(this.minIntervalMs, () => this.flush(), opts.timers ?? realTimers)
  }

  /** Watches a loop (and adopts the tasks it already has). Returns detach(). */
  attach(loop: EventLoop, info: LoopInfo): () => void {
    if (this.loops.has(info.label)) throw new Error(`a loop labelled ${info.label} is already attached`)
    const entry: LoopEntry = { info, loop, remove: () => {} }
    this.loops.set(info.label, entry)
    for (const t of loop.allTasks()) this.created(entry, t, null)
    entry.remove = loop.addInstrument(this.instrumentFor(entry))
    this.throttle.mark()
    return () => this.detach(info.label)
  }

  /** Stops watching a loop; its tasks stay in the view with their last snapshot. */
  detach(label: LoopLabel): void {
    const entry = this.loops.get(label)
    if (!entry) return
    entry.remove()
    this.loops.delete(label)
    // Take the last look at every task of this loop while the objects are still reachable; the
    // next batch carries it, at the usual pace.
    for (const t of this.tasks.values()) {
      if (t.loop !== entry || !t.task) continue
      this.refresh(t)
      t.task = null
      this.markDirty(t)
    }
  }

  /** Drops every task of a loop from the view (their ids travel in `removed`). */
  forget(label: LoopLabel): void {
    if (this.loops.has(label)) this.detach(label)
    for (const [id, t] of this.tasks) {
      if (t.loop.info.label !== label) continue
      this.tasks.delete(id)
      this.dirty.delete(id)
      this.segmentsDue.delete(id)
      this.removed.push(id)
    }
    this.throttle.mark()
  }

  /** A printed line of a task (or of the loop when taskId is null). */
  log(label: LoopLabel, rec: LogRecord): void {
    const loop = this.loops.get(label)
    const line: LogLine = {
      seq: ++this.logSeq,
      loop: label,
      runId: loop?.info.runId ?? null,
      taskId: rec.taskId,
      taskName: rec.taskName,
      t: rec.t,
      wall: this.wallNow(),
      // Lines arrive while the printing task's step runs, so the loop's clock reads the print time.
      ...(loop ? { at: loop.loop.time() } : {}),
      stream: rec.stream,
      line: rec.line,
    }
    this.pendingLogs.push(line)
    // Printed faster than deltas carry lines (an endless 1 ms run): keep the newest, bounded (seq shows the gap).
    if (this.pendingLogs.length > 4 * this.maxLogsPerDelta) this.pendingLogs = this.pendingLogs.slice(-2 * this.maxLogsPerDelta)
    const entry = rec.taskId === null ? undefined : this.tasks.get(rec.taskId)
    if (entry) {
      entry.logs.push(line)
      if (entry.logs.length > this.maxLogsPerTask) entry.logs.splice(0, entry.logs.length - this.maxLogsPerTask)
      entry.snap.logCount += 1
      this.markDirty(entry)
    }
    this.throttle.mark()
  }

  /**
   * Re-reads a task at the next batch: for changes the runtime reports no event for (a deadline
   * set or cleared, a name changed).
   */
  touch(taskId: number): void {
    const entry = this.tasks.get(taskId)
    if (entry) this.markDirty(entry)
  }

  /** The live task object with that id, if it is still running on an attached loop. */
  liveTask(taskId: number): Task<unknown> | null {
    return this.tasks.get(taskId)?.task ?? null
  }

  loopOf(taskId: number): { loop: EventLoop; info: LoopInfo } | null {
    const entry = this.tasks.get(taskId)
    if (!entry || !this.loops.has(entry.loop.info.label)) return null
    return { loop: entry.loop.loop, info: entry.loop.info }
  }

  /** The current snapshot of one task (read fresh), or null if unknown. */
  get(taskId: number): TaskSnapshot | null {
    const entry = this.tasks.get(taskId)
    if (!entry) return null
    this.refresh(entry)
    return { ...entry.snap, history: entry.states.history() }
  }

  logsOf(taskId: number): LogLine[] {
    return [...(this.tasks.get(taskId)?.logs ?? [])]
  }

  /** Tasks whose parent is this task. */
  childrenOf(taskId: number): number[] {
    const out: number[] = []
    for (const [id, t] of this.tasks) if (t.snap.parentId === taskId) out.push(id)
    return out
  }

  /** Not-ended tasks by state over every attached loop (for the stats daemon's samples). */
  countByState(): Partial<Record<TaskState, number>> {
    const counts: Partial<Record<TaskState, number>> = {}
    for (const entry of this.tasks.values()) {
      if (!entry.task) continue
      const state = entry.task.state
      if (!FINAL.has(state)) counts[state] = (counts[state] ?? 0) + 1
    }
    return counts
  }

  /** Everything, fresh: what a newly connected UI starts from. Deltas with a greater seq follow. */
  snapshot(): { seq: number; tasks: TaskSnapshot[]; clocks: LoopClock[] } {
    this.flush()
    const tasks: TaskSnapshot[] = []
    // Segments a budget-limited flush left due are in the full history, so they are not sent again.
    for (const entry of this.segmentsDue.values()) entry.states.take(entry.snap.id)
    this.segmentsDue.clear()
    for (const entry of this.tasks.values()) tasks.push({ ...entry.snap, history: entry.states.history() })
    return { seq: this.seq, tasks, clocks: this.clocks() }
  }

  clocks(): LoopClock[] {
    const wall = this.wallNow()
    return [...this.loops.values()].map((l) => ({ loop: l.info.label, now: l.loop.time(), wall, rate: l.info.rate }))
  }

  /** Sends what is pending now instead of at the next tick. */
  flushNow(): void {
    this.flush()
  }

  dispose(): void {
    for (const label of [...this.loops.keys()]) this.detach(label)
    this.throttle.dispose()
  }

  private instrumentFor(loop: LoopEntry): Instrument {
    return {
      taskCreated: (t) => {
        const parent = parentOf(t)
        // A task stepping on another loop is not this task's parent.
        this.created(loop, t, parent !== null && this.tasks.get(parent)?.loop === loop ? parent : null)
      },
      taskStateChanged: (t, _from, to) => {
        const entry = this.tasks.get(t.id)
        if (!entry) return
        if (to === 'running' && entry.snap.startedAt === null) entry.snap.startedAt = this.stamp(loop)
        const now = loop.loop.time()
        if (FINAL.has(to)) entry.states.end(now)
        else entry.states.enter(to, now)
        this.markDirty(entry)
      },
      taskDone: (t) => {
        const entry = this.tasks.get(t.id)
        if (!entry) return
        entry.snap.endedAt = this.stamp(loop)
        entry.states.end(entry.snap.endedAt.loop)
        // Read the error now: inside taskDone reading it does not count as retrieving it, so the
        // loop can still report "Task exception was never retrieved" when the program drops it.
        if (t.state === 'failed') entry.snap.error = toErrorSnapshot(safeException(t))
        this.markDirty(entry)
      },
    }
  }

  private created(loop: LoopEntry, task: Task<unknown>, parentId: number | null): void {
    const snap: TaskSnapshot = {
      id: task.id,
      loop: loop.info.label,
      runId: loop.info.runId,
      name: task.name,
      parentId,
      state: task.state,
      createdAt: this.stamp(loop),
      startedAt: null,
      endedAt: null,
      awaiting: null,
      cancel: null,
      deadline: null,
      error: null,
      logCount: 0,
    }
    const states = new StateRecorder()
    // An adopted task (attach after it started) is known from now on.
    if (!FINAL.has(task.state)) states.enter(task.state, snap.createdAt.loop)
    const entry: TaskEntry = { task, loop, snap, logs: [], states, emitted: false, endedEmitted: false }
    this.tasks.set(task.id, entry)
    this.markDirty(entry)
  }

  private markDirty(entry: TaskEntry): void {
    this.dirty.set(entry.snap.id, entry)
    this.throttle.mark()
  }

  /** Reads the live task into its snapshot; after its final state, lets go of the task. */
  private refresh(entry: TaskEntry): void {
    const task = entry.task
    if (!task) return
    const snap = entry.snap
    snap.state = task.state
    snap.name = task.name
    snap.awaiting = snap.state === 'waiting' || snap.state === 'cancelling' ? describeAwait(task.awaiting()) : null
    const req = task.cancelRequest()
    if (req && (!snap.cancel || snap.cancel.at.loop !== req.at || snap.cancel.source !== req.source)) {
      snap.cancel = { source: req.source, reason: req.reason ?? null, at: this.stampAt(entry.loop, req.at) }
      if (req.by !== undefined) snap.cancel.by = req.by
    }
    const deadline = task.deadline()
    if (deadline !== null) {
      if (snap.deadline?.at.loop !== deadline) snap.deadline = { at: this.stampAt(entry.loop, deadline) }
    } else if (snap.cancel?.source !== 'deadline') snap.deadline = null // a deadline that fired stays as the mark
    if (FINAL.has(snap.state)) {
      snap.awaiting = null
      snap.endedAt ??= this.stamp(entry.loop)
      if (snap.state === 'failed' && snap.error === null) snap.error = toErrorSnapshot(safeException(task))
      entry.task = null
    }
  }

  private flush(): void {
    this.throttle.noteFlushed()
    if (this.dirty.size === 0 && this.pendingLogs.length === 0 && this.removed.length === 0 && this.segmentsDue.size === 0) return
    const delta: TaskDelta = { seq: ++this.seq, created: [], changed: [], ended: [], removed: this.removed, logs: [], clocks: this.clocks() }
    for (const entry of this.dirty.values()) {
      this.refresh(entry)
      const snap = { ...entry.snap }
      if (!entry.emitted) {
        entry.emitted = true
        delta.created.push(snap)
        if (FINAL.has(snap.state)) entry.endedEmitted = true
      } else if (FINAL.has(snap.state) && !entry.endedEmitted) {
        entry.endedEmitted = true
        delta.ended.push(snap)
      } else delta.changed.push(snap)
      this.segmentsDue.set(snap.id, entry)
    }
    this.dirty.clear()
    const segments = this.takeSegments()
    if (segments.length > 0) delta.segments = segments
    this.removed = []
    if (this.pendingLogs.length > this.maxLogsPerDelta) {
      delta.logs = this.pendingLogs.splice(0, this.maxLogsPerDelta)
      this.throttle.mark()
    } else {
      delta.logs = this.pendingLogs
      this.pendingLogs = []
    }
    this.evict(delta)
    // Big batches (thousands of busy tasks) come less often, up to 4 a second, so the renderer
    // gets time to draw between them; small ones keep the full 60 a second.
    const items = delta.created.length + delta.changed.length + delta.ended.length + delta.logs.length
    this.throttle.setInterval(Math.min(250, this.minIntervalMs * Math.max(1, items / 1000)))
    this.opts.emit(delta)
  }

  /** The due tasks' new segments, up to the per-delta budget; the rest stay due for the next delta. */
  private takeSegments(): SegmentAppend[] {
    const out: SegmentAppend[] = []
    let budget = this.maxSegmentsPerDelta
    for (const [id, entry] of this.segmentsDue) {
      if (budget <= 0) {
        this.throttle.mark()
        break
      }
      for (const a of entry.states.take(id)) {
        out.push(a)
        budget -= Math.max(1, a.segments.length)
      }
      this.segmentsDue.delete(id)
    }
    return out
  }

  /** Keeps the view bounded: drops the oldest ended tasks beyond maxTasks. */
  private evict(delta: TaskDelta): void {
    let excess = this.tasks.size - this.maxTasks
    if (excess <= 0) return
    for (const [id, entry] of this.tasks) {
      if (excess <= 0) break
      if (entry.task || !FINAL.has(entry.snap.state)) continue
      this.tasks.delete(id)
      this.segmentsDue.delete(id)
      delta.removed.push(id)
      excess -= 1
    }
  }

  private stamp(loop: LoopEntry): Stamp {
    return { loop: loop.loop.time(), wall: this.wallNow() }
  }

  /** A loop instant in the past or future, with its wall time estimated from the clock's rate. */
  private stampAt(loop: LoopEntry, at: number): Stamp {
    const now = loop.loop.time()
    const wall = this.wallNow()
    const rate = loop.info.rate
    return { loop: at, wall: rate ? Math.round(wall + (at - now) / rate) : wall }
  }
}

function parentOf(task: Task<unknown>): number | null {
  // The task whose step created it (currentTask() throws outside a running loop, as CPython's).
  const parent = task.parent
  return parent && parent !== task ? parent.id : null
}

function safeException(task: Task<unknown>): unknown {
  try {
    return task.exception()
  } catch (e) {
    return e
  }
}
