/**
 * Misuse gets a clear typed error and changes nothing (the contract; CPython's own errors differ in
 * type here — asyncio.run(42) is a ValueError — so these check RUNTIME-API.md, with CPython where
 * the two agree).
 */
import { describe, expect, it } from 'vitest'
import {
  EventLoop,
  RuntimeError,
  ValueError,
  gather,
  VirtualClock,
  createTask,
  currentTask,
  getRunningLoop,
  run,
  sleep,
  timeout,
  waitFor,
} from '../../src/main/runtime/index'
import { expectSameTrace, hung, ts } from './cpython'

async function rejection(p: () => Promise<unknown>): Promise<unknown> {
  try {
    await p()
  } catch (e) {
    return e
  }
  throw new Error('expected a rejection')
}

describe('misuse is refused with a clear error', () => {
  it('run(42) rejects with a TypeError naming what it got', async () => {
    const e = await rejection(() => run(42 as unknown as () => Promise<void>))
    expect(e).toBeInstanceOf(TypeError)
    expect((e as Error).message).toMatch(/^a coroutine function was expected, got /)
    expect((e as Error).message).toContain('42')
  })

  it('run(promise) rejects with the hint to pass the async function itself', async () => {
    const main = async (): Promise<number> => 1
    const e = await rejection(() => run(main() as unknown as () => Promise<number>))
    expect(e).toBeInstanceOf(TypeError)
    expect((e as Error).message).toMatch(/^a coroutine function was expected, got .+— pass the async function itself, not the promise it returned$/)
  })

  it('run(null) and run(undefined) reject with TypeError and no hint', async () => {
    for (const v of [null, undefined]) {
      const e = await rejection(() => run(v as unknown as () => Promise<void>))
      expect(e).toBeInstanceOf(TypeError)
      expect((e as Error).message).toMatch(/^a coroutine function was expected, got /)
      expect((e as Error).message).not.toContain('pass the async function itself')
    }
  })

  it('run() from inside a running task is refused, and the outer run goes on', async () => {
    const lines = await ts(async (log) => {
      const e = await rejection(() => run(async () => undefined))
      log('nested run refused', e instanceof RuntimeError)
      await sleep(5)
      log('outer still running')
    })
    expect(lines).toEqual(['0 nested run refused true', '5 outer still running', '5 end null'])
  })

  it('a NaN or non-number delay is a TypeError and schedules nothing', async () => {
    const lines = await ts(async (log) => {
      const loop = getRunningLoop()
      for (const bad of [NaN, '10', {}]) {
        for (const [what, call] of [
          ['sleep', () => sleep(bad as number)],
          ['callLater', () => loop.callLater(bad as number, () => log('must not run'))],
          ['waitFor', () => waitFor(sleep(1), bad as number)],
          ['timeout', () => timeout(bad as number, async () => undefined)],
        ] as const) {
          let error: unknown = null
          try {
            await call()
          } catch (e) {
            error = e
          }
          if (!(error instanceof TypeError)) log(what, String(bad), 'was not refused with TypeError')
        }
      }
      log('tasks', loop.allTasks().size)
      await sleep(100)
      log('nothing fired')
    })
    expect(lines).toEqual(['0 tasks 1', '100 nothing fired', '100 end null'])
  })

  it('createTask with something other than a function is a TypeError and adds no task', async () => {
    const lines = await ts(async (log) => {
      for (const bad of [42, null, Promise.resolve(1)]) {
        try {
          createTask(bad as unknown as () => Promise<void>)
        } catch (e) {
          log('refused', (e as Error).name)
        }
      }
      log('tasks', getRunningLoop().allTasks().size, 'main is', currentTask()!.name)
    })
    expect(lines).toEqual(['0 refused TypeError', '0 refused TypeError', '0 refused TypeError', '0 tasks 1 main is main', '0 end null'])
  })

  it('createTask on a closed loop is a RuntimeError', async () => {
    const loop = new EventLoop({ clock: new VirtualClock() })
    loop.close()
    expect(() => loop.createTask(async () => undefined)).toThrow(RuntimeError)
    expect(loop.allTasks().size).toBe(0)
  })

  it('getRunningLoop outside a loop raises RuntimeError "no running event loop", as CPython', async () => {
    expect(() => getRunningLoop()).toThrow(RuntimeError)
    expect(() => getRunningLoop()).toThrow('no running event loop')
  })

  it('currentTask() with no running loop raises RuntimeError, as CPython 3.12 (null only in a loop callback)', async () => {
    expect(() => currentTask()).toThrow(RuntimeError)
    expect(() => currentTask()).toThrow('no running event loop')
    const loop = new EventLoop({ clock: new VirtualClock() })
    let inCallback: unknown = 'not run'
    loop.callSoon(() => {
      inCallback = currentTask()
      loop.stop()
    })
    await loop.runForever()
    loop.close()
    expect(inCallback).toBeNull()
  })

  it('a negative sleep yields once like sleep(0), as CPython', async () => {
    await expectSameTrace(
      `
      async def main():
          asyncio.create_task(asyncio.sleep(0))
          async def other():
              log('other')
          asyncio.create_task(other())
          await asyncio.sleep(-5)
          log('main after negative sleep')
      `,
      async (log) => {
        createTask(() => sleep(0))
        createTask(async () => log('other'))
        await sleep(-5000)
        log('main after negative sleep')
      },
    )
  })
})

describe('futures of another loop, as CPython', () => {
  it('awaiting a future of another loop raises RuntimeError at the next step (not a hang); gather over two loops is a ValueError', async () => {
    await expectSameTrace(
      `
      async def main():
          other = asyncio.new_event_loop()
          fut = other.create_future()
          async def bystander():
              log('bystander ran')
          asyncio.create_task(bystander())
          try:
              await fut
          except RuntimeError as e:
              log('await:', type(e).__name__)
          own = asyncio.get_running_loop().create_future()
          try:
              asyncio.gather(own, fut)
          except ValueError as e:
              log('gather:', type(e).__name__)
          log('fut still pending', not fut.done())
          other.close()
      `,
      async (log) => {
        const other = new EventLoop({ clock: new VirtualClock() })
        const fut = other.createFuture<number>()
        createTask(async () => log('bystander ran'))
        try {
          await Promise.race([fut, hung(3000).then(() => 'hung')]).then((r) => log('await:', r))
        } catch (e) {
          log('await:', e instanceof RuntimeError ? e.name : String(e))
        }
        const own = getRunningLoop().createFuture<number>()
        const before = getRunningLoop().allTasks().size
        try {
          gather([own, fut])
        } catch (e) {
          log('gather:', e instanceof ValueError ? e.name : String(e))
        }
        if (getRunningLoop().allTasks().size !== before) throw new Error('a refused gather started tasks')
        log('fut still pending', fut.done() ? 'False' : 'True')
        other.close()
      },
    )
  })
})
