// Loop controls from the window: pause / resume / step one iteration / run to the next timer /
// change speed, and the loop inspector (ready queue + timer heap), for one loop by its label.
// The shapes come from the runtime's own list file (no imports there), so nothing is restated.
import * as v from 'valibot'
import { INSPECT_LIMIT, LOOP_CONTROL_STATES, MAX_INSPECT_LIMIT, READY_KINDS, TIMER_KINDS } from '../main/runtime/loop-control-types'
import type { LoopControlState, LoopInspection, LoopSpeed, ReadyEntry, ReadyKind, TimerEntry, TimerKind } from '../main/runtime/loop-control-types'
import type { LoopLabel } from './snapshots'

export { INSPECT_LIMIT, LOOP_CONTROL_STATES, MAX_INSPECT_LIMIT, READY_KINDS, TIMER_KINDS }
export type { LoopControlState, LoopInspection, LoopSpeed, ReadyEntry, ReadyKind, TimerEntry, TimerKind }

export const LOOP_ACTIONS = ['pause', 'resume', 'step', 'toNextTimer', 'speed'] as const
export type LoopAction = (typeof LOOP_ACTIONS)[number]

/** The speeds a loop may be set to: virtual, or a rate as scenario:start's clocks take. */
export const MIN_SPEED = 0.01
export const MAX_SPEED = 10_000

/**
 * Real ms a step / toNextTimer command waits for the loop to hold again before answering (it may
 * wait for a timer on a real clock); the answer then says 'stepping', and inspect tells the rest.
 */
export const STEP_ANSWER_WAIT_MS = 2_000

/** A loop label: `run-3`, `daemons`, `agent-1/main`. */
const loopId = v.pipe(v.string(), v.minLength(1), v.maxLength(200))
export const loopSpeedSchema = v.union([v.literal('virtual'), v.pipe(v.number(), v.finite(), v.minValue(MIN_SPEED), v.maxValue(MAX_SPEED))])

export const loopControlSchema = v.pipe(
  v.strictObject({ loopId, action: v.picklist(LOOP_ACTIONS), speed: v.optional(loopSpeedSchema) }),
  v.check((p) => (p.action === 'speed') === (p.speed !== undefined), 'speed is given with action "speed", and only then'),
)
export type LoopControlRequest = v.InferOutput<typeof loopControlSchema>

export const loopInspectSchema = v.strictObject({
  loopId,
  limit: v.optional(v.pipe(v.number(), v.safeInteger(), v.minValue(1), v.maxValue(MAX_INSPECT_LIMIT))),
})

/** A loop's inspection, with the loop it is of. */
export interface LoopView extends LoopInspection {
  loopId: LoopLabel
}
