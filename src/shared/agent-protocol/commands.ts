// Commands the hub sends to an agent and what each answers. Each command is one entry: its fields
// (checked by the hub before sending and by the agent on receipt) and its result's schema (checked
// by the hub on the answer). The wire messages and the types derive from this table.
import * as v from 'valibot'
import { STEP_BUCKETS, TASK_STATES } from '../snapshots'
import type { StepTiming } from '../snapshots'
import { taskSnapshotSchema } from './task-delta-schema'
import { MAX_TIME_MS, commandId, count, name, taskId, text, time } from './scalars'
import { loopControlFields, loopInspectFields, loopViewSchema, resourcesFields, resourcesSnapshotSchema } from './loop-commands'

/** The longest grace a stop may ask for (the app's own run:stop bound). */
export const MAX_GRACE_MS = 10 * 60_000
/** The furthest a deadline may be set (the app's own task:setDeadline bound). */
export const MAX_DEADLINE_MS = 24 * 3_600_000
/** Tasks listed in each part of a shutdown report. */
export const MAX_REPORT_TASKS = 10_000

const reportTask = { id: taskId, name }
/** The runtime's ShutdownReport (src/shared/snapshots.ts), as a stop answers it. */
export const shutdownReportSchema = v.strictObject({
  graceMs: time,
  elapsedMs: time,
  finished: v.pipe(v.array(v.strictObject({ ...reportTask, state: v.picklist(TASK_STATES) })), v.maxLength(MAX_REPORT_TASKS)),
  forced: v.pipe(v.array(v.strictObject(reportTask)), v.maxLength(MAX_REPORT_TASKS)),
  cleanupErrors: v.pipe(v.array(v.strictObject({ ...reportTask, message: text })), v.maxLength(MAX_REPORT_TASKS)),
})

/** Real ms a task spent, finite and ≥ 0 (a process's lifetime fits in MAX_TIME_MS). */
const spentMs = v.pipe(v.number(), v.finite(), v.minValue(0), v.maxValue(MAX_TIME_MS))
/** One log2 histogram: exactly STEP_BUCKETS counts (see stepBucketFloorMs). */
const histogram = v.pipe(v.array(count), v.length(STEP_BUCKETS))
/** A task's StepTiming (src/shared/snapshots.ts), as `task:timing` answers it. */
export const stepTimingSchema = v.strictObject({
  steps: count,
  busyMs: spentMs,
  idleMs: spentMs,
  scheduledMs: spentMs,
  maxStepMs: spentMs,
  stepHist: histogram,
  scheduledHist: histogram,
})

const graceMs = v.pipe(v.number(), v.finite(), v.minValue(0), v.maxValue(MAX_GRACE_MS))
const inMs = v.pipe(v.number(), v.finite(), v.minValue(0), v.maxValue(MAX_DEADLINE_MS))

/**
 * Builds one command's entry: `message` is its wire schema `{ type, id, …fields }`, `fields` the
 * same without the id (what `sendCommand` takes), `result` the schema of its `value`.
 */
function command<K extends string, F extends v.ObjectEntries, R extends v.GenericSchema>(type: K, fields: F, result: R) {
  return {
    fields: v.strictObject({ type: v.literal(type), ...fields }),
    message: v.strictObject({ type: v.literal(type), id: commandId, ...fields }),
    result,
  }
}

export const commandSpecs = {
  /** Cancels the task (a request with the hub's reason; source `user`); answers its snapshot. */
  cancel: command('cancel', { taskId, reason: v.nullable(text) }, taskSnapshotSchema),
  /** Puts a deadline `inMs` loop-ms from now on the task (replacing any); answers its snapshot. */
  'deadline:set': command('deadline:set', { taskId, inMs }, taskSnapshotSchema),
  /** Removes the task's deadline; answers its snapshot. */
  'deadline:clear': command('deadline:clear', { taskId }, taskSnapshotSchema),
  /** Shuts the agent's loops down gracefully within `graceMs`; answers the ShutdownReport. */
  stop: command('stop', { graceMs }, shutdownReportSchema),
  /** Pauses / resumes / steps / runs to the next timer / sets the speed of one of the agent's loops; answers its LoopView. */
  'loop:control': command('loop:control', loopControlFields, loopViewSchema),
  /** The loop's ready queue and timer heap (the first `limit` of each); answers its LoopView. */
  'loop:inspect': command('loop:inspect', loopInspectFields, loopViewSchema),
  /** The Locks, Semaphores, Events, … of the agent's loops (or of `loopId`); answers a ResourcesSnapshot. */
  resources: command('resources', resourcesFields, resourcesSnapshotSchema),
  /** Where the task's real time went (busy / idle / scheduled, the step histograms); null: its steps are not timed. */
  'task:timing': command('task:timing', { taskId }, v.nullable(stepTimingSchema)),
} as const

export type CommandType = keyof typeof commandSpecs
export const COMMAND_TYPES = Object.keys(commandSpecs) as CommandType[]

/** A command as the app asks for it (no id: the hub numbers it). */
export type Command = { [K in CommandType]: v.InferOutput<(typeof commandSpecs)[K]['fields']> }[CommandType]
/** A command as it travels, with its id. */
export type CommandMessage = { [K in CommandType]: v.InferOutput<(typeof commandSpecs)[K]['message']> }[CommandType]
/** What a command of type K answers when it succeeds. */
export type CommandValue<K extends CommandType> = v.InferOutput<(typeof commandSpecs)[K]['result']>

// The answer's schema and the StepTiming interface stay one shape (compile time only): each is
// assignable to the other, and they have the same keys.
type TimingOut = v.InferOutput<typeof stepTimingSchema>
const timingInSync: [TimingOut, keyof TimingOut] extends [StepTiming, keyof StepTiming] ? ([StepTiming, keyof StepTiming] extends [TimingOut, keyof TimingOut] ? true : false) : false = true
void timingInSync
