/** A task resumed by a plain promise that a loop callback resolved (see /tmp/runtime-bugs/BUGS.md, B18). */
import { describe, expect, it } from 'vitest'
import { CancelledError, VirtualClock, createTask, currentTask, getRunningLoop, run, sleep } from '../../../src/main/runtime/index'
import { hung } from '../cpython'

describe('a promise resolved by a loop callback (pending runtime fixes)', () => {
  it('the task resumed by it does not silently leave the loop: cancel() ends it (or it fails clearly) and run() returns', async () => {
    const clock = new VirtualClock()
    const outcome: string[] = []
    const done = run(
      async () => {
        const worker = createTask(async () => {
          await new Promise<void>((resolve) => getRunningLoop().callLater(10, resolve))
          for (;;) await sleep(10)
        })
        await sleep(35)
        worker.cancel()
        try {
          await worker
        } catch (e) {
          outcome.push(e instanceof CancelledError ? 'worker cancelled' : `worker failed: ${(e as Error).name}`)
        }
        return 'main done'
      },
      { clock },
    )
    expect(await Promise.race([done, hung(1500)])).toBe('main done')
    expect(outcome).toHaveLength(1)
    expect(clock.now()).toBeLessThan(1000)
  })

  it('a promise resolved by a done callback resumes its task on time, not inside another task\'s step', async () => {
    const clock = new VirtualClock()
    const lines: string[] = []
    await run(
      async () => {
        const loop = getRunningLoop()
        const other = createTask(async () => {
          for (let i = 0; i < 30; i++) await sleep(3)
        })
        const f = loop.createFuture<number>()
        loop.callLater(10, () => f.setResult(1))
        const me = currentTask()
        const who = (): string => (currentTask() === other ? 'another task' : currentTask() === me ? 'main' : 'no task')
        await new Promise<void>((resolve) => f.addDoneCallback(() => resolve()))
        lines.push(`resumed at ${clock.now()} in ${who()}`)
        other.cancel()
      },
      { clock },
    )
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/^resumed at 10 in (main|no task)$/)
  })
})
