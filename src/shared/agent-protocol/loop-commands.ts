// What the loop commands answer (`loop:control`, `loop:inspect`, `resources`): the app's own
// LoopView and ResourcesSnapshot shapes (loop-control-contract.ts, resources-contract.ts), with
// every list and string bounded, so the hub can check an agent's answer before it reaches a window.
import * as v from 'valibot'
import { LOOP_ACTIONS, LOOP_CONTROL_STATES, MAX_INSPECT_LIMIT, READY_KINDS, TIMER_KINDS, loopSpeedSchema } from '../loop-control-contract'
import { MAX_LISTED_TASKS, MAX_LOOPS_LISTED, MAX_RESOURCES_PER_LOOP, RESOURCE_KINDS, WAIT_OPS } from '../resources-contract'
import { count, loopLabel, name, taskId, text, time } from './scalars'

export { LOOP_ACTIONS }

const entryTask = { taskId: v.nullable(taskId), taskName: v.nullable(name) }

/** A loop's inspection as an agent answers it (`loopId`: the agent's own loop label). */
export const loopViewSchema = v.strictObject({
  loopId: loopLabel,
  state: v.picklist(LOOP_CONTROL_STATES),
  speed: v.nullable(loopSpeedSchema),
  now: time,
  inIteration: count,
  ready: v.pipe(
    v.array(v.strictObject({ kind: v.picklist(READY_KINDS), text, ...entryTask, skipped: v.boolean() })),
    v.maxLength(MAX_INSPECT_LIMIT),
  ),
  readyTotal: count,
  timers: v.pipe(
    v.array(v.strictObject({ kind: v.picklist(TIMER_KINDS), when: time, inMs: time, text, ...entryTask })),
    v.maxLength(MAX_INSPECT_LIMIT),
  ),
  timersTotal: count,
  limit: v.pipe(count, v.maxValue(MAX_INSPECT_LIMIT)),
})

const taskList = v.pipe(v.array(taskId), v.maxLength(MAX_LISTED_TASKS))
const resourceSchema = v.strictObject({
  id: count,
  kind: v.picklist(RESOURCE_KINDS),
  label: name,
  holders: taskList,
  waiters: v.pipe(v.array(v.strictObject({ taskId, op: v.picklist(WAIT_OPS) })), v.maxLength(MAX_LISTED_TASKS)),
  holdersTotal: v.optional(count),
  waitersTotal: v.optional(count),
  locked: v.optional(v.boolean()),
  value: v.optional(v.pipe(v.number(), v.safeInteger())),
  initial: v.optional(v.pipe(v.number(), v.safeInteger())),
  isSet: v.optional(v.boolean()),
  size: v.optional(count),
  maxsize: v.optional(v.pipe(v.number(), v.safeInteger())),
  unfinished: v.optional(count),
  parties: v.optional(count),
  nWaiting: v.optional(count),
  broken: v.optional(v.boolean()),
})

/** An agent's resources (`runId`: null, a process has no history run of its own). */
export const resourcesSnapshotSchema = v.strictObject({
  loops: v.pipe(
    v.array(
      v.strictObject({
        loop: loopLabel,
        runId: v.nullable(count),
        resources: v.pipe(v.array(resourceSchema), v.maxLength(MAX_RESOURCES_PER_LOOP)),
        total: count,
      }),
    ),
    v.maxLength(MAX_LOOPS_LISTED),
  ),
})

/** The fields of the loop commands (see commandSpecs). */
export const loopControlFields = {
  loopId: loopLabel,
  action: v.picklist(LOOP_ACTIONS),
  /** With action `speed`, and only then (the agent refuses it otherwise: bad_command). */
  speed: v.optional(loopSpeedSchema),
}
export const loopInspectFields = { loopId: loopLabel, limit: v.optional(v.pipe(v.number(), v.safeInteger(), v.minValue(1), v.maxValue(MAX_INSPECT_LIMIT))) }
/** `loopId` absent: every loop of the process. */
export const resourcesFields = { loopId: v.optional(loopLabel) }
