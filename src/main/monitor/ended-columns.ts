import { CANCEL_SOURCES } from '../../shared/snapshots'
import type { CancelCauseSnapshot, CancelSnapshot, CancelSource, ErrorSnapshot, LogLine, LoopLabel, RunId, Stamp, StateHistory, TaskSnapshot } from '../../shared/snapshots'
import { stateCode, stateOfCode, unpackedHistory } from './state-recorder'
import type { StateRecorder } from './state-recorder'
import { IdRows } from './id-table'

/** What a loop reference in the columns must give: the label and run its tasks show. */
export interface ColumnLoop {
  info: { label: LoopLabel; runId: RunId | null }
}

/** The rare facts of an ended task, kept per task beside the columns (most tasks have none). */
interface Rare {
  name?: string
  reason?: string
  by?: { id: number; name: string }
  /** where a cancellation that came from elsewhere began (CancelSnapshot.cause) */
  cause?: CancelCauseSnapshot
  error?: ErrorSnapshot
  logs?: LogLine[]
}

/**
 * What the columns keep of an ended task: the facts its last snapshot showed, as the monitor's
 * entry holds them (no snapshot object is made to store one). Times: loop NaN for none.
 */
export interface EndedFacts {
  readonly id: number
  readonly parentId: number | null
  readonly name: string
  readonly coro: string
  readonly state: TaskSnapshot['state']
  readonly createdLoop: number
  readonly createdWall: number
  readonly startLoop: number
  readonly startWall: number
  readonly endLoop: number
  readonly endWall: number
  readonly awaiting: TaskSnapshot['awaiting']
  readonly cancel: CancelSnapshot | null
  readonly deadline: { at: Stamp } | null
  readonly error: ErrorSnapshot | null
  readonly logCount: number
}
/**
 * Kept segments (head and tail) an ended task may have to be held here: most tasks close a few; a
 * busy one keeps up to 200, which as columns would make the arena the size of every busy task's
 * whole tail, copied at each growth. Those stay objects (their segments are numbers already).
 */
const MAX_SEGMENTS = 16
/** Distinct coroutine names the columns intern; past it an ended task stays an object. */
const MAX_COROS = 10_000

// Float64 columns, per row: the numbers a snapshot shows (NaN: null).
const F_ID = 0
const F_PARENT = 1
const F_ORDER = 2
const F_CREATED_LOOP = 3
const F_CREATED_WALL = 4
const F_START_LOOP = 5
const F_START_WALL = 6
const F_END_LOOP = 7
const F_END_WALL = 8
const F_CANCEL_LOOP = 9
const F_CANCEL_WALL = 10
const F_DEADLINE_LOOP = 11
const F_DEADLINE_WALL = 12
const F_LOG_COUNT = 13
const F_SKIPPED = 14
const F = 15
// Int32 columns, per row: references into the tables and the segment arena.
const I_LOOP = 0
const I_CORO = 1
const I_STATE = 2
/** CANCEL_SOURCES index, -1: no cancel */
const I_CANCEL = 3
const I_SEG_AT = 4
const I_HEAD = 5
const I_TAIL = 6
/** bit 0: a rare entry (name, reason, by, error, logs) */
const I_FLAGS = 7
const I = 8

const CANCEL_CODE = new Map<CancelSource, number>(CANCEL_SOURCES.map((s, i) => [s, i]))

/**
 * The monitor's ended tasks as columns: the few facts their last snapshot showed, as numbers in
 * typed arrays and references into small tables (loops, coroutine names), their state history as
 * (state, from, to) triples in one arena. The window keeps up to 50,000 ended tasks; held as objects
 * (an entry, its snapshot, stamps, boxed numbers, segments) every one of them was traced and
 * promoted by the garbage collector while the program ran, and that was most of what watching a
 * 100,000-task workload cost. Typed arrays hold no pointers, so the collector skips their contents;
 * a snapshot object is made again only when something reads the task (task:get, a full snapshot).
 * Names other than the runtime's default `Task-<id>`, cancel reasons, errors and printed lines are
 * rare and kept per task beside the columns.
 */
export class EndedColumns<L extends ColumnLoop> {
  /** Each held task's row, by id (paged by id: no hashing per task, see IdRows). */
  private rowOf = new IdRows()
  private free: number[] = []
  private rows = 0
  private capacity = 0
  private num = new Float64Array(0)
  private int = new Int32Array(0)
  private readonly rare = new Map<number, Rare>()
  /** Segment triples of every row (state code, from, to), `segUsed` of them written so far. */
  private segs = new Float64Array(0)
  private segUsed = 0
  private segLive = 0
  private readonly loops: (L | null)[] = []
  private readonly loopIndex = new Map<L, number>()
  private readonly loopRows: number[] = []
  private readonly freeLoops: number[] = []
  private readonly coros: string[] = []
  private readonly coroIndex = new Map<string, number>()

  get size(): number {
    return this.rowOf.size
  }

  has(id: number): boolean {
    return this.rowOf.has(id)
  }

  /**
   * Stores an ended task whose snapshot (the facts `snap`) every delta has already carried in full,
   * with its history from `recorder` (ended, fully taken). Returns false, storing nothing, for a
   * task the columns cannot hold exactly (too many coroutine names, a long history): it then stays
   * an object, as before.
   */
  add(snap: EndedFacts, loop: L, order: number, recorder: StateRecorder, logs: LogLine[] | null): boolean {
    if (snap.awaiting !== null || !recorder.settled) return false
    const kept = recorder.kept
    if (kept.head + kept.tail > MAX_SEGMENTS) return false
    const coro = snap.coro
    let coroRef = this.coroIndex.get(coro)
    if (coroRef === undefined) {
      if (this.coros.length >= MAX_COROS) return false
      coroRef = this.coros.length
      this.coros.push(coro)
      this.coroIndex.set(coro, coroRef)
    }
    const row = this.free.length > 0 ? this.free.pop()! : this.rows++
    if (row >= this.capacity) this.grow()
    const f = F * row
    const n = this.num
    n[f + F_ID] = snap.id
    n[f + F_PARENT] = snap.parentId ?? NaN
    n[f + F_ORDER] = order
    n[f + F_CREATED_LOOP] = snap.createdLoop
    n[f + F_CREATED_WALL] = snap.createdWall
    n[f + F_START_LOOP] = snap.startLoop
    n[f + F_START_WALL] = snap.startLoop === snap.startLoop ? snap.startWall : 0
    n[f + F_END_LOOP] = snap.endLoop
    n[f + F_END_WALL] = snap.endLoop === snap.endLoop ? snap.endWall : 0
    writeStamp(n, f + F_CANCEL_LOOP, snap.cancel?.at ?? null)
    writeStamp(n, f + F_DEADLINE_LOOP, snap.deadline?.at ?? null)
    n[f + F_LOG_COUNT] = snap.logCount
    const i = I * row
    const t = this.int
    t[i + I_LOOP] = this.refLoop(loop)
    t[i + I_CORO] = coroRef
    t[i + I_STATE] = stateCode(snap.state)
    t[i + I_CANCEL] = snap.cancel === null ? -1 : CANCEL_CODE.get(snap.cancel.source)!
    const count = kept.head + kept.tail
    if (3 * (this.segUsed + count) > this.segs.length) this.growSegments(count)
    t[i + I_SEG_AT] = this.segUsed
    t[i + I_HEAD] = kept.head
    t[i + I_TAIL] = kept.tail
    n[f + F_SKIPPED] = kept.skipped
    recorder.packInto(this.segs, 3 * this.segUsed)
    this.segUsed += count
    this.segLive += count
    // The runtime names a task `Task-<id>` unless it was given another: only other names are kept
    // (compared without making the default name: most tasks have it, and the string is garbage).
    const named = !isDefaultName(snap.name, snap.id)
    const cancel = snap.cancel
    const hasRare = named || snap.error !== null || logs !== null || (cancel !== null && (cancel.reason !== null || cancel.by !== undefined || cancel.cause !== undefined))
    t[i + I_FLAGS] = hasRare ? 1 : 0
    if (hasRare) {
      const rare: Rare = {}
      if (named) rare.name = snap.name
      if (cancel !== null && cancel.reason !== null) rare.reason = cancel.reason
      if (cancel?.by !== undefined) rare.by = cancel.by
      if (cancel?.cause !== undefined) rare.cause = cancel.cause
      if (snap.error !== null) rare.error = snap.error
      if (logs !== null) rare.logs = logs
      this.rare.set(snap.id, rare)
    }
    this.rowOf.set(snap.id, row)
    return true
  }

  /** The task's snapshot, made again from the columns (equal to the last one a delta carried). */
  snapshot(id: number): TaskSnapshot | null {
    const row = this.rowOf.get(id)
    return row < 0 ? null : this.snapshotAt(row)
  }

  /** Its kept state history (ended: no open segment). */
  history(id: number): StateHistory | null {
    const row = this.rowOf.get(id)
    if (row < 0) return null
    const i = I * row
    const t = this.int
    return unpackedHistory(this.segs, 3 * t[i + I_SEG_AT]!, t[i + I_HEAD]!, this.num[F * row + F_SKIPPED]!, t[i + I_TAIL]!)
  }

  /** Its printed lines (the newest the monitor kept). */
  logsOf(id: number): LogLine[] | null {
    return this.rare.get(id)?.logs ?? null
  }

  loopOf(id: number): L | null {
    const row = this.rowOf.get(id)
    return row < 0 ? null : this.loops[this.int[I * row + I_LOOP]!]!
  }

  /** Visits every task held: its id, creation order, loop and parent (null: none). */
  forEach(fn: (id: number, order: number, loop: L, parentId: number | null) => void): void {
    const n = this.num
    for (const row of this.rowOf.rows()) {
      const f = F * row
      const parent = n[f + F_PARENT]!
      fn(n[f + F_ID]!, n[f + F_ORDER]!, this.loops[this.int[I * row + I_LOOP]!]!, parent === parent ? parent : null)
    }
  }

  /** Its creation order (what the monitor sorts a full snapshot by), or NaN. */
  orderOf(id: number): number {
    const row = this.rowOf.get(id)
    return row < 0 ? NaN : this.num[F * row + F_ORDER]!
  }

  /**
   * Gives the task back as the monitor held it before (a log line for an ended task, which the
   * next delta must carry): its history into `recorder`, and removes it. Null if not held.
   */
  takeOut(id: number, recorder: StateRecorder): { snap: TaskSnapshot; loop: L; order: number; logs: LogLine[] | null } | null {
    const row = this.rowOf.get(id)
    if (row < 0) return null
    const snap = this.snapshotAt(row)
    const i = I * row
    const t = this.int
    recorder.unpack(this.segs, 3 * t[i + I_SEG_AT]!, t[i + I_HEAD]!, this.num[F * row + F_SKIPPED]!, t[i + I_TAIL]!)
    const out = { snap, loop: this.loops[t[i + I_LOOP]!]!, order: this.num[F * row + F_ORDER]!, logs: this.rare.get(id)?.logs ?? null }
    this.remove(id)
    return out
  }

  /** Drops a task (evicted or forgotten). Returns false if it was not held. */
  remove(id: number): boolean {
    const row = this.rowOf.get(id)
    if (row < 0) return false
    this.rowOf.delete(id)
    this.rare.delete(id)
    const i = I * row
    const t = this.int
    this.segLive -= t[i + I_HEAD]! + t[i + I_TAIL]!
    this.unrefLoop(t[i + I_LOOP]!)
    this.free.push(row)
    if (this.rowOf.size === 0) {
      // Empty: start over (the arrays keep their size for the next run's tasks).
      this.free = []
      this.rows = 0
      this.segUsed = 0
      this.segLive = 0
    }
    return true
  }

  private snapshotAt(row: number): TaskSnapshot {
    const n = this.num
    const t = this.int
    const f = F * row
    const i = I * row
    const id = n[f + F_ID]!
    const loop = this.loops[t[i + I_LOOP]!]!
    const rare = t[i + I_FLAGS]! & 1 ? this.rare.get(id) : undefined
    const parent = n[f + F_PARENT]!
    let cancel: CancelSnapshot | null = null
    const source = t[i + I_CANCEL]!
    if (source >= 0) {
      cancel = { source: CANCEL_SOURCES[source]!, reason: rare?.reason ?? null, at: readStamp(n, f + F_CANCEL_LOOP)! }
      if (rare?.by !== undefined) cancel.by = rare.by
      if (rare?.cause !== undefined) cancel.cause = rare.cause
    }
    const deadlineAt = readStamp(n, f + F_DEADLINE_LOOP)
    // The same keys in the same order as the monitor's own snapshot.
    return {
      id,
      loop: loop.info.label,
      runId: loop.info.runId,
      name: rare?.name ?? `Task-${id}`,
      coro: this.coros[t[i + I_CORO]!]!,
      parentId: parent === parent ? parent : null,
      state: stateOfCode(t[i + I_STATE]!),
      createdAt: { loop: n[f + F_CREATED_LOOP]!, wall: n[f + F_CREATED_WALL]! },
      startedAt: readStamp(n, f + F_START_LOOP),
      endedAt: readStamp(n, f + F_END_LOOP),
      awaiting: null,
      cancel,
      deadline: deadlineAt === null ? null : { at: deadlineAt },
      error: rare?.error ?? null,
      logCount: n[f + F_LOG_COUNT]!,
    }
  }

  private refLoop(loop: L): number {
    let k = this.loopIndex.get(loop)
    if (k === undefined) {
      k = this.freeLoops.length > 0 ? this.freeLoops.pop()! : this.loops.length
      this.loops[k] = loop
      this.loopRows[k] = 0
      this.loopIndex.set(loop, k)
    }
    this.loopRows[k]!++
    return k
  }

  /** A loop no held task refers to is let go (a forgotten run's entry is not kept by its slot). */
  private unrefLoop(k: number): void {
    if (--this.loopRows[k]! > 0) return
    this.loopIndex.delete(this.loops[k]!)
    this.loops[k] = null
    this.freeLoops.push(k)
  }

  private grow(): void {
    const capacity = Math.max(1024, 2 * this.capacity)
    const num = new Float64Array(F * capacity)
    num.set(this.num)
    const int = new Int32Array(I * capacity)
    int.set(this.int)
    this.num = num
    this.int = int
    this.capacity = capacity
  }

  /**
   * Room for `count` more segments: the arena is compacted when most of it belongs to tasks
   * dropped since (eviction takes the oldest first, so it frees the front), else doubled.
   */
  private growSegments(count: number): void {
    const need = this.segLive + count
    const size = Math.max(3 * 4096, this.segs.length)
    const segs = new Float64Array(need * 3 * 2 > size ? Math.max(2 * size, 3 * 2 * need) : size)
    let at = 0
    const t = this.int
    const old = this.segs
    for (const row of this.rowOf.rows()) {
      const i = I * row
      const from = 3 * t[i + I_SEG_AT]!
      const len = 3 * (t[i + I_HEAD]! + t[i + I_TAIL]!)
      segs.set(old.subarray(from, from + len), at)
      t[i + I_SEG_AT] = at / 3
      at += len
    }
    this.segs = segs
    this.segUsed = at / 3
  }
}

/** `name` is `Task-<id>` (the runtime's default name). */
function isDefaultName(name: string, id: number): boolean {
  if (!name.startsWith('Task-')) return false
  const digits = name.length - 5
  let n = id
  for (let k = name.length - 1; k >= 5; k--) {
    const c = name.charCodeAt(k) - 48
    if (c < 0 || c > 9 || n % 10 !== c) return false
    n = (n - c) / 10
  }
  return n === 0 && digits > 0 && (digits === 1 || name.charCodeAt(5) !== 48)
}

function writeStamp(n: Float64Array, at: number, stamp: Stamp | null): void {
  n[at] = stamp === null ? NaN : stamp.loop
  n[at + 1] = stamp === null ? 0 : stamp.wall
}

function readStamp(n: Float64Array, at: number): Stamp | null {
  const loop = n[at]!
  return loop === loop ? { loop, wall: n[at + 1]! } : null
}
