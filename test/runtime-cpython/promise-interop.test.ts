/**
 * Runtime futures inside ordinary JS promise code: Promise.all/race, side chains, explicit then(),
 * foreign promises awaited directly. Where CPython has an equivalent (gather, add_done_callback) it
 * gives the expected trace; otherwise the contract (RUNTIME-API.md) does.
 */
import { describe, expect, it } from 'vitest'
import type { Task } from '../../src/main/runtime/index'
import { CancelledError, VirtualClock, createTask, currentTask, getRunningLoop, run, sleep, waitFor } from '../../src/main/runtime/index'
import { expectSameTrace, fmt, hung, ts } from './cpython'

describe('runtime futures in JS promise code', () => {
  it('Promise.all over the same future twice resolves with both results', async () => {
    const lines = await Promise.race([
      ts(async (log) => {
        const loop = getRunningLoop()
        const f = loop.createFuture<number>()
        loop.callLater(10, () => f.setResult(1))
        log('all', JSON.stringify(await Promise.all([f, f])))
      }),
      hung(1000),
    ])
    expect(lines).toEqual(['10 all [1,1]', '10 end null'])
  })

  it('a then() callback on the future a task then awaits runs, and the next await is not cut short', async () => {
    await expectSameTrace(
      `
      async def main():
          loop = asyncio.get_running_loop()
          f = loop.create_future()
          loop.call_later(0.01, f.set_result, 1)
          f.add_done_callback(lambda fut: log('callback saw', fut.result()))
          log('awaited', await f)
          await asyncio.sleep(0.05)
          log('slept 50')
      `,
      async (log) => {
        const loop = getRunningLoop()
        const f = loop.createFuture<number>()
        loop.callLater(10, () => f.setResult(1))
        void f.then((v) => log('callback saw', v))
        log('awaited', await f)
        await sleep(50)
        log('slept 50')
      },
    )
  })

  it('Promise.all over sleep(0) and a longer sleep gives both values at the later time, as gather does', async () => {
    await expectSameTrace(
      `
      async def main():
          r = await asyncio.gather(asyncio.sleep(0, 'y'), asyncio.sleep(0.05, 's'))
          log('all', fmt(r))
      `,
      async (log) => {
        const r = await Promise.all([sleep(0, 'y'), sleep(50, 's')])
        log('all', fmt(r))
      },
    )
  })

  it('a side chain that yields with sleep(0) does not cut short or empty the main await', async () => {
    await expectSameTrace(
      `
      async def main():
          async def side():
              await asyncio.sleep(0)
              log('side resumed')
          s = asyncio.ensure_future(side())
          v = await asyncio.sleep(0.05, 'main value')
          log('main slept, got', v)
          await s
      `,
      async (log) => {
        const side = (async () => {
          await sleep(0)
          log('side resumed')
        })()
        const v = await sleep(50, 'main value')
        log('main slept, got', v)
        await side
      },
    )
  })

  it('after Promise.race or Promise.all over runtime futures the task resumes in its own step', async () => {
    const lines = await ts(async (log) => {
      const me = currentTask()
      const other = createTask(async () => {
        for (let i = 0; i < 30; i++) await sleep(3)
      })
      const who = (): string => (currentTask() === me ? 'main' : currentTask() === null ? 'no task' : 'another task')
      const v = await Promise.race([sleep(10, 'a'), sleep(50, 'b')])
      log('race gave', v, 'in', who())
      await sleep(5)
      log('slept 5 in', who())
      const all = await Promise.all([sleep(40, 'slow'), sleep(10, 'fast')])
      log('all gave', fmt(all), 'in', who())
      await sleep(5)
      log('slept 5 in', who())
      other.cancel()
    })
    expect(lines).toEqual([
      '10 race gave a in main',
      '15 slept 5 in main',
      '55 all gave ["slow","fast"] in main',
      '60 slept 5 in main',
      '60 end null',
    ])
  })

  it('a task that awaited a foreign promise directly gets a clear error naming waitFor at its next runtime call', async () => {
    const lines = await ts(async (log) => {
      const t = createTask(async () => {
        await new Promise<void>((resolve) => setImmediate(resolve)) // a foreign promise, like fetch or fs
        await sleep(10)
      })
      try {
        await t
      } catch (e) {
        log('task failed with', (e as Error).name, /waitFor\(p, null\)/.test((e as Error).message) ? 'and the hint' : 'without the hint')
      }
    })
    expect(lines).toEqual(['0 task failed with RuntimeError and the hint', '0 end null'])
  })

  it('a foreign promise awaited through waitFor(p, null) keeps the task on its loop: it sleeps, spawns and takes cancel()', async () => {
    const lines = await ts(async (log) => {
      const started = getRunningLoop().createFuture<void>()
      const t = createTask(async () => {
        const v = await waitFor(new Promise<string>((resolve) => setImmediate(() => resolve('fetched'))), null)
        log('foreign value', v, 'in its own task', currentTask() === t ? 'yes' : 'no')
        log('child says', await createTask(async () => 'hi'))
        started.setResult()
        try {
          for (;;) await sleep(10)
        } catch (e) {
          log('worker got', (e as Error).name)
          throw e
        }
      })
      await started
      await sleep(25)
      t.cancel()
      try {
        await t
      } catch {
        log('worker cancelled', t.cancelled() ? 'yes' : 'no')
      }
    })
    expect(lines).toEqual([
      '0 foreign value fetched in its own task yes',
      '0 child says hi',
      '25 worker got CancelledError',
      '25 worker cancelled yes',
      '25 end null',
    ])
  })

  it('a task resumed by a plain promise that a loop callback resolves is back on its loop: cancel() ends it cancelled at once and run() returns', async () => {
    // README "Foreign promises": resumed inside the loop's turn with no other task detached, its
    // next await of a runtime future parks it on its loop again, so it takes cancel() like any task.
    const clock = new VirtualClock()
    const outcome: string[] = []
    let worker!: Task<unknown>
    const done = run(
      async () => {
        worker = createTask(async () => {
          await new Promise<void>((resolve) => getRunningLoop().callLater(10, resolve))
          for (;;) await sleep(10)
        })
        await sleep(35)
        worker.cancel('stop')
        try {
          await worker
        } catch (e) {
          outcome.push(e instanceof CancelledError ? `worker cancelled (${e.source}: ${e.reason})` : `worker failed: ${(e as Error).name}`)
        }
        return 'main done'
      },
      { clock },
    )
    expect(await Promise.race([done, hung(1500)])).toBe('main done')
    expect(outcome).toEqual(['worker cancelled (program: stop)'])
    expect(worker.state).toBe('cancelled')
    expect(clock.now()).toBe(35)
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
