// The one IPC contract: every command channel with its payload schema and result type, every event
// with its payload type. The preload bridge, the WebSocket bridge, the renderer's client and the
// main-side handler table are all mapped types over `commands` and `events`; nothing is restated.
import * as v from 'valibot'
import type {
  AppShutdownReport,
  AppSnapshot,
  DaemonInfo,
  DaemonStopReport,
  ExportFile,
  HistoryRun,
  HistoryRunDetail,
  JobsProgress,
  RunSummary,
  ScenarioInfo,
  RetentionStatus,
  ShutdownProgress,
  ShutdownReport,
  SlowStepsInfo,
  SourceInfo,
  StatsSample,
  TaskDelta,
  TaskDetail,
  TaskSnapshot,
} from './snapshots'
import { ERROR_LIMITS, boundedError, boundedIssues } from './error-limits'
import { exportSchema, historyEventsSchema, historyPageSchema, retentionPolicySchema } from './history-contract'
import type { HistoryEventsPage } from './history-contract'
import { isPlainObject, payloadProblem } from './payload-limits'
import { programCheckSchema, programOfRunSchema, programRunSchema, programStopSchema, programTemplateSchema } from './program-contract'
import type { ProgramDiagnostic, ProgramRunInfo, ProgramStopReport, ProgramTemplate, StoredProgram } from './program-contract'
import { coursePythonRunSchema } from './course-python-contract'
import type { CoursePythonRun, CoursePythonStatus } from './course-python-contract'
import { queueFailedSchema, queueRetrySchema } from './queue-contract'
import type { FailedJobsPage, QueueRetryAllResult, QueueRetryResult, QueueStatus } from './queue-contract'
import { DAEMON_IDS, SLOW_STEP_MAX_MS, SLOW_STEP_MIN_MS } from './snapshots'
import { bulkSchema, deadlineInMs } from './bulk-contract'
import type { BulkOutcome } from './bulk-contract'
import { loopControlSchema, loopInspectSchema } from './loop-control-contract'
import type { LoopView } from './loop-control-contract'
import type { ResourcesSnapshot } from './resources-contract'

// Limits keep a hostile or buggy renderer from making main allocate or wait without bound.
const MAX_GRACE_MS = 10 * 60_000

const taskId = v.pipe(v.number(), v.safeInteger(), v.minValue(1))
const runId = v.pipe(v.number(), v.safeInteger(), v.minValue(1))
const graceMs = v.pipe(v.number(), v.finite(), v.minValue(0), v.maxValue(MAX_GRACE_MS))
const reason = v.pipe(v.string(), v.maxLength(500))
const daemonId = v.picklist(DAEMON_IDS)
/** A connected process's id as the hub gives it: `agent-1`, `agent-2`, … */
const sourceId = v.pipe(v.string(), v.maxLength(20), v.regex(/^agent-[1-9]\d{0,8}$/, 'a source id looks like agent-1'))
/** A plain object, checked before an object schema runs: valibot's own accept arrays as objects. */
const plainObject = v.custom<Record<string, unknown>>(isPlainObject, (i) => `must be a JSON object, got ${Array.isArray(i.input) ? 'an array' : i.received}`)
/** A JSON object of parameters; the scenario's or daemon's own schema checks the fields. */
const jsonObject = v.pipe(plainObject, v.maxEntries(100), v.record(v.pipe(v.string(), v.maxLength(100)), v.unknown()))
/** What a command that takes nothing accepts: nothing, null or {} (never [] or other keys). */
const nothing = v.optional(v.union([v.undefined(), v.null(), v.pipe(plainObject, v.strictObject({}))]))

export const clockSchema = v.union([
  v.literal('virtual'),
  v.strictObject({ speed: v.pipe(v.number(), v.finite(), v.minValue(0.01), v.maxValue(10_000)) }),
])

/** A command: its payload schema, and (as a phantom type) what it resolves to. */
export interface Command<S extends v.GenericSchema, R> {
  readonly payload: S
  /** Never read at run time: carries the result type. */
  readonly result?: R
}

function command<R>() {
  return <S extends v.GenericSchema>(payload: S): Command<S, R> => ({ payload })
}

export const commands = {
  /** Full current state, for a UI that just connected. Deltas with a greater seq follow. */
  'app:snapshot': command<AppSnapshot>()(nothing),
  'scenarios:list': command<ScenarioInfo[]>()(nothing),
  /** Starts a run of a scenario (params validated by the scenario's own schema). */
  'scenario:start': command<RunSummary>()(
    v.strictObject({ id: v.pipe(v.string(), v.maxLength(100)), params: v.optional(jsonObject), clock: clockSchema }),
  ),
  /** Live runs (running, stopping, and those that ended while this app ran). */
  'runs:list': command<RunSummary[]>()(nothing),
  'run:stop': command<ShutdownReport>()(v.strictObject({ runId, graceMs })),
  'task:get': command<TaskDetail>()(v.strictObject({ taskId })),
  'task:cancel': command<TaskSnapshot>()(v.strictObject({ taskId, reason: v.optional(v.nullable(reason)) })),
  /** Puts a deadline `inMs` loop-ms from now on the task (replacing any), or clears it with null. */
  'task:setDeadline': command<TaskSnapshot>()(
    v.strictObject({ taskId, inMs: v.nullable(deadlineInMs) }),
  ),
  /**
   * Cancels (with a reason) or puts a deadline on many tasks in one request, each routed as its
   * single command is; at most MAX_BULK_TASKS ids. Answers how each one went.
   */
  'tasks:bulk': command<BulkOutcome>()(bulkSchema),
  'daemons:list': command<DaemonInfo[]>()(nothing),
  'daemon:start': command<DaemonInfo>()(v.strictObject({ id: daemonId, config: v.optional(jsonObject) })),
  'daemon:stop': command<DaemonStopReport>()(v.strictObject({ id: daemonId, graceMs: v.optional(graceMs) })),
  /**
   * Stops every run, daemon and connected child process gracefully, streaming shutdown:progress;
   * connected services are told and left running unless `stopServices`; job workers (`loopwatch
   * worker`, one group) likewise unless `stopWorkers` (absent: as `stopServices`). The app stays open.
   */
  'app:shutdown': command<AppShutdownReport>()(v.strictObject({ graceMs, stopServices: v.optional(v.boolean()), stopWorkers: v.optional(v.boolean()) })),
  'history:list': command<HistoryRun[]>()(
    v.optional(
      v.strictObject({
        limit: v.optional(v.pipe(v.number(), v.safeInteger(), v.minValue(1), v.maxValue(1000))),
        before: v.optional(runId),
      }),
    ),
  ),
  /** A run with one page of its tasks and of its log lines (offsets and limits, totals in the reply). */
  'history:get': command<HistoryRunDetail>()(historyPageSchema),
  /** One page of a run's recorded event stream (chunks of batches) for replay; paged and size-capped. */
  'history:events': command<HistoryEventsPage>()(historyEventsSchema),
  /** Exports a run: inline when small, else a streamed download (web) or a file (Electron). */
  'run:export': command<ExportFile>()(exportSchema),
  'retention:get': command<RetentionStatus>()(nothing),
  /** Replaces the retention policy and applies it at once. */
  'retention:set': command<RetentionStatus>()(retentionPolicySchema),
  /** Connected processes (agents), with lost and exited ones the app still shows. */
  'sources:list': command<SourceInfo[]>()(nothing),
  /** Tells a connected process to shut its loops down within graceMs; answers its report. */
  'source:stop': command<ShutdownReport>()(v.strictObject({ sourceId, graceMs })),
  /** The editor: a course program's plain TypeScript port (null: the new-program template). */
  'program:template': command<ProgramTemplate>()(programTemplateSchema),
  /** Compiles without running: the problems at their lines (empty: it compiles). */
  'program:check': command<ProgramDiagnostic[]>()(programCheckSchema),
  /** Checks, then runs the text as `loopwatch run` would: a child process watched by this app. */
  'program:run': command<ProgramRunInfo>()(programRunSchema),
  /** Stops an editor program: gracefully within graceMs, then killed. */
  'program:stop': command<ProgramStopReport>()(programStopSchema),
  'programs:list': command<ProgramRunInfo[]>()(nothing),
  /** The program text stored with a history run (not_found: the run was no editor program). */
  'program:ofRun': command<StoredProgram>()(programOfRunSchema),
  /** Whether each course program's own Python can run here (interpreter, missing modules); computed at start. */
  'coursePython:status': command<CoursePythonStatus>()(nothing),
  /** Runs the course's Python text verbatim under CPython with the agent: an app child, stopped by source:stop. */
  'coursePython:run': command<CoursePythonRun>()(coursePythonRunSchema),
  'coursePython:list': command<CoursePythonRun[]>()(nothing),
  /** The job queue now: the engine's counts, throughput over the last minute, the workers taking jobs. */
  'queue:status': command<QueueStatus>()(nothing),
  /** One page of BullMQ's failed set (in-process: empty, it keeps none). */
  'queue:failed': command<FailedJobsPage>()(queueFailedSchema),
  /** Moves one failed job back to waiting (not_found: no such job; invalid_state: it is not failed). */
  'queue:retry': command<QueueRetryResult>()(queueRetrySchema),
  /** Moves every failed job back to waiting. */
  'queue:retryAll': command<QueueRetryAllResult>()(nothing),
  /**
   * Pauses, resumes, steps one iteration of, runs to the next timer, or changes the speed of one of
   * this process's loops; answers its inspection after the action (a connected Node process's loop through its agent; a Python agent's: unsupported).
   */
  'loop:control': command<LoopView>()(loopControlSchema),
  /** A loop's ready queue and timer heap, described, the first `limit` (default 200) of each. */
  'loop:inspect': command<LoopView>()(loopInspectSchema),
  /**
   * Every Lock, Semaphore, Event, Condition, Queue and Barrier of this app's watched loops (or of
   * the one loop named), with holders, waiters and sizes now; bounded (resources-contract.ts).
   */
  'loop:resources': command<ResourcesSnapshot>()(
    v.optional(v.union([v.undefined(), v.null(), v.pipe(plainObject, v.strictObject({ loop: v.pipe(v.string(), v.maxLength(200)) }))])),
  ),
  /** The slow-step threshold and the slow steps kept (issue 11 §1; new ones travel in tasks:delta). */
  'steps:slow': command<SlowStepsInfo>()(nothing),
  /** Sets the slow-step threshold for every loop of this app (real ms); answers steps:slow. */
  'steps:setThreshold': command<SlowStepsInfo>()(
    v.strictObject({ thresholdMs: v.pipe(v.number(), v.finite(), v.minValue(SLOW_STEP_MIN_MS), v.maxValue(SLOW_STEP_MAX_MS)) }),
  ),
} as const

/** An event: a phantom payload type. */
export interface EventDef<P> {
  readonly payload?: P
}
function event<P>(): EventDef<P> {
  return {}
}

export const events = {
  /** Task changes and log lines, batched: at most 60 per second. */
  'tasks:delta': event<TaskDelta>(),
  'stats:sample': event<StatsSample>(),
  'jobs:progress': event<JobsProgress>(),
  'runs:changed': event<RunSummary[]>(),
  'daemons:changed': event<DaemonInfo[]>(),
  'shutdown:progress': event<ShutdownProgress>(),
  /** The whole list of connected processes, whenever one connects, changes state or is forgotten. */
  'sources:changed': event<SourceInfo[]>(),
  /** The editor's program runs, whenever one starts, connects, stops or ends. */
  'programs:changed': event<ProgramRunInfo[]>(),
  /** The course's Python runs, whenever one starts, connects, stops or ends. */
  'coursePython:changed': event<CoursePythonRun[]>(),
} as const

export type Channel = keyof typeof commands
export type EventName = keyof typeof events
export const CHANNELS = Object.keys(commands) as Channel[]
export const EVENT_NAMES = Object.keys(events) as EventName[]

/** What the caller passes (defaults not yet applied). */
export type PayloadOf<C extends Channel> = v.InferInput<(typeof commands)[C]['payload']>
/** What a handler receives after validation. */
export type ParsedPayloadOf<C extends Channel> = v.InferOutput<(typeof commands)[C]['payload']>
export type ResultOf<C extends Channel> = (typeof commands)[C] extends Command<v.GenericSchema, infer R> ? R : never
export type EventPayloadOf<E extends EventName> = (typeof events)[E] extends EventDef<infer P> ? P : never

export type ErrorCode =
  /** The payload failed its schema, or the frame was not a request. */
  | 'bad_request'
  | 'unknown_channel'
  /** No such task, run, scenario, daemon or history entry. */
  | 'not_found'
  /** The target exists but cannot do that now (task already done, daemon already running…). */
  | 'invalid_state'
  | 'shutting_down'
  | 'forbidden'
  /** Too many requests in flight on this connection: retry once earlier ones were answered. */
  | 'busy'
  /** The target cannot do that at all (a connected process's loop has no loop controls). */
  | 'unsupported'
  | 'internal'

export interface ErrorInfo {
  code: ErrorCode
  message: string
  /** For bad_request: the failing fields as `{ path, message }`. */
  details?: unknown
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo }

/** Arguments of invoke: the payload may be left out where the command takes none. */
export type InvokeArgs<C extends Channel> = undefined extends PayloadOf<C> ? [payload?: PayloadOf<C>] : [payload: PayloadOf<C>]

/**
 * What the renderer talks to, whoever hosts it: `window.loopwatch` (Electron preload) or the
 * WebSocket client (browser host). `invoke` never rejects for a failed command: it resolves with
 * `{ ok: false, error }`.
 */
export interface LoopwatchApi {
  invoke<C extends Channel>(channel: C, ...args: InvokeArgs<C>): Promise<Result<ResultOf<C>>>
  on<E extends EventName>(event: E, listener: (payload: EventPayloadOf<E>) => void): () => void
}

/** Main-side: one handler per channel, receiving the validated payload. */
export type Handlers = { [C in Channel]: (payload: ParsedPayloadOf<C>) => Promise<ResultOf<C>> | ResultOf<C> }

/** Main-side: a sink for events, typed by name (each host fans it out to its windows / sockets). */
export type EmitEvent = <E extends EventName>(event: E, payload: EventPayloadOf<E>) => void

export function isChannel(x: unknown): x is Channel {
  return typeof x === 'string' && Object.hasOwn(commands, x)
}
export function isEventName(x: unknown): x is EventName {
  return typeof x === 'string' && Object.hasOwn(events, x)
}

/**
 * Validates a payload for a channel; issues come back as `{ path, message }` for the UI. A payload
 * that is not plain bounded JSON (see payloadProblem), or is an array, is refused before its schema
 * runs; each field stops at its first broken rule, and the reply is bounded (boundedError).
 */
export function parsePayload<C extends Channel>(
  channel: C,
  payload: unknown,
): { ok: true; value: ParsedPayloadOf<C> } | { ok: false; error: ErrorInfo } {
  const problem = Array.isArray(payload) ? 'a payload is a JSON object, not an array' : payloadProblem(payload)
  if (problem) return { ok: false, error: boundedError({ code: 'bad_request', message: `${channel}: ${problem}` }) }
  const parsed = v.safeParse(commands[channel].payload, payload, { abortPipeEarly: true })
  if (parsed.success) return { ok: true, value: parsed.output as ParsedPayloadOf<C> }
  const details = boundedIssues(parsed.issues.map((i) => ({ path: v.getDotPath(i) ?? '', message: i.message })))
  return { ok: false, error: boundedError({ code: 'bad_request', message: `${channel}: ${v.summarize(parsed.issues.slice(0, ERROR_LIMITS.maxIssues) as typeof parsed.issues)}`, details }) }
}
