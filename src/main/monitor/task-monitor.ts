import { Task } from '../runtime/index'
import type { EventLoop, Future, Instrument, TaskState } from '../runtime/index'
import { FINAL_STATES } from '../../shared/snapshots'
import type { StepTiming } from '../../shared/snapshots'
import type { AwaitSnapshot, CancelSnapshot, ErrorSnapshot, LogLine, LoopClock, LoopLabel, RunId, SegmentAppend, Stamp, TaskDelta, TaskSnapshot } from '../../shared/snapshots'
import { describeAwait } from './describe-await'
import { trackResources } from '../runtime/resources'
import { StateRecorder } from './state-recorder'
import { EndedColumns } from './ended-columns'
import { EntryNumbers, INLINE_SEGMENTS, N_CREATED_LOOP, N_CREATED_WALL, N_END_LOOP, N_END_WALL, N_SEGMENTS, N_START_LOOP, N_START_WALL } from './entry-numbers'
import { toErrorSnapshot } from './error-snapshot'
import { toCancelSnapshot } from './cancel-snapshot'
import { Throttle, realTimers } from './throttle'
import type { Timers } from './throttle'
import { SlowSteps } from './slow-steps'
import { TaskSteps, realClock, stepTimer } from './step-stats'
import { EndedTimings } from './ended-timings'
import { IdTable } from './id-table'

/** Await descriptions shared by text (see TaskMonitor.describe); past it the table starts over. */
const MAX_AWAIT_TEXTS = 1_024

/** How many ended tasks held as columns keep their step timing (the newest; see endedSteps). */
const ENDED_TIMINGS_KEPT = 2_000

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
  /**
   * Receives each batch: at most `maxPerSecond` flushes a second, each one delta, or a few in a row
   * when it holds more than maxTasksPerDelta snapshots.
   */
  emit: (delta: TaskDelta) => void
  maxPerSecond?: number
  /** Tasks kept for the live view; beyond it the oldest ended tasks are dropped (default 50,000). */
  maxTasks?: number
  /** Log lines kept per task for task:get (default 1,000; the newest win). */
  maxLogsPerTask?: number
  /** Log lines per delta; more wait for the next delta (default 5,000). */
  maxLogsPerDelta?: number
  /**
   * State segments per delta (default 50,000); tasks beyond it send theirs with a later delta, and
   * segments the per-task cap dropped meanwhile reach the UI as its gap (a task whose tail wrapped
   * sends its whole tail, so the receiver's tail is exactly the recorder's). The budget is what
   * bounds the work per delta when a thousand tasks each change state a thousand times a second.
   */
  maxSegmentsPerDelta?: number
  /**
   * Of those, tail segments (what a busy task adds once its first 50 are kept) per delta (default
   * 5,000). A thousand tasks switching a million times a second would otherwise have every change
   * turned into an object and sent; within this budget busy tasks take turns, and the changes
   * between two turns are overwritten in the recorder's ring and reach the UI as the gap.
   */
  maxTailSegmentsPerDelta?: number
  /**
   * Tasks that ended before any delta showed them, sent per delta at most (default: all). Beyond
   * it the oldest of them are folded: dropped from the view unsent and counted through `onFolded`
   * (the agent reports them to the hub as dropped events). A process running 100,000 short tasks
   * a second cannot ship each one's snapshot at a cost near its own; a person cannot read them.
   */
  maxUnseenEndedPerDelta?: number
  /**
   * Task snapshots (created, changed and ended together) per delta (default 2,000): a flush with more
   * emits several deltas in a row, the last one carrying the flush's segments, slow steps, lines
   * and folded count. 100,000 tasks made in one step were one delta of 100,000 snapshots, all of it
   * alive until the emit returned: the scavenges while it was built copied and promoted every
   * object of it (most of what watching W1 cost in the garbage collector). A delta of 2,000 is
   * about a megabyte, let go before the next is made.
   */
  maxTasksPerDelta?: number
  /**
   * New tasks one flush shows at most (default: all). The rest wait, unread and in the order they
   * came, for the next flushes (one comes as soon as the pacing allows); one that ends meanwhile is
   * an unseen ended task like any other (maxUnseenEndedPerDelta folds it). So a burst of 10,000
   * long-lived tasks is shown whole within a few deltas, while 100,000 short ones cost the
   * deltas only what a person could read of them. The agent passes 2,000.
   */
  maxNewPerFlush?: number
  /** How many tasks a delta folded (called just before that delta's emit, only when > 0). */
  onFolded?: (count: number) => void
  /**
   * How many tasks no delta showed yet the next delta may show, asked once as each delta is cut
   * (default: all). The rest are hidden: never read into a snapshot nor sent, their changes
   * skipped, until a snapshot() carries them. The agent passes the room left in the hub, which
   * holds 20,000 tasks per source: with 100,000 live tasks it would otherwise read 80,000 snapshots
   * a delta only to throw them away (most of its cost on a wide gather).
   */
  roomForNew?: () => number
  timers?: Timers
  wallNow?: () => number
  /** Times every task's steps (busy / idle / scheduled, slow steps; issue 11 §1); `clock` is the real ms clock (a test's fake). */
  stepTiming?: { thresholdMs?: number; clock?: () => number }
}

interface LoopEntry {
  info: LoopInfo
  loop: EventLoop
  remove: () => void
  removeSteps?: () => void
}

// TaskEntry's yes/no facts, as bits of one small integer (one field, not seven, per live task).
const STARTED = 1
const EMITTED = 2
const ENDED_EMITTED = 4
const HIDDEN = 8
const DIRTY = 16
const SEGMENTS_DUE = 32
const GONE = 64
const READ = 128
/** Something its snapshot shows changed since the last delta carried it. */
const UNSENT = 256

/**
 * What the monitor holds per task. The facts events bring (times, the error, the log count) live in
 * fields, and so do the few a snapshot shows that were read off the task at its last reading
 * (state, name, what it awaits, its cancel and deadline): no snapshot object is kept per task. A
 * snapshot is made from these facts when a delta or a reader needs one, and the delta that carries
 * it is its only holder, so it dies young; a reading (or an event) that changed a fact marks it
 * `unsent`, and a delta re-sends a task only when it is (task:get reads between deltas, so what the
 * last reading showed cannot tell what the UI has seen).
 * Held from creation to its end and beyond, every object an entry keeps outlives the scavenges and
 * is promoted: that was most of what watching 100,000 short tasks cost.
 */
class TaskEntry extends StateRecorder {
  /** The live task, until it ends (see read): then the facts below are all there is to it. */
  task: Task<unknown> | null
  /** The name of the function its coroutine came from (for grouping by function). */
  coro: string
  /** When the monitor first saw it, across loops: a full snapshot lists tasks in this order. */
  order = 0
  /**
   * Where its times live in the monitor's EntryNumbers: when it was created, first ran and ended
   * (loop NaN: not yet), read through the accessors below. The snapshot's Stamp objects are made
   * when a snapshot is, so a task costs none between deltas.
   */
  readonly at: number
  error: ErrorSnapshot | null = null
  logCount = 0
  /** Its printed lines (null until the first). */
  logs: LogLine[] | null = null
  /** Its index in the dirty list while it is in it. */
  dirtyAt = -1
  /** The non-task future `awaiting` describes (its text does not change, so it is not re-made). */
  awaited: Future<unknown> | null = null
  // What its last reading showed ('pending' and '' before any: a task let go unread shows that).
  state: TaskState = 'pending'
  name = ''
  awaiting: AwaitSnapshot | null = null
  cancel: CancelSnapshot | null = null
  deadline: { at: Stamp } | null = null
  /** Its step timing (MonitorOptions.stepTiming), made at its first step. */
  steps: TaskSteps | null = null

  constructor(
    /** The monitor holding it: a task's slot may hold another monitor's entry. */
    readonly owner: TaskMonitor,
    task: Task<unknown> | null,
    readonly loop: LoopEntry,
    readonly id: number,
    readonly parentId: number | null,
    createdLoop: number,
    createdWall: number,
  ) {
    // Its running / waiting / cancelling stretches are the recorder it is (one object per task,
    // not two: the per-change write touches one, and a short task allocates one).
    super()
    this.task = task
    this.coro = task?.coroName ?? ''
    this.at = owner.numbers.take()
    const a = owner.numbers.a
    a[this.at + N_CREATED_LOOP] = createdLoop
    a[this.at + N_CREATED_WALL] = createdWall
  }

  /** It ran once (its start is recorded): the per-change path tests this, not the number. */
  get started(): boolean {
    return (this.flags & STARTED) !== 0
  }
  set started(v: boolean) {
    this.flags = v ? this.flags | STARTED : this.flags & ~STARTED
  }
  /** A delta carried it (in created). */
  get emitted(): boolean {
    return (this.flags & EMITTED) !== 0
  }
  set emitted(v: boolean) {
    this.flags = v ? this.flags | EMITTED : this.flags & ~EMITTED
  }
  /** A delta carried it ended. */
  get endedEmitted(): boolean {
    return (this.flags & ENDED_EMITTED) !== 0
  }
  set endedEmitted(v: boolean) {
    this.flags = v ? this.flags | ENDED_EMITTED : this.flags & ~ENDED_EMITTED
  }
  /** Past the room a delta had for new tasks (MonitorOptions.roomForNew): never read nor sent. */
  get hidden(): boolean {
    return (this.flags & HIDDEN) !== 0
  }
  set hidden(v: boolean) {
    this.flags = v ? this.flags | HIDDEN : this.flags & ~HIDDEN
  }
  /** In the dirty list: re-read at the next delta (a flag, so a busy task costs no Map write per change). */
  get dirty(): boolean {
    return (this.flags & DIRTY) !== 0
  }
  set dirty(v: boolean) {
    this.flags = v ? this.flags | DIRTY : this.flags & ~DIRTY
  }
  /** In the list of tasks whose new segments a delta has yet to carry. */
  get segmentsDue(): boolean {
    return (this.flags & SEGMENTS_DUE) !== 0
  }
  set segmentsDue(v: boolean) {
    this.flags = v ? this.flags | SEGMENTS_DUE : this.flags & ~SEGMENTS_DUE
  }
  /** Dropped from the view (forgotten or evicted): lists still holding it skip it. */
  get gone(): boolean {
    return (this.flags & GONE) !== 0
  }
  /** Something its snapshot shows changed since a delta last carried it. */
  get unsent(): boolean {
    return (this.flags & UNSENT) !== 0
  }
  set unsent(v: boolean) {
    this.flags = v ? this.flags | UNSENT : this.flags & ~UNSENT
  }
  /** Read at least once (its facts are the task's, not the defaults). */
  get read(): boolean {
    return (this.flags & READ) !== 0
  }
  set read(v: boolean) {
    this.flags = v ? this.flags | READ : this.flags & ~READ
  }

  get createdLoop(): number {
    return this.owner.numbers.a[this.at + N_CREATED_LOOP]!
  }
  get createdWall(): number {
    return this.owner.numbers.a[this.at + N_CREATED_WALL]!
  }
  get startLoop(): number {
    return this.owner.numbers.a[this.at + N_START_LOOP]!
  }
  set startLoop(v: number) {
    this.owner.numbers.a[this.at + N_START_LOOP] = v
  }
  get startWall(): number {
    return this.owner.numbers.a[this.at + N_START_WALL]!
  }
  set startWall(v: number) {
    this.owner.numbers.a[this.at + N_START_WALL] = v
  }
  get endLoop(): number {
    return this.owner.numbers.a[this.at + N_END_LOOP]!
  }
  set endLoop(v: number) {
    this.owner.numbers.a[this.at + N_END_LOOP] = v
  }
  get endWall(): number {
    return this.owner.numbers.a[this.at + N_END_WALL]!
  }
  set endWall(v: number) {
    this.owner.numbers.a[this.at + N_END_WALL] = v
  }

  /** Its first segments live in its EntryNumbers slot (see StateRecorder.inlineSegments). */
  protected override inlineStore(): Float64Array {
    return this.owner.numbers.a
  }
  protected override inlineAt(): number {
    return this.at + N_SEGMENTS
  }

  /** Out of the view (dropped, forgotten, or held as columns now): its slot is let go. */
  leave(): void {
    if (this.gone) return
    this.flags |= GONE
    this.owner.numbers.release(this.at)
  }

  /** Its step timing, made when first asked for (its first step). */
  steps_(): TaskSteps {
    return (this.steps ??= new TaskSteps())
  }

  get ended(): boolean {
    return this.endLoop === this.endLoop // not NaN
  }
}

;(TaskEntry.prototype as unknown as { inlineSegments: number }).inlineSegments = INLINE_SEGMENTS

/** Final or not, by state (a Set's has() is the cheapest lookup by string measured here). */
const FINAL_SET = new Set<TaskState>(FINAL_STATES)

/**
 * The runtime instrument behind the live view. Attached to every loop, it keeps what each task's
 * snapshot shows (as facts on one entry per task, see TaskEntry) and sends what changed as batched
 * TaskDeltas (at most 60 a second; a task that changed a thousand times between two batches is
 * sent once). A state change costs a slot lookup, one clock read and a few number writes (no
 * allocation: see StateRecorder); the task is marked dirty by a flag, its facts are read off the
 * task when a batch is cut, and a snapshot object is made only for the batch that carries it.
 *
 * @example
 * const monitor = new TaskMonitor({ emit: (d) => send('tasks:delta', d) })
 * const detach = monitor.attach(loop, { label: 'run-1', runId: 1, rate: null })
 */
export class TaskMonitor {
  /** Tasks held as objects, by id (paged by id: no hashing per task, see IdTable). */
  private readonly tasks = new IdTable<TaskEntry>()
  private readonly loops = new Map<LoopLabel, LoopEntry>()
  /** Tasks to re-read at the next delta, in the order they first changed since the last. */
  private dirty: (TaskEntry | null)[] = []
  /**
   * Tasks that ended before any delta showed them, since the last delta, oldest first (null: folded
   * already). Past the per-delta budget the oldest is folded at once, not at the next delta: a
   * task that lives and dies between two deltas then dies young, instead of outliving the
   * scavenges on the dirty list (with 100,000 short tasks a second, most of the monitor's cost).
   */
  private unseenEnded: (TaskEntry | null)[] = []
  private unseenHead = 0
  private foldedSinceFlush = 0
  /**
   * Ended tasks held once every delta carried them in full (most of the view of a busy process):
   * as columns, not objects, so the garbage collector does not trace them (see EndedColumns).
   */
  private readonly ended = new EndedColumns<LoopEntry>()
  /**
   * The step timing of the newest ended tasks held as columns (the oldest is let go first), so
   * the details of a task that just ended still say where its time went, while 50,000 ended tasks
   * keep no timing objects for the collector to trace.
   */
  private readonly endedSteps = new EndedTimings(ENDED_TIMINGS_KEPT)
  /** Await snapshots of plain futures by their text, shared by every task awaiting one so described. */
  private readonly awaitTexts = new Map<string, AwaitSnapshot>()
  /** Order of the next task first seen. */
  private nextOrder = 0
  /** @internal the times of the tasks held as objects (see TaskEntry.at) */
  readonly numbers = new EntryNumbers()
  /** Ended tasks' ids in the order they ended: eviction takes the oldest first. */
  private endedOrder: number[] = []
  private endedHead = 0
  /** Tasks whose new segments have not been sent yet (a delta's segment budget ran out). */
  private segmentsDue: TaskEntry[] = []
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
  private readonly maxTailSegmentsPerDelta: number
  private readonly maxUnseenEndedPerDelta: number
  private readonly maxTasksPerDelta: number
  private readonly maxNewPerFlush: number
  /** Tasks folded so far (see MonitorOptions.maxUnseenEndedPerDelta). */
  folded = 0
  /** Tasks hidden so far (see MonitorOptions.roomForNew). */
  hidden = 0
  /** The slow steps of every loop (null: steps are not timed). */
  readonly slowSteps: SlowSteps | null
  /** The real clock steps are timed by (MonitorOptions.stepTiming.clock). */
  private readonly stepClock: () => number

  constructor(private readonly opts: MonitorOptions) {
    this.wallNow = opts.wallNow ?? Date.now
    this.maxTasks = opts.maxTasks ?? 50_000
    this.maxLogsPerTask = opts.maxLogsPerTask ?? 1_000
    this.maxLogsPerDelta = opts.maxLogsPerDelta ?? 5_000
    this.maxSegmentsPerDelta = opts.maxSegmentsPerDelta ?? 50_000
    this.maxUnseenEndedPerDelta = opts.maxUnseenEndedPerDelta ?? Infinity
    this.maxTasksPerDelta = Math.max(1, opts.maxTasksPerDelta ?? 2_000)
    this.maxNewPerFlush = Math.max(1, opts.maxNewPerFlush ?? Infinity)
    this.maxTailSegmentsPerDelta = opts.maxTailSegmentsPerDelta ?? 5_000
    this.minIntervalMs = 1000 / (opts.maxPerSecond ?? 60)
    this.throttle = new Throttle(this.minIntervalMs, () => this.flush(), opts.timers ?? realTimers)
    this.slowSteps = opts.stepTiming ? new SlowSteps({ thresholdMs: opts.stepTiming.thresholdMs, wallNow: this.wallNow }) : null
    this.stepClock = realClock(opts.stepTiming?.clock)
  }

  /** Watches a loop (and adopts the tasks it already has). Returns detach(). */
  attach(loop: EventLoop, info: LoopInfo): () => void {
    if (this.loops.has(info.label)) throw new Error(`a loop labelled ${info.label} is already attached`)
    const entry: LoopEntry = { info, loop, remove: () => {} }
    this.loops.set(info.label, entry)
    for (const t of loop.allTasks()) this.created(entry, t, null)
    const removeInstrument = loop.addInstrument(this.instrumentFor(entry))
    // The loop keeps a registry of its locks, queues, … while watched (the resources view reads it).
    const untrack = trackResources(loop)
    entry.remove = () => {
      removeInstrument()
      untrack()
    }
    if (this.slowSteps !== null) {
      const stepsOf = (t: Task<unknown>) => ((t._instrumentSlot as TaskEntry | undefined)?.owner === this ? (t._instrumentSlot as TaskEntry) : this.tasks.get(t.id))?.steps_() ?? null
      entry.removeSteps = loop.addInstrument(stepTimer(loop, info, { slow: this.slowSteps, stepsOf, clock: this.stepClock }))
    }
    this.throttle.mark()
    return () => this.detach(info.label)
  }

  /** The loops watched now, with their labels (the resources view reads each one's registry). */
  attachedLoops(): { info: LoopInfo; loop: EventLoop }[] {
    return [...this.loops.values()].map(({ info, loop }) => ({ info, loop }))
  }

  /** Stops watching a loop; its tasks stay in the view with their last snapshot. */
  detach(label: LoopLabel): void {
    const entry = this.loops.get(label)
    if (!entry) return
    entry.remove()
    entry.removeSteps?.()
    this.loops.delete(label)
    // Take the last look at every task of this loop while the objects are still reachable; the
    // next batch carries it, at the usual pace.
    for (const t of this.tasks.values()) {
      if (t.loop !== entry || !t.task) continue
      this.read(t)
      if (t.task) releaseSlot(t.task, t)
      t.task = null
      this.markDirty(t)
    }
  }

  /** Drops every task of a loop from the view (their ids travel in `removed`). */
  forget(label: LoopLabel): void {
    if (this.loops.has(label)) this.detach(label)
    this.slowSteps?.forget(label)
    // Named in removed in the order the monitor first saw them, objects and columns alike: each
    // kind comes out of its table in about that order (by id), so the two are merged, and sorted
    // only when one is not in order (100,000 [order, id] pairs sorted were most of a forget).
    const orders: number[] = []
    const ids: number[] = []
    for (const t of this.tasks.values()) {
      if (t.loop.info.label !== label) continue
      this.tasks.delete(t.id)
      t.leave()
      orders.push(t.order)
      ids.push(t.id)
    }
    const endedOrders: number[] = []
    const endedIds: number[] = []
    this.ended.forEach((id, order, loop) => {
      if (loop.info.label !== label) return
      endedOrders.push(order)
      endedIds.push(id)
    })
    for (const id of endedIds) {
      this.ended.remove(id)
      this.endedSteps.delete(id)
    }
    pushInOrder(this.removed, orders, ids, endedOrders, endedIds)
    // The ended queue skips gone entries only while evicting (over maxTasks): without this, every
    // ended task of every forgotten run stayed reachable from it, recorder and all.
    // Same for the lists the next delta would skip them in: let go now, not at that delta.
    this.endedOrder = this.endedOrder.slice(this.endedHead).filter((id) => this.tasks.has(id) || this.ended.has(id))
    this.endedHead = 0
    this.dirty = this.dirty.filter((e): e is TaskEntry => e !== null && !e.gone)
    this.dirty.forEach((e, i) => (e!.dirtyAt = i))
    this.unseenEnded = this.unseenEnded.slice(this.unseenHead).filter((e) => e !== null && !e.gone)
    this.unseenHead = 0
    this.segmentsDue = this.segmentsDue.filter((e) => !e.gone)
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
    const entry = rec.taskId === null ? undefined : (this.tasks.get(rec.taskId) ?? this.revive(rec.taskId))
    if (entry) {
      const logs = (entry.logs ??= [])
      logs.push(line)
      if (logs.length > this.maxLogsPerTask) logs.splice(0, logs.length - this.maxLogsPerTask)
      entry.logCount += 1
      entry.unsent = true
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
    const loop = this.tasks.get(taskId)?.loop ?? this.ended.loopOf(taskId)
    if (!loop || !this.loops.has(loop.info.label)) return null
    return { loop: loop.loop, info: loop.info }
  }

  /** The attached loop labelled `label`, with how it is shown (null: none). */
  loopByLabel(label: LoopLabel): { loop: EventLoop; info: LoopInfo } | null {
    const entry = this.loops.get(label)
    return entry ? { loop: entry.loop, info: entry.info } : null
  }

  /** A loop's clock rate changed (loop controls): deltas carry it from now on (null: virtual). */
  setRate(label: LoopLabel, rate: number | null): void {
    const entry = this.loops.get(label)
    if (entry) entry.info.rate = rate
    this.throttle.mark()
  }

  /** The current snapshot of one task (read fresh), or null if unknown. */
  get(taskId: number): TaskSnapshot | null {
    const entry = this.tasks.get(taskId)
    if (!entry) {
      const snap = this.ended.snapshot(taskId)
      return snap && { ...snap, history: this.ended.history(taskId)! }
    }
    this.read(entry)
    const snap = this.snapOf(entry)
    snap.history = entry.history()
    return snap
  }

  /** Where a task's real time went (null: unknown, or steps are not timed). */
  timingOf(taskId: number): StepTiming | null {
    return (this.tasks.get(taskId)?.steps ?? this.endedSteps.get(taskId))?.timing(this.stepClock()) ?? null
  }

  logsOf(taskId: number): LogLine[] {
    return [...(this.tasks.get(taskId)?.logs ?? this.ended.logsOf(taskId) ?? [])]
  }

  /** Tasks whose parent is this task. */
  childrenOf(taskId: number): number[] {
    const out: [order: number, id: number][] = []
    for (const [id, t] of this.tasks.entries()) if (t.parentId === taskId) out.push([t.order, id])
    this.ended.forEach((id, order, _loop, parentId) => void (parentId === taskId && out.push([order, id])))
    return out.sort((a, b) => a[0] - b[0]).map((c) => c[1])
  }

  /** Not-ended tasks by state over every attached loop (for the stats daemon's samples). */
  countByState(): Partial<Record<TaskState, number>> {
    const counts: Partial<Record<TaskState, number>> = {}
    for (const entry of this.tasks.values()) {
      if (!entry.task) continue
      const state = entry.task.state
      if (!FINAL_SET.has(state)) counts[state] = (counts[state] ?? 0) + 1
    }
    return counts
  }

  /** Everything, fresh: what a newly connected UI starts from. Deltas with a greater seq follow. */
  snapshot(): { seq: number; tasks: TaskSnapshot[]; clocks: LoopClock[] } {
    this.flush()
    const tasks: TaskSnapshot[] = []
    // Segments a budget-limited flush left due are in the full history, so they are not sent again.
    for (const entry of this.segmentsDue) {
      entry.take(entry.id)
      entry.segmentsDue = false
    }
    this.segmentsDue = []
    for (const entry of this.tasks.values()) {
      if (entry.hidden || !entry.read) this.read(entry)
      if (entry.hidden) {
        entry.take(entry.id) // its whole history goes with the snapshot
        this.unhide(entry)
      }
      const snap = this.snapOf(entry)
      snap.history = entry.history()
      tasks.push(snap)
    }
    this.ended.forEach((id) => tasks.push({ ...this.ended.snapshot(id)!, history: this.ended.history(id)! }))
    // In the order the monitor first saw them (the ended tasks' columns keep it).
    const order = (s: TaskSnapshot) => this.tasks.get(s.id)?.order ?? this.ended.orderOf(s.id)
    tasks.sort((a, b) => order(a) - order(b))
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
    const tasks = this.tasks
    const events = loop.loop
    return {
      taskCreated: (t) => {
        const parent = parentOf(t)
        // A task stepping on another loop is not this task's parent.
        this.created(loop, t, parent !== null && this.tasks.get(parent)?.loop === loop ? parent : null)
      },
      // The hot path: twice per task step. Keep it allocation-free.
      taskStateChanged: (t, _from, to) => {
        // A final state is followed at once by taskDone, which records the end.
        if (FINAL_SET.has(to)) return
        const slot = t._instrumentSlot as TaskEntry | undefined
        const entry = slot !== undefined && slot.owner === this ? slot : tasks.get(t.id)
        if (entry === undefined) return
        const now = events.time()
        if (to === 'running' && !entry.started) {
          entry.started = true
          entry.startLoop = now
          entry.startWall = this.wallNow()
          entry.unsent = true
        }
        // A hidden task's stretches are not kept: no delta carries them (a snapshot shows its state).
        if (entry.hidden) return
        entry.enter(to, now)
        if (!entry.dirty) this.markDirty(entry)
      },
      taskDone: (t) => {
        const slot = t._instrumentSlot as TaskEntry | undefined
        const entry = slot !== undefined && slot.owner === this ? slot : tasks.get(t.id)
        if (!entry) return
        const now = loop.loop.time()
        entry.endLoop = now
        entry.endWall = this.wallNow()
        entry.end(now)
        // Read the error now: inside taskDone reading it does not count as retrieving it, so the
        // loop can still report "Task exception was never retrieved" when the program drops it.
        if (t.state === 'failed') entry.error = toErrorSnapshot(safeException(t))
        // A task ended by a step has its idle time fixed by that step; one abandoned has none.
        if (entry.steps !== null && t.state === 'abandoned') entry.steps.finish(this.stepClock())
        // Its last reading, now: the task is let go (see read).
        if (entry.task === t) this.read(entry)
        else releaseSlot(t, entry)
        this.markDirty(entry)
        // Folding: one the UI never saw joins the eviction order when a delta first shows it.
        if (entry.emitted || this.maxUnseenEndedPerDelta === Infinity) this.endedOrder.push(entry.id)
        else this.endedUnseen(entry)
      },
    }
  }

  private created(loop: LoopEntry, task: Task<unknown>, parentId: number | null): void {
    const now = loop.loop.time()
    const entry = new TaskEntry(this, task, loop, task.id, parentId, now, this.wallNow())
    entry.order = this.nextOrder++
    // The first monitor to see a task keeps its entry on it; a second one looks its own up by id.
    if (task._instrumentSlot === undefined) task._instrumentSlot = entry
    // An adopted task (attach after it started) is known from now on.
    if (!FINAL_SET.has(task.state)) entry.enter(task.state, now)
    this.tasks.set(task.id, entry)
    this.markDirty(entry)
  }

  private markDirty(entry: TaskEntry): void {
    // A hidden task is not read until a snapshot carries it (then it is read fresh).
    if (entry.dirty || entry.hidden) return
    entry.dirty = true
    entry.dirtyAt = this.dirty.length
    this.dirty.push(entry)
    this.throttle.mark()
  }

  /**
   * Reads the task's facts (state, name, what it awaits, its cancel and deadline) into its entry,
   * marking it unsent when one changed; after its final state, lets go of the task. A task
   * already let go keeps its last reading (the facts that still arrive, its log count, live on the
   * entry).
   */
  private read(entry: TaskEntry): void {
    const task = entry.task
    entry.read = true
    if (task === null) return
    const state = task.state
    let awaiting = entry.awaiting
    if (state === 'waiting' || state === 'cancelling') {
      const f = task.awaiting()
      // A task's name may change; a future's description does not (sleep, gather, …): made once.
      // A busy task awaits a new sleep(0) at every step: an equal description keeps the object.
      if (f === null || f instanceof Task || f !== entry.awaited) {
        const next = this.describe(f, awaiting)
        if (next === null || awaiting === null || next.text !== awaiting.text || next.kind !== awaiting.kind || next.taskId !== awaiting.taskId) awaiting = next
        entry.awaited = f instanceof Task ? null : f
      }
    } else {
      awaiting = null
      entry.awaited = null
    }
    let cancel = entry.cancel
    const req = task.cancelledBy()
    if (req && (!cancel || cancel.at.loop !== req.at || cancel.source !== req.source)) {
      cancel = toCancelSnapshot(req, (at) => this.stampAt(entry.loop, at))
    }
    let deadline = entry.deadline
    const at = task.deadline()
    if (at !== null) {
      if (deadline?.at.loop !== at) deadline = { at: this.stampAt(entry.loop, at) }
    } else if (cancel?.source !== 'deadline') deadline = null // a deadline that fired stays as the mark
    const final = FINAL_SET.has(state)
    if (final) {
      awaiting = null
      entry.awaited = null
      if (!entry.ended) {
        entry.endLoop = entry.loop.loop.time()
        entry.endWall = this.wallNow()
      }
      if (state === 'failed' && entry.error === null) entry.error = toErrorSnapshot(safeException(task))
    }
    const name = task.name
    // Nothing a snapshot shows changed (a busy task between two deltas: only its segments did):
    // the next delta carries no copy of it.
    if (entry.state !== state || entry.name !== name || entry.awaiting !== awaiting || entry.cancel !== cancel || entry.deadline !== deadline) {
      entry.state = state
      entry.name = name
      entry.awaiting = awaiting
      entry.cancel = cancel
      entry.deadline = deadline
      entry.unsent = true
    }
    if (final) {
      // Let go: a finished task kept until the next delta kept its whole object graph alive (its
      // coroutine, its result, what it awaited) past the scavenges that would have collected it.
      releaseSlot(task, entry)
      entry.task = null
    }
  }

  /**
   * What a future awaited reads as: the one before when it reads the same (a busy task's new
   * sleep(0) at every step), else described; a plain future's description (no task, no list of
   * what it waits on) is shared by every task awaiting one in the same words (100,000 tasks on one
   * Event hold one object, not 100,000).
   */
  private describe(f: Future<unknown> | null, before: AwaitSnapshot | null): AwaitSnapshot | null {
    if (f === null || f instanceof Task || hasWaitsOn(f)) return describeAwait(f)
    const text = f.describe()
    if (before !== null && before.taskId === null && before.waitsOn === undefined && before.text === text) return before
    let shared = this.awaitTexts.get(text)
    if (shared === undefined) {
      shared = describeAwait(f)!
      if (this.awaitTexts.size >= MAX_AWAIT_TEXTS) this.awaitTexts.clear()
      this.awaitTexts.set(text, shared)
    }
    return shared
  }

  /** The task's snapshot as its last reading showed it (a new object: a delta carrying it is its only holder). */
  private snapOf(entry: TaskEntry): TaskSnapshot {
    const a = this.numbers.a
    const at = entry.at
    const info = entry.loop.info
    const startLoop = a[at + N_START_LOOP]!
    const endLoop = a[at + N_END_LOOP]!
    return {
      id: entry.id,
      loop: info.label,
      runId: info.runId,
      name: entry.name,
      coro: entry.coro,
      parentId: entry.parentId,
      state: entry.state,
      createdAt: { loop: a[at + N_CREATED_LOOP]!, wall: a[at + N_CREATED_WALL]! },
      startedAt: startLoop === startLoop ? { loop: startLoop, wall: a[at + N_START_WALL]! } : null,
      endedAt: endLoop === endLoop ? { loop: endLoop, wall: a[at + N_END_WALL]! } : null,
      awaiting: entry.awaiting,
      cancel: entry.cancel,
      deadline: entry.deadline,
      error: entry.error,
      logCount: entry.logCount,
    }
  }

  private flush(): void {
    this.throttle.noteFlushed()
    if (this.dirty.length === 0 && this.pendingLogs.length === 0 && this.removed.length === 0 && this.segmentsDue.length === 0) return
    let delta = this.newDelta(this.removed)
    this.removed = []
    // Evict first: an ended task that would be dropped at once is not read, copied or sent at all
    // (one the UI saw live goes after the loop below, so its end reaches the UI before its removal).
    this.evict(delta, true)
    const dirty = this.dirty
    this.dirty = []
    this.unseenEnded = []
    this.unseenHead = 0
    // Tasks past the budget were folded as they ended (endedUnseen): what is left here fits it.
    const folded = this.foldedSinceFlush
    this.foldedSinceFlush = 0
    let room = this.opts.roomForNew ? Math.max(0, this.opts.roomForNew()) : Infinity
    let newRoom = this.maxNewPerFlush
    /** New tasks past maxNewPerFlush: dirty still, for the next flush, in their order. */
    const waiting: (TaskEntry | null)[] = []
    const perDelta = this.maxTasksPerDelta
    let snaps = 0
    let items = 0
    for (const entry of dirty) {
      if (entry === null) continue
      entry.dirty = false
      if (entry.gone || entry.hidden) continue
      if (!entry.emitted) {
        if (room <= 0) {
          this.hide(entry)
          continue
        }
        if (newRoom <= 0) {
          entry.dirty = true
          waiting.push(entry)
          continue
        }
        room--
        newRoom--
      }
      if (snaps === perDelta) {
        // Full: this one goes now, and the next takes the rest (see maxTasksPerDelta).
        items += snaps
        this.opts.emit(delta)
        delta = this.newDelta([])
        snaps = 0
      }
      this.read(entry)
      const final = FINAL_SET.has(entry.state)
      if (!entry.emitted) {
        entry.emitted = true
        delta.created.push(this.snapOf(entry))
        snaps++
        if (final) {
          entry.endedEmitted = true
          if (this.maxUnseenEndedPerDelta !== Infinity) this.endedOrder.push(entry.id)
        }
      } else if (final && !entry.endedEmitted) {
        entry.endedEmitted = true
        delta.ended.push(this.snapOf(entry))
        snaps++
      } else if (entry.unsent) {
        delta.changed.push(this.snapOf(entry))
        snaps++
      }
      entry.unsent = false
      if (!entry.segmentsDue) {
        entry.segmentsDue = true
        this.segmentsDue.push(entry)
      }
    }
    // The last delta of the flush carries the segments, slow steps, lines and folded count: every
    // task they name went in it or an earlier one.
    const segments = this.takeSegments()
    if (segments.length > 0) delta.segments = segments
    const slow = this.slowSteps?.takeFresh()
    if (slow !== undefined && slow.length > 0) delta.slowSteps = slow
    if (this.pendingLogs.length > this.maxLogsPerDelta) {
      delta.logs = this.pendingLogs.splice(0, this.maxLogsPerDelta)
      this.throttle.mark()
    } else {
      delta.logs = this.pendingLogs
      this.pendingLogs = []
    }
    this.evict(delta, false)
    // Big batches (thousands of busy tasks) come less often, up to 4 a second, so the renderer
    // gets time to draw between them; small ones keep the full 60 a second.
    items += snaps + delta.logs.length
    this.throttle.setInterval(Math.min(250, this.minIntervalMs * Math.max(1, items / 1000)))
    if (waiting.length > 0) {
      // First in the next flush, as they were in this one (dirtyAt: endedUnseen unlists by it).
      this.dirty = waiting.concat(this.dirty)
      this.dirty.forEach((e, i) => e !== null && (e.dirtyAt = i))
      this.throttle.mark()
    }
    if (folded > 0) {
      this.folded += folded
      this.opts.onFolded?.(folded)
    }
    this.opts.emit(delta)
  }

  private newDelta(removed: number[]): TaskDelta {
    return { seq: ++this.seq, created: [], changed: [], ended: [], removed, logs: [], clocks: this.clocks() }
  }

  /**
   * Past the room for new tasks: held as it is (commands and task:get still find it) but never read
   * nor sent. It counts as shown for folding and eviction, so it is never reported as dropped: it
   * is what the agent's ShownTasks hid before the monitor read it.
   */
  private hide(entry: TaskEntry): void {
    entry.hidden = true
    entry.emitted = true
    this.hidden++
    if (entry.ended) this.endedOrder.push(entry.id)
  }

  /** A snapshot carried a hidden task: from now on it goes as any task the UI was shown. */
  private unhide(entry: TaskEntry): void {
    entry.hidden = false
    entry.unsent = false
    entry.endedEmitted = FINAL_SET.has(entry.state)
  }

  /** A task ended before any delta showed it: past this delta's budget, the oldest such is folded now. */
  private endedUnseen(entry: TaskEntry): void {
    const queue = this.unseenEnded
    queue.push(entry)
    if (queue.length - this.unseenHead <= this.maxUnseenEndedPerDelta) return
    const oldest = queue[this.unseenHead]!
    queue[this.unseenHead++] = null
    if (this.unseenHead > 1024 && this.unseenHead * 2 > queue.length) {
      this.unseenEnded = queue.slice(this.unseenHead)
      this.unseenHead = 0
    }
    if (oldest.gone || oldest.emitted) return
    this.drop(oldest)
    if (oldest.dirty && this.dirty[oldest.dirtyAt] === oldest) this.dirty[oldest.dirtyAt] = null
    oldest.dirty = false
    this.foldedSinceFlush++
  }

  /**
   * An ended task every delta has carried in full, and whose segments they all carried, goes into
   * the columns; its entry is let go (lists that still hold it skip it as gone).
   */
  private settle(entry: TaskEntry): void {
    if (entry.task !== null || !FINAL_SET.has(entry.state) || !entry.endedEmitted || entry.dirty || entry.gone) return
    if (!entry.read || entry.unsent) return
    if (!this.ended.add(entry, entry.loop, entry.order, entry, entry.logs)) return
    this.tasks.delete(entry.id)
    if (entry.steps !== null) {
      this.endedSteps.keep(entry.id, entry.steps)
    }
    entry.leave()
  }

  /** Back from the columns as an entry (a line it printed after it ended must reach the UI). */
  private revive(taskId: number): TaskEntry | undefined {
    const snap = this.ended.snapshot(taskId)
    if (snap === null) return undefined
    const loop = this.ended.loopOf(taskId)!
    const entry = new TaskEntry(this, null, loop, taskId, snap.parentId, snap.createdAt.loop, snap.createdAt.wall)
    const back = this.ended.takeOut(taskId, entry)!
    entry.steps = this.endedSteps.delete(taskId)
    entry.coro = snap.coro ?? ''
    entry.order = back.order
    entry.read = true
    entry.started = snap.startedAt !== null
    entry.startLoop = snap.startedAt?.loop ?? NaN
    entry.startWall = snap.startedAt?.wall ?? 0
    entry.endLoop = snap.endedAt?.loop ?? NaN
    entry.endWall = snap.endedAt?.wall ?? 0
    entry.error = snap.error
    entry.logCount = snap.logCount
    entry.logs = back.logs
    entry.emitted = entry.endedEmitted = true
    entry.state = snap.state
    entry.name = snap.name
    entry.cancel = snap.cancel
    entry.deadline = snap.deadline
    this.tasks.set(taskId, entry)
    return entry
  }

  /** Takes a task out of the view (folded or evicted); lists that still hold it skip it as gone. */
  private drop(entry: TaskEntry): void {
    if (this.tasks.get(entry.id) === entry) this.tasks.delete(entry.id)
    if (entry.task) releaseSlot(entry.task, entry)
    entry.leave()
  }

  /** The due tasks' new segments, up to the per-delta budget; the rest stay due for the next delta. */
  private takeSegments(): SegmentAppend[] {
    const out: SegmentAppend[] = []
    let budget = this.maxSegmentsPerDelta
    let tailBudget = this.maxTailSegmentsPerDelta
    const due = this.segmentsDue
    let i = 0
    for (; i < due.length; i++) {
      const entry = due[i]!
      if (entry.gone) continue
      const tail = entry.pendingTail
      if (budget <= 0 || (tail > 0 && tailBudget <= 0)) {
        this.throttle.mark()
        break
      }
      tailBudget -= tail
      budget -= entry.takeInto(entry.id, out)
      entry.segmentsDue = false
      this.settle(entry)
    }
    this.segmentsDue = i === due.length ? [] : due.slice(i)
    return out
  }

  /**
   * Keeps the view bounded: drops the oldest ended tasks beyond maxTasks (never live ones). Those
   * the UI was shown travel in `removed`; one that ended before any delta showed it is not sent.
   * `beforeRead`: stops at the first task the UI saw live whose end it was not sent yet.
   */
  private evict(delta: TaskDelta, beforeRead: boolean): void {
    let excess = this.tasks.size + this.ended.size - this.maxTasks
    const order = this.endedOrder
    while (excess > 0 && this.endedHead < order.length) {
      const id = order[this.endedHead]!
      const entry = this.tasks.get(id)
      if (entry === undefined) {
        // Held as columns (every delta carried it, so the UI saw it), or gone already.
        this.endedHead++
        if (!this.ended.remove(id)) continue
        this.endedSteps.delete(id)
        delta.removed.push(id)
        excess -= 1
        continue
      }
      if (beforeRead && entry.emitted && !entry.endedEmitted && !entry.gone && !entry.hidden) break
      this.endedHead++
      if (entry.gone) continue
      this.drop(entry)
      if (entry.emitted && !entry.hidden) delta.removed.push(entry.id)
      excess -= 1
    }
    // Compact now and then, so the queue holds about what the view holds.
    if (this.endedHead > 1024 && this.endedHead * 2 > order.length) {
      this.endedOrder = order.slice(this.endedHead)
      this.endedHead = 0
    }
  }


  /** A loop instant in the past or future, with its wall time estimated from the clock's rate. */
  private stampAt(loop: LoopEntry, at: number): Stamp {
    const now = loop.loop.time()
    const wall = this.wallNow()
    const rate = loop.info.rate
    return { loop: at, wall: rate ? Math.round(wall + (at - now) / rate) : wall }
  }
}

/** Pushes the ids of two lists onto `out` by their orders, ascending (a merge when both are sorted). */
function pushInOrder(out: number[], aOrders: number[], aIds: number[], bOrders: number[], bIds: number[]): void {
  if (!ascending(aOrders) || !ascending(bOrders)) {
    const all: [order: number, id: number][] = aOrders.map((o, i) => [o, aIds[i]!])
    for (let i = 0; i < bOrders.length; i++) all.push([bOrders[i]!, bIds[i]!])
    for (const [, id] of all.sort((x, y) => x[0] - y[0])) out.push(id)
    return
  }
  let i = 0
  let j = 0
  while (i < aOrders.length || j < bOrders.length) {
    if (j >= bOrders.length || (i < aOrders.length && aOrders[i]! < bOrders[j]!)) out.push(aIds[i++]!)
    else out.push(bIds[j++]!)
  }
}

function ascending(xs: number[]): boolean {
  for (let i = 1; i < xs.length; i++) if (xs[i]! < xs[i - 1]!) return false
  return true
}

/** A task let go of no longer holds the entry (nor keeps it reachable from a program's reference). */
function releaseSlot(task: Task<unknown>, entry: TaskEntry): void {
  if (task._instrumentSlot === entry) task._instrumentSlot = undefined
}

/** A gather's or task group's future lists what it waits on (describeAwait adds waitsOn). */
function hasWaitsOn(f: Future<unknown>): boolean {
  return typeof (f as { waitsOn?: unknown }).waitsOn === 'function'
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
