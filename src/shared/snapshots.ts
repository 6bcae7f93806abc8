// Plain JSON shapes that cross from main to the renderer (IPC or WebSocket). No Node, DOM or
// Electron imports: both tsconfigs compile this file.

import { MAX_CANCEL_HOPS as RUNTIME_MAX_CANCEL_HOPS, CANCEL_SOURCES as RUNTIME_CANCEL_SOURCES, FINAL_STATES as RUNTIME_FINAL_STATES, TASK_STATES as RUNTIME_TASK_STATES } from '../main/runtime/states'
import type { CancelSource, FinalState, TaskState } from '../main/runtime/states'

// The runtime writes these unions once (src/main/runtime/states.ts, no imports, host-free); main
// and renderer share them from here. The lists are widened so `.includes(someState)` type-checks.
export type { TaskState, CancelSource, FinalState }
export const TASK_STATES: readonly TaskState[] = RUNTIME_TASK_STATES
/** States after which a task never changes again. */
export const FINAL_STATES: readonly TaskState[] = RUNTIME_FINAL_STATES
/** Every cancel source, as the runtime lists them (valibot picklists take this exact tuple). */
export const CANCEL_SOURCES = RUNTIME_CANCEL_SOURCES

/**
 * One instant, read on two clocks: `loop` is ms on the task's loop clock (virtual for a virtual
 * run, so durations read as the program meant them), `wall` is Date.now() when it happened.
 */
export interface Stamp {
  loop: number
  wall: number
}

/** The label of the loop a task lives on: `run-<runId>` for a scenario run, or 'daemons'. */
export type LoopLabel = string
export const DAEMONS_LOOP: LoopLabel = 'daemons'
export function runLoopLabel(runId: RunId): LoopLabel {
  return `run-${runId}`
}

/**
 * The label of a connected process's loop: `agent-1/main`. The source is read back from the label
 * (sourceOfLoop), so a task's snapshot stays the monitor's shape and the agent protocol's.
 */
export function sourceLoopLabel(sourceId: SourceId, loop: string): LoopLabel {
  return `${sourceId}/${loop}`
}

/** The source a loop label belongs to (`agent-1`), or null for this app's own loops. */
export function sourceOfLoop(loop: LoopLabel): SourceId | null {
  const m = /^(agent-\d+)\//.exec(loop)
  return m ? (m[1] as string) : null
}

/** A run's id: the history database's row id (a positive integer). */
export type RunId = number

export interface ErrorSnapshot {
  name: string
  message: string
  stack: string | null
}

export interface CancelSnapshot {
  source: CancelSource
  reason: string | null
  at: Stamp
  /** source `program`: the task whose code asked */
  by?: { id: number; name: string }
  /**
   * A cancellation that came from elsewhere (passed down an await, across a gather or a task group,
   * or a CancelledError received from what the task awaited): where it began and the way it came.
   * For `main` cancelled by a gather child's deadline: origin Task-7 deadline, path [gather].
   */
  cause?: CancelCauseSnapshot
}

/** One link of a cancel chain between a task and the origin: a task, or a gather / task group. */
export interface CancelHopSnapshot {
  kind: 'task' | 'gather' | 'taskGroup'
  /** a task's id (absent for a gather or task group) */
  id?: number
  name: string
}

/** Links a cause carries at most (the nearest ones; `more` counts the rest), as the runtime keeps them. */
export const MAX_CANCEL_HOPS = RUNTIME_MAX_CANCEL_HOPS

/** Where a chain of cancellations began, and the links from the task to it (nearest first). */
export interface CancelCauseSnapshot {
  origin: {
    id: number
    name: string
    source: CancelSource
    reason: string | null
    at: Stamp
    by?: { id: number; name: string }
    /** the origin failed (a task group's child): its error in one line */
    failed?: string
  }
  path: CancelHopSnapshot[]
  /** links of a longer chain left out between the last of `path` and the origin */
  more?: number
}

/** What a task awaits now, as a person reads it. */
export interface AwaitSnapshot {
  /** 'task' (another task), 'sleep', 'future' (gather, queue get, event wait, lock, …). */
  kind: 'task' | 'sleep' | 'future'
  /** e.g. 'task #12 worker-2', 'sleep 1.0 s', 'gather (3)', 'future'. */
  text: string
  /** Set when it awaits another task: follow it for the await chain. */
  taskId: number | null
  /**
   * The tasks it waits on through a gather or a task group (at most MAX_WAITS_ON), so each of them
   * shows this task as its awaiter.
   */
  waitsOn?: number[]
}

/** Task ids one await snapshot lists in `waitsOn` at most (a gather of 100,000 lists its first 1,000). */
export const MAX_WAITS_ON = 1_000

export interface TaskSnapshot {
  id: number
  loop: LoopLabel
  /** The run this task belongs to; null for daemon tasks. */
  runId: RunId | null
  name: string
  /** The coroutine function the task runs (`fn.name` of what createTask got; '' or absent: anonymous or unknown). */
  coro?: string
  /** The task whose step created this one, if any. */
  parentId: number | null
  state: TaskState
  createdAt: Stamp
  startedAt: Stamp | null
  endedAt: Stamp | null
  awaiting: AwaitSnapshot | null
  cancel: CancelSnapshot | null
  /** A deadline set from the UI (task:setDeadline), on the loop clock. */
  deadline: { at: Stamp } | null
  error: ErrorSnapshot | null
  /** How many log lines this task printed (the lines travel in deltas and task:get). */
  logCount: number
  /**
   * Its state history, in full snapshots (AppSnapshot, task:get) only; deltas carry the new
   * segments in TaskDelta.segments instead, so a busy task costs its changes, not its past.
   */
  history?: StateHistory
  /**
   * A connected process's task only: its id in that process (what its own logs and reports say).
   * `id` is then the app-wide one the app gave it (from 1,000,000,000), which keys it everywhere.
   * Never on the agent protocol's wire: the app sets it when it translates a task.
   */
  localId?: number
}

/** One stretch of a task's life in one state, in ms on its loop clock (`from` ≤ `to`). */
export interface StateSegment {
  state: TaskState
  from: number
  to: number
}

/** The segment a live task is in now: its state and since when (loop ms); it has no end yet. */
export interface OpenSegment {
  state: TaskState
  from: number
}

/**
 * How many closed segments a task's history keeps: the first `head` and the last `tail`. What falls
 * between is counted, not kept (the gap), so a task that changed state a million times costs the
 * same as one that changed 200 times.
 */
export const SEGMENT_CAPS = { head: 50, tail: 150 } as const

/**
 * A task's state history on its loop clock, from its first step on: running, waiting and
 * cancelling stretches, adjacent equal states coalesced, capped by SEGMENT_CAPS.
 */
export interface StateHistory {
  head: StateSegment[]
  /** Segments dropped between head and tail (0: none); they span head's last `to` to tail's first `from`. */
  skipped: number
  tail: StateSegment[]
  /** Where the task is now; null before its first step and after it ended. */
  open: OpenSegment | null
}

/**
 * Closed segments of one task new since the previous delta, numbered from `first` in the task's whole
 * history. A receiver holding fewer than `first` segments missed the difference (the cap dropped
 * them): it counts them as skipped. One task may appear twice in a delta (the rest of the head, then
 * the tail).
 */
export interface SegmentAppend {
  taskId: number
  first: number
  segments: StateSegment[]
  open: OpenSegment | null
}

/** An empty history (a task before its first step). */
export function emptyHistory(): StateHistory {
  return { head: [], skipped: 0, tail: [], open: null }
}

/** How many closed segments the history has seen (kept or skipped). */
export function historyLength(h: StateHistory): number {
  return h.head.length + h.skipped + h.tail.length
}

/** Adds the next closed segment, keeping the first `caps.head` and the last `caps.tail`. */
export function pushSegment(h: StateHistory, seg: StateSegment, caps: { head: number; tail: number } = SEGMENT_CAPS): void {
  if (h.skipped === 0 && h.tail.length === 0 && h.head.length < caps.head) {
    h.head.push(seg)
    return
  }
  h.tail.push(seg)
  if (h.tail.length > caps.tail) {
    h.tail.shift()
    h.skipped += 1
  }
}

/**
 * Applies one SegmentAppend to a receiver's copy of a task's history: segments it already has are
 * ignored, missing ones count as skipped, and the same caps keep it bounded. Mutates `h`.
 *
 * @example
 * const h = emptyHistory()
 * mergeSegments(h, { taskId: 7, first: 0, segments: [{ state: 'waiting', from: 0, to: 1000 }], open: null })
 */
export function mergeSegments(h: StateHistory, a: SegmentAppend, caps: { head: number; tail: number } = SEGMENT_CAPS): void {
  a.segments.forEach((seg, k) => {
    const index = a.first + k
    const have = historyLength(h)
    if (index < have) return
    if (index > have) h.skipped += index - have
    pushSegment(h, seg, caps)
  })
  h.open = a.open
}

export interface LogLine {
  /** Per-process sequence: the order lines were printed in, across every loop. */
  seq: number
  loop: LoopLabel
  runId: RunId | null
  taskId: number | null
  taskName: string | null
  /** ms on the loop clock since its run began (the oracle's `t`). */
  t: number
  wall: number
  /**
   * ms on the loop's own clock when it was printed: the clock task times (started, ended, the
   * timeline) use. `t` counts from the run's or the daemon's start instead.
   */
  at?: number
  stream: 'stdout' | 'stderr'
  line: string
}

/** A loop's clock at the moment a delta was cut: lets the UI tick durations and countdowns. */
export interface LoopClock {
  loop: LoopLabel
  now: number
  wall: number
  /** Loop ms per wall ms (1 real, 10/60 scaled); null for a virtual clock (jumps). */
  rate: number | null
}

/**
 * One batch of task changes (at most 60 per second). Each task appears at most once, with its
 * latest snapshot: in `created` if new since the last delta, else in `ended` if it reached a final
 * state since then, else in `changed`. Apply all three as upserts keyed by id.
 */
export interface TaskDelta {
  seq: number
  created: TaskSnapshot[]
  changed: TaskSnapshot[]
  ended: TaskSnapshot[]
  /** Tasks dropped from the live view (old runs' tasks beyond the retention limit). */
  removed: number[]
  logs: LogLine[]
  clocks: LoopClock[]
  /** State segments closed since the previous delta (and where each task is now), in order. */
  segments?: SegmentAppend[]
  /** Steps over the slow-step threshold recorded since the previous delta (issue 11 §1). */
  slowSteps?: SlowStep[]
}

export type ClockChoice = 'virtual' | { speed: number }

export type RunStatus = 'running' | 'stopping' | 'done' | 'failed' | 'cancelled'

export interface RunSummary {
  runId: RunId
  scenarioId: string
  title: string
  params: Record<string, unknown>
  clock: ClockChoice
  status: RunStatus
  startedWall: number
  endedWall: number | null
  error: ErrorSnapshot | null
  /** Where the run writes its files (users-csv's CSV). */
  outDir: string | null
}

/** One field of a scenario's parameter form, read off its valibot schema. */
export interface ParamField {
  key: string
  kind: 'number' | 'integer' | 'string' | 'boolean' | 'enum' | 'json'
  default: unknown
  optional: boolean
  nullable: boolean
  min: number | null
  max: number | null
  options: (string | number)[] | null
}

export interface ScenarioInfo {
  id: string
  title: string
  section: string
  description: string
  courseSource: string
  portSource: string
  defaults: Record<string, unknown>
  params: ParamField[]
}

/** The daemons, in the order the window lists them: the one source of every daemon-id type and check. */
export const DAEMON_IDS = ['stats', 'heartbeat', 'jobs'] as const
export type DaemonId = (typeof DAEMON_IDS)[number]

export interface DaemonInfo {
  id: DaemonId
  title: string
  /** What the daemon does, for the panel. */
  description: string
  running: boolean
  /** Why it is not running, once a run of it has ended: null while running and before its first start. */
  ended: DaemonEnd | null
  /** The running config, or the one the next start uses. */
  config: Record<string, unknown>
  /** Clock rate of the daemons' loop (60 = a minute a second) when scaled; null in real time. */
  rate: number | null
}

/** How a daemon's last run ended: stopped (its switch, a shutdown), or its tasks all ended on their own. */
export interface DaemonEnd {
  by: 'stop' | 'tasks'
  /** `stopped`, or e.g. `all 2 tasks ended: 2 cancelled by user (from the window)`. */
  why: string
  /** Wall ms of the end. */
  wall: number
}

/** One stats daemon sample as its collector received it (over real HTTP on 127.0.0.1). */
export interface StatsSample {
  wall: number
  loopDelayMs: { mean: number; p50: number; p99: number; max: number }
  tasks: Partial<Record<TaskState, number>>
  memory: { rssMb: number; heapUsedMb: number }
  cpuPercent: number
  /** Anything else the daemon sent, kept as is. */
  extra: Record<string, unknown>
}

export interface JobsProgress {
  wall: number
  done: number
  failed: number
  queued: number
  /** Jobs accepted but not yet written (queue, in hand, or left from a previous stop). */
  pending: number
  /** Jobs per second over the last window. */
  perSecond: number
}

/** The runtime's ShutdownReport, as JSON. */
export interface ShutdownReport {
  graceMs: number
  elapsedMs: number
  finished: { id: number; name: string; state: TaskState }[]
  forced: { id: number; name: string }[]
  cleanupErrors: { id: number; name: string; message: string }[]
}

/** One part of an app shutdown: a run's loop or the daemons. */
export interface ShutdownPart {
  /** A run's loop, the daemons, or a connected process (told to stop through its agent). */
  kind: 'run' | 'daemons' | 'source'
  id: string
  title: string
  state: 'waiting' | 'stopping' | 'stopped'
  report: ShutdownReport | null
}

/** What stopping a daemon did: its tasks' ShutdownReport plus daemon facts. */
export interface DaemonStopReport extends ShutdownReport {
  id: DaemonId
  /** False when the daemon was not running: nothing was cancelled. */
  wasRunning: boolean
  /** Daemon-specific counts, e.g. the job workers' finishedInCleanup and pending. */
  detail?: Record<string, number>
}

export interface AppShutdownReport {
  graceMs: number
  elapsedMs: number
  parts: ShutdownPart[]
  totals: { finished: number; forced: number; cleanupErrors: number }
  /** Connected services (role `service`) told the app is closing and left running, not stopped. */
  leftRunning: { id: string; title: string }[]
}

/** Streamed while an app shutdown runs; the last one has phase 'done' and the report. */
export interface ShutdownProgress {
  phase: 'started' | 'stopping' | 'done'
  graceMs: number
  startedWall: number
  /** Wall ms by which every cleanup must have finished (the countdown's target). */
  deadlineWall: number
  parts: ShutdownPart[]
  report: AppShutdownReport | null
}

export type HistoryOutcome = 'running' | 'done' | 'failed' | 'cancelled' | 'interrupted'

export interface HistoryRun {
  runId: RunId
  scenario: string
  params: Record<string, unknown>
  clock: ClockChoice
  startedWall: number
  endedWall: number | null
  outcome: HistoryOutcome
  error: ErrorSnapshot | null
  /** Log lines the run printed that the history did not keep (it keeps the first and last N). */
  logsOmitted: number
  /** How many stored lines come before the gap where `logsOmitted` lines were left out (null: no gap). */
  logsGapAt: number | null
}

export interface HistoryTask {
  id: number
  name: string
  parentId: number | null
  state: TaskState | string
  createdAt: number | null
  startedAt: number | null
  endedAt: number | null
  cancelSource: CancelSource | null
  cancelReason: string | null
  error: ErrorSnapshot | null
}

export interface HistoryLog {
  t: number
  taskId: number | null
  taskName: string | null
  stream: 'stdout' | 'stderr'
  line: string
}

/** A run with one page of its tasks and one page of its stored log lines (`history:get`). */
export interface HistoryRunDetail {
  run: HistoryRun
  /** Tasks in creation order, from `taskOffset`; `taskTotal` in all. */
  tasks: HistoryTask[]
  taskOffset: number
  taskTotal: number
  /** Stored log lines in print order, from `logOffset`; `logTotal` stored in all (see run.logsOmitted). */
  logs: HistoryLog[]
  logOffset: number
  logTotal: number
  /**
   * The run's slow steps kept with it (oldest first; at most SLOW_STEP_LIMITS.perRun, the longest
   * win), and how many more it had. Empty when the page asked for none (`slowSteps: false`).
   */
  slowSteps: SlowStep[]
  slowStepsOmitted: number
}

/**
 * Where `run:export` put the file: `inline` (a small run, the content itself), `download` (the
 * browser host streams it from `url`, to which the page adds its token), `saved` (Electron wrote it
 * where the user chose), `cancelled` (the user closed the save dialog).
 */
export type ExportFile =
  | { kind: 'inline'; filename: string; mime: string; content: string }
  | { kind: 'download'; filename: string; mime: string; url: string }
  | { kind: 'saved'; filename: string; mime: string; path: string; bytes: number }
  | { kind: 'cancelled'; filename: string; mime: string }

/** What one application of the retention policy deleted. */
export interface RetentionReport {
  /** Wall ms when it ran. */
  at: number
  deletedRuns: number
  deletedJobs: number
  /** Database size (main file + WAL) before and after, bytes. */
  bytesBefore: number
  bytesAfter: number
}

/** The retention policy in force, its defaults, and what the database holds now (`retention:get`). */
export interface RetentionStatus {
  policy: { maxAgeDays: number; maxRuns: number; maxMegabytes: number }
  defaults: { maxAgeDays: number; maxRuns: number; maxMegabytes: number }
  runCount: number
  /** Bytes in use inside the database (pages minus free pages). */
  usedBytes: number
  /** Bytes on disk (main file + WAL). */
  fileBytes: number
  lastApplied: RetentionReport | null
}

/** Everything a freshly connected UI needs to draw the current state; deltas follow. */
export interface AppSnapshot {
  /** The last delta seq included: apply only deltas with a greater seq. */
  seq: number
  tasks: TaskSnapshot[]
  runs: RunSummary[]
  daemons: DaemonInfo[]
  clocks: LoopClock[]
  shutdown: ShutdownProgress | null
  /** 'electron' or 'web': which host serves this UI. */
  host: 'electron' | 'web'
  /** Connected (and lost or exited) processes; their tasks are in `tasks`. */
  sources?: SourceInfo[]
}

/** A watched process's id, given by the app's hub: `agent-1`, `agent-2`, … */
export type SourceId = string

/** Where a watched process is, written once: stopping (a stop was sent), exited (it said bye), lost (its connection dropped without a bye: its tasks are stale). */
export const SOURCE_STATES = ['connected', 'stopping', 'exited', 'lost'] as const
export type SourceState = (typeof SOURCE_STATES)[number]

/**
 * What a watched process is to the app, written once: a `child` the app started (`loopwatch run`,
 * the editor's Run), which the app's graceful shutdown stops; or a `service` that runs on its own
 * (`watch()` in a user's process), which that shutdown tells and leaves running.
 */
export const SOURCE_ROLES = ['child', 'service'] as const
export type SourceRole = (typeof SOURCE_ROLES)[number]

/** One process connected through the agent protocol, as the window lists it (`sources:list`). */
export interface SourceInfo {
  id: SourceId
  name: string
  pid: number
  runtime: { kind: 'node' | 'python' | 'other'; version: string }
  clock: { kind: 'real' } | { kind: 'scaled'; rate: number } | { kind: 'virtual' }
  /** `child` or `service` (see SOURCE_ROLES). */
  role: SourceRole
  state: SourceState
  /** Once it said bye: its exit status (null if it gave none) and why. */
  exit: { code: number | null; reason: string } | null
  connectedWall: number
  endedWall: number | null
  /** Its loops' labels as the table shows them (`agent-1/main`). */
  loops: string[]
  taskCount: number
  /** Its history run (null if the history could not record it). */
  runId: RunId | null
}

export interface TaskDetail {
  task: TaskSnapshot
  logs: LogLine[]
  /** This task, what it awaits, what that awaits, … (stops at a non-task or a cycle). */
  awaitChain: AwaitSnapshot[]
  children: number[]
  /** Where its real time went (absent: not measured, e.g. a connected process's task). */
  timing?: StepTiming
}

// ---- Step timing (issue 11 §1) ------------------------------------------------------------
//
// Measured on the real monotonic clock (performance.now()), not the loop's: on a virtual clock a
// synchronous block takes no loop time, yet it holds the process for as long as it runs.

/**
 * Histogram buckets per histogram: bucket 0 counts durations under 1 µs, bucket k (k ≥ 1) those in
 * [2^(k-1), 2^k) µs; the last also counts everything longer (≥ 2^(STEP_BUCKETS-2) µs ≈ 4.2 s).
 */
export const STEP_BUCKETS = 24

/** The lower edge of a step histogram's bucket, in ms (bucket 0: 0). */
export function stepBucketFloorMs(bucket: number): number {
  return bucket === 0 ? 0 : 2 ** (bucket - 1) / 1000
}

/** Where a task's real time went, with the log2 histograms of its step durations and ready-queue waits. */
export interface StepTiming {
  /** Steps run. */
  steps: number
  /** Real ms inside its steps (running). */
  busyMs: number
  /** Real ms between the end of a step and the wake-up that queued the next (waiting). */
  idleMs: number
  /** Real ms from a wake-up being queued to the step it queued starting (the ready-queue wait). */
  scheduledMs: number
  /** The longest step, real ms. */
  maxStepMs: number
  /** Step durations per bucket (STEP_BUCKETS counts, see stepBucketFloorMs). */
  stepHist: number[]
  /** Scheduled delays per bucket (same buckets). */
  scheduledHist: number[]
}

/** One step that held its loop longer than the slow-step threshold. */
export interface SlowStep {
  /** Per-process order of records (the UI keys and de-duplicates by it). */
  seq: number
  loop: LoopLabel
  runId: RunId | null
  taskId: number
  taskName: string
  /** How long the step ran, real ms. */
  durationMs: number
  /** When it ended: loop ms and wall ms (Date.now()). */
  at: Stamp
  /** The await the step resumed from (null: the task's first step). */
  resumedFrom: string | null
  /** The await it parked on at its end (null: it finished). */
  parkedOn: string | null
  /**
   * A connected process's step only: the task's id in that process (TaskSnapshot.localId), the id
   * its history run's task rows keep. Never on the agent protocol's wire.
   */
  localId?: number
}

/** The slow-step view: the threshold and the records still kept (oldest first, at most SLOW_STEPS_PER_LOOP per loop). */
export interface SlowStepsInfo {
  thresholdMs: number
  steps: SlowStep[]
}

/** The default slow-step threshold (ms) and the records kept per loop (the newest win). */
export const SLOW_STEP_DEFAULT_MS = 20
export const SLOW_STEPS_PER_LOOP = 500
/** The threshold a window may set, in ms. */
export const SLOW_STEP_MIN_MS = 1
export const SLOW_STEP_MAX_MS = 60_000
