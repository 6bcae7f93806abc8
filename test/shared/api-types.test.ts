import { describe, expectTypeOf, it } from 'vitest'
import type { LoopwatchApi, Result } from '../../src/shared/contract'
import type { ScenarioInfo, TaskDelta, TaskSnapshot } from '../../src/shared/snapshots'

declare const api: LoopwatchApi

describe('LoopwatchApi types derive from the contract', () => {
  it('types invoke results and event payloads per channel', () => {
    // Only type-checked: the body is never awaited.
    const check = () => {
      expectTypeOf(api.invoke('scenarios:list')).toEqualTypeOf<Promise<Result<ScenarioInfo[]>>>()
      expectTypeOf(api.invoke('task:cancel', { taskId: 1 })).toEqualTypeOf<Promise<Result<TaskSnapshot>>>()
      // @ts-expect-error task:cancel needs its payload
      void api.invoke('task:cancel')
      // @ts-expect-error taskId is a number
      void api.invoke('task:cancel', { taskId: '1' })
      // @ts-expect-error no such channel
      void api.invoke('task:kill', {})
      api.on('tasks:delta', (d) => expectTypeOf(d).toEqualTypeOf<TaskDelta>())
    }
    expectTypeOf(check).toBeFunction()
  })
})
