/** Future contract cases the runtime still gets wrong (see /tmp/runtime-bugs/BUGS.md, B10). */
import { describe, expect, it } from 'vitest'
import type { Task } from '../../../src/main/runtime/index'
import { CancelledError, VirtualClock, createTask, run, sleep } from '../../../src/main/runtime/index'

describe('futures after their loop closed (pending runtime fixes)', () => {
  it('awaiting a finished task after run() closed its loop gives its result', async () => {
    let t: Task<number> | null = null
    await run(
      async () => {
        t = createTask(async () => {
          await sleep(5)
          return 42
        })
        await t
      },
      { clock: new VirtualClock() },
    )
    expect(t!.result()).toBe(42)
    await expect(t!).resolves.toBe(42)
  })

  it('awaiting a leftover task that run() cancelled rejects with its CancelledError', async () => {
    let t: Task<number> | null = null
    await run(
      async () => {
        t = createTask(async () => {
          await sleep(5)
          return 1
        })
        await sleep(1)
      },
      { clock: new VirtualClock() },
    )
    expect(t!.cancelled()).toBe(true)
    await expect(t!).rejects.toBeInstanceOf(CancelledError)
  })
})
