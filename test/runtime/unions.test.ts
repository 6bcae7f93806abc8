/**
 * The task-state and cancel-source unions are written once (src/main/runtime/states.ts) and
 * derived everywhere else. The `expectTypeOf` lines are checked by `tsc --noEmit -p tsconfig.json`
 * (a mismatch is a compile error); the `expect` lines check the values at run time.
 */
import { describe, expect, expectTypeOf, it } from 'vitest'
import * as runtime from '../../src/main/runtime/index'
import type { CancelRequest, CancelSource, FinalState, TaskState } from '../../src/main/runtime/index'
import * as shared from '../../src/shared/snapshots'

describe('one union, written once', () => {
  it('the runtime types are exactly the lists', () => {
    expectTypeOf<TaskState>().toEqualTypeOf<(typeof runtime.TASK_STATES)[number]>()
    expectTypeOf<CancelSource>().toEqualTypeOf<(typeof runtime.CANCEL_SOURCES)[number]>()
    expectTypeOf<FinalState>().toEqualTypeOf<(typeof runtime.FINAL_STATES)[number]>()
    expectTypeOf<FinalState>().toExtend<TaskState>()
    expectTypeOf<TaskState>().toEqualTypeOf<'pending' | 'running' | 'waiting' | 'cancelling' | 'done' | 'failed' | 'cancelled' | 'abandoned'>()
    expectTypeOf<CancelSource>().toEqualTypeOf<'user' | 'program' | 'deadline' | 'timeout' | 'shutdown' | 'sibling' | 'parent'>()
    expect(runtime.FINAL_STATES.every((s) => (runtime.TASK_STATES as readonly string[]).includes(s))).toBe(true)
  })

  it('the shared snapshot types are the runtime ones, and the shared lists the same arrays', () => {
    expectTypeOf<shared.TaskState>().toEqualTypeOf<TaskState>()
    expectTypeOf<shared.CancelSource>().toEqualTypeOf<CancelSource>()
    expectTypeOf<shared.CancelSnapshot['source']>().toEqualTypeOf<CancelSource>()
    expectTypeOf<NonNullable<shared.CancelSnapshot['by']>>().toEqualTypeOf<NonNullable<CancelRequest['by']>>()
    expect(shared.TASK_STATES).toBe(runtime.TASK_STATES)
    expect(shared.FINAL_STATES).toBe(runtime.FINAL_STATES)
  })
})
