// A valibot mirror of the monitor's TaskDelta (src/shared/snapshots.ts): the agent sends the very
// shape the in-process monitor emits, and the hub checks it field by field. The type-level checks at
// the end fail to compile when the interfaces and these schemas drift apart.
import * as v from 'valibot'
import { CANCEL_SOURCES, MAX_CANCEL_HOPS, MAX_WAITS_ON, SEGMENT_CAPS, SLOW_STEPS_PER_LOOP, TASK_STATES } from '../snapshots'
import type {
  AwaitSnapshot,
  CancelCauseSnapshot,
  CancelSnapshot,
  CancelSource,
  ErrorSnapshot,
  LogLine,
  LoopClock,
  SegmentAppend,
  SlowStep,
  Stamp,
  StateHistory,
  StateSegment,
  TaskDelta,
  TaskSnapshot,
} from '../snapshots'
import { MAX_LOG_LINE_LENGTH, MAX_NAME_LENGTH, count, loopLabel, name, rate, taskId, text, time } from './scalars'

/** Tasks per list (`created`, `changed`, `ended`) of one delta; the agent splits a bigger batch. */
export const MAX_TASKS_PER_DELTA_LIST = 2_000
/** Ids in one delta's `removed`. */
export const MAX_REMOVED_PER_DELTA = 10_000
/** Log lines in one delta (the monitor's own default per delta). */
export const MAX_LOGS_PER_DELTA = 5_000
/** Loop clocks in one delta (one per loop; a source has at most this many loops). */
export const MAX_CLOCKS_PER_DELTA = 64
/** Segment appends in one delta. */
export const MAX_SEGMENT_APPENDS_PER_DELTA = 5_000
/** Closed segments in one append: no more than a history keeps (head + tail). */
export const MAX_SEGMENTS_PER_APPEND = SEGMENT_CAPS.head + SEGMENT_CAPS.tail
/** An error message and stack as shown in the detail panel. */
export const MAX_ERROR_MESSAGE_LENGTH = 4_000
export const MAX_STACK_LENGTH = 16_000

const taskState = v.picklist(TASK_STATES)
const nullableRunId = v.nullable(v.pipe(v.number(), v.safeInteger(), v.minValue(1)))

export const stampSchema = v.strictObject({ loop: time, wall: time })
export const errorSnapshotSchema = v.strictObject({
  name: name,
  message: v.pipe(v.string(), v.maxLength(MAX_ERROR_MESSAGE_LENGTH)),
  stack: v.nullable(v.pipe(v.string(), v.maxLength(MAX_STACK_LENGTH))),
})
export const cancelCauseSchema = v.strictObject({
  origin: v.strictObject({
    id: taskId,
    name,
    source: v.picklist(CANCEL_SOURCES),
    reason: v.nullable(text),
    at: stampSchema,
    by: v.optional(v.strictObject({ id: taskId, name })),
    failed: v.optional(text),
  }),
  path: v.pipe(
    v.array(v.strictObject({ kind: v.picklist(['task', 'gather', 'taskGroup']), id: v.optional(taskId), name })),
    v.maxLength(MAX_CANCEL_HOPS),
  ),
  more: v.optional(count),
})
export const cancelSnapshotSchema = v.strictObject({
  source: v.picklist(CANCEL_SOURCES),
  reason: v.nullable(text),
  at: stampSchema,
  by: v.optional(v.strictObject({ id: taskId, name })),
  cause: v.optional(cancelCauseSchema),
})
export const awaitSnapshotSchema = v.strictObject({
  kind: v.picklist(['task', 'sleep', 'future']),
  text,
  taskId: v.nullable(taskId),
  waitsOn: v.optional(v.pipe(v.array(taskId), v.maxLength(MAX_WAITS_ON))),
})
export const stateSegmentSchema = v.strictObject({ state: taskState, from: time, to: time })
const openSegmentSchema = v.strictObject({ state: taskState, from: time })
export const stateHistorySchema = v.strictObject({
  head: v.pipe(v.array(stateSegmentSchema), v.maxLength(SEGMENT_CAPS.head)),
  skipped: count,
  tail: v.pipe(v.array(stateSegmentSchema), v.maxLength(SEGMENT_CAPS.tail)),
  open: v.nullable(openSegmentSchema),
})

export const taskSnapshotSchema = v.strictObject({
  id: taskId,
  loop: loopLabel,
  runId: nullableRunId,
  name: v.pipe(v.string(), v.maxLength(MAX_NAME_LENGTH)),
  coro: v.optional(v.pipe(v.string(), v.maxLength(MAX_NAME_LENGTH))),
  parentId: v.nullable(taskId),
  state: taskState,
  createdAt: stampSchema,
  startedAt: v.nullable(stampSchema),
  endedAt: v.nullable(stampSchema),
  awaiting: v.nullable(awaitSnapshotSchema),
  cancel: v.nullable(cancelSnapshotSchema),
  deadline: v.nullable(v.strictObject({ at: stampSchema })),
  error: v.nullable(errorSnapshotSchema),
  logCount: count,
  history: v.optional(stateHistorySchema),
})

export const logLineSchema = v.strictObject({
  seq: count,
  loop: loopLabel,
  runId: nullableRunId,
  taskId: v.nullable(taskId),
  taskName: v.nullable(name),
  t: time,
  wall: time,
  at: v.optional(time),
  stream: v.picklist(['stdout', 'stderr']),
  line: v.pipe(v.string(), v.maxLength(MAX_LOG_LINE_LENGTH)),
})

export const loopClockSchema = v.strictObject({ loop: loopLabel, now: time, wall: time, rate: v.nullable(rate) })

export const segmentAppendSchema = v.strictObject({
  taskId,
  first: count,
  segments: v.pipe(v.array(stateSegmentSchema), v.maxLength(MAX_SEGMENTS_PER_APPEND)),
  open: v.nullable(openSegmentSchema),
})

/** Slow steps in one delta (a loop keeps SLOW_STEPS_PER_LOOP; more since the last delta wait or were dropped). */
export const MAX_SLOW_STEPS_PER_DELTA = SLOW_STEPS_PER_LOOP
const duration = v.pipe(v.number(), v.finite(), v.minValue(0))

/** A step longer than the source's slow-step threshold (issue 11 §1; optional: older agents send none). */
export const slowStepSchema = v.strictObject({
  seq: count,
  loop: loopLabel,
  runId: nullableRunId,
  taskId,
  taskName: name,
  durationMs: duration,
  at: stampSchema,
  resumedFrom: v.nullable(text),
  parkedOn: v.nullable(text),
})

const taskList = v.pipe(v.array(taskSnapshotSchema), v.maxLength(MAX_TASKS_PER_DELTA_LIST))

/** The body of a `tasks:delta` message: a TaskDelta exactly as the monitor emits it. */
export const taskDeltaSchema = v.strictObject({
  seq: count,
  created: taskList,
  changed: taskList,
  ended: taskList,
  removed: v.pipe(v.array(taskId), v.maxLength(MAX_REMOVED_PER_DELTA)),
  logs: v.pipe(v.array(logLineSchema), v.maxLength(MAX_LOGS_PER_DELTA)),
  clocks: v.pipe(v.array(loopClockSchema), v.maxLength(MAX_CLOCKS_PER_DELTA)),
  segments: v.optional(v.pipe(v.array(segmentAppendSchema), v.maxLength(MAX_SEGMENT_APPENDS_PER_DELTA))),
  slowSteps: v.optional(v.pipe(v.array(slowStepSchema), v.maxLength(MAX_SLOW_STEPS_PER_DELTA))),
})

// ---- Keeping the schemas and the interfaces in sync (compile time only) ----
/** True when A and B are assignable both ways and have the same keys (catches an extra optional field). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? ([keyof A] extends [keyof B] ? ([keyof B] extends [keyof A] ? true : false) : false) : false) : false
type Out<S extends v.GenericSchema> = v.InferOutput<S>
/** Fails to compile (`false` is not assignable to `true`) when a pair drifts. */
function inSync<T extends true>(): T | undefined {
  return undefined
}
inSync<Same<Out<typeof stampSchema>, Stamp>>()
inSync<Same<Out<typeof errorSnapshotSchema>, ErrorSnapshot>>()
inSync<Same<Out<typeof cancelSnapshotSchema>, CancelSnapshot>>()
inSync<Same<Out<typeof cancelCauseSchema>, CancelCauseSnapshot>>()
inSync<Same<(typeof CANCEL_SOURCES)[number], CancelSource>>()
inSync<Same<Out<typeof awaitSnapshotSchema>, AwaitSnapshot>>()
inSync<Same<Out<typeof stateSegmentSchema>, StateSegment>>()
inSync<Same<Out<typeof stateHistorySchema>, StateHistory>>()
// localId is the app's own addition (a translated task's id in its process), never sent by an agent.
inSync<Same<Out<typeof taskSnapshotSchema>, Omit<TaskSnapshot, 'localId'>>>()
inSync<Same<Out<typeof logLineSchema>, LogLine>>()
inSync<Same<Out<typeof loopClockSchema>, LoopClock>>()
inSync<Same<Out<typeof segmentAppendSchema>, SegmentAppend>>()
inSync<Same<Out<typeof slowStepSchema>, Omit<SlowStep, 'localId'>>>()
inSync<Same<Out<typeof taskDeltaSchema>, TaskDelta>>()
