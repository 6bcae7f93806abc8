/** Virtual time with a deadline at Infinity (see /tmp/runtime-bugs/BUGS.md, B12). */
import { describe, expect, it } from 'vitest'
import type { Task } from '../../../src/main/runtime/index'
import { CancelledError, VirtualClock, createTask, run, sleep } from '../../../src/main/runtime/index'
import { hung } from '../cpython'

describe('virtual time and infinite deadlines (pending runtime fixes)', () => {
  it('sleep(Infinity) waits until cancelled from outside, and virtual time never becomes Infinity', async () => {
    const clock = new VirtualClock()
    let sleeper: Task<string> | null = null
    const done = run(
      async () => {
        sleeper = createTask(async () => {
          await sleep(Infinity)
          return 'woke'
        })
        try {
          return await sleeper
        } catch (e) {
          return e instanceof CancelledError ? `cancelled at ${clock.now()}` : `failed: ${String(e)}`
        }
      },
      { clock },
    )
    expect(await Promise.race([done, hung(300)])).toBe('hung') // asyncio.sleep(math.inf) never returns either
    expect(clock.now()).toBe(0)
    sleeper!.cancel() // the UI's cancel button
    expect(await done).toBe('cancelled at 0')
  })
})
