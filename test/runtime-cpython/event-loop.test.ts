/** EventLoop driven by hand (runForever, stop, runUntilComplete, close), compared with CPython's loop. */
import { describe, expect, it } from 'vitest'
import type { Task } from '../../src/main/runtime/index'
import { CancelledError, EventLoop, RuntimeError, VirtualClock, createTask, currentTask, getRunningLoop, run, sleep } from '../../src/main/runtime/index'
import { b, hung, py, tsRaw } from './cpython'

describe('EventLoop driven by hand, compared with CPython', () => {
  it('stop() from a callback lets the rest of that iteration run; what it scheduled waits for the next run', async () => {
    const expected = py(
      `
      loop = VirtualTimeLoop()
      def first():
          logt(loop, 'first')
          loop.call_soon(logt, loop, 'scheduled by first')
          loop.stop()
      loop.call_soon(first)
      loop.call_soon(logt, loop, 'second')
      loop.call_later(0.01, logt, loop, 'timer')
      loop.run_forever()
      logt(loop, 'run_forever returned')
      loop.call_later(0.02, loop.stop)
      loop.run_forever()
      logt(loop, 'second run returned')
      loop.close()
      `,
      { raw: true },
    )
    const actual = await tsRaw(async (log, clock) => {
      const loop = new EventLoop({ clock })
      loop.callSoon(() => {
        log('first')
        loop.callSoon(() => log('scheduled by first'))
        loop.stop()
      })
      loop.callSoon(() => log('second'))
      loop.callLater(10, () => log('timer'))
      log(await Promise.race([loop.runForever().then(() => 'run_forever returned'), hung()]))
      loop.callLater(20, () => loop.stop())
      log(await Promise.race([loop.runForever().then(() => 'second run returned'), hung()]))
      loop.close()
    })
    expect(actual).toEqual(expected)
  })

  it('runUntilComplete returns the result, runs callbacks the loop wakes, and leaves the rest queued', async () => {
    const expected = py(
      `
      loop = VirtualTimeLoop()
      async def job():
          logt(loop, 'job runs')
          await asyncio.sleep(0.01)
          loop.call_soon(logt, loop, 'queued by job')
          return 'job value'
      t = loop.create_task(job())
      loop.call_soon(logt, loop, 'callback before')
      logt(loop, 'result', loop.run_until_complete(t))
      loop.call_later(0.001, loop.stop)
      loop.run_forever()
      logt(loop, 'drained')
      loop.close()
      `,
      { raw: true },
    )
    const actual = await tsRaw(async (log, clock) => {
      const loop = new EventLoop({ clock })
      const t = loop.createTask(async () => {
        log('job runs')
        await sleep(10)
        getRunningLoop().callSoon(() => log('queued by job'))
        return 'job value'
      })
      loop.callSoon(() => log('callback before'))
      log('result', await loop.runUntilComplete(t))
      loop.callLater(1, () => loop.stop())
      await Promise.race([loop.runForever(), hung()])
      log('drained')
      loop.close()
    })
    expect(actual).toEqual(expected)
  })

  it('after close, createTask and callSoon raise RuntimeError and nothing is scheduled', async () => {
    const expected = py(
      `
      loop = VirtualTimeLoop()
      loop.close()
      async def job():
          pass
      c = job()
      try:
          loop.create_task(c)
      except RuntimeError:
          logt(loop, 'create_task refused')
      c.close()
      try:
          loop.call_soon(print)
      except RuntimeError:
          logt(loop, 'call_soon refused')
      logt(loop, 'closed', loop.is_closed())
      `,
      { raw: true },
    )
    const actual = await tsRaw(async (log, clock) => {
      const loop = new EventLoop({ clock })
      loop.close()
      try {
        loop.createTask(async () => undefined)
      } catch (e) {
        if (e instanceof RuntimeError) log('create_task refused')
      }
      try {
        loop.callSoon(() => undefined)
      } catch (e) {
        if (e instanceof RuntimeError) log('call_soon refused')
      }
      log('closed', b(loop.isClosed()))
      expect(loop.allTasks().size).toBe(0)
    })
    expect(actual).toEqual(expected)
  })

  it('currentTask() is the task inside its steps and null inside plain loop callbacks', async () => {
    const expected = py(
      `
      loop = VirtualTimeLoop()
      async def job():
          me = asyncio.current_task()
          logt(loop, 'in task', me is not None)
          loop.call_soon(lambda: logt(loop, 'in callback', asyncio.current_task() is None))
          await asyncio.sleep(0)
          logt(loop, 'same task after await', asyncio.current_task() is me)
      loop.run_until_complete(job())
      loop.close()
      `,
      { raw: true },
    )
    const actual = await tsRaw(async (log, clock) => {
      const loop = new EventLoop({ clock })
      await loop.runUntilComplete(async () => {
        const me = currentTask()
        log('in task', b(me !== null))
        loop.callSoon(() => log('in callback', b(currentTask() === null)))
        await sleep(0)
        log('same task after await', b(currentTask() === me))
      })
      loop.close()
    })
    expect(actual).toEqual(expected)
  })

  it('stop() before runForever makes it run one iteration and return', async () => {
    const expected = py(
      `
      loop = VirtualTimeLoop()
      loop.call_soon(lambda: (logt(loop, 'a'), loop.call_soon(logt, loop, 'next iteration')))
      loop.call_soon(logt, loop, 'b')
      loop.stop()
      loop.run_forever()
      logt(loop, 'returned')
      loop.close()
      `,
      { raw: true },
    )
    const actual = await tsRaw(async (log, clock) => {
      const loop = new EventLoop({ clock })
      loop.callSoon(() => {
        log('a')
        loop.callSoon(() => log('next iteration'))
      })
      loop.callSoon(() => log('b'))
      loop.stop()
      const outcome = await Promise.race([loop.runForever().then(() => 'returned'), hung()])
      log(outcome)
      if (outcome === 'hung') loop.stop() // so the loop ends and the test fails on the trace
      else loop.close()
    })
    expect(actual).toEqual(expected)
  })

  it('runUntilComplete of a future that is already done still runs one iteration of queued callbacks', async () => {
    const expected = py(
      `
      loop = VirtualTimeLoop()
      f = loop.create_future()
      f.set_result('ready')
      loop.call_soon(logt, loop, 'queued callback')
      logt(loop, 'result', loop.run_until_complete(f))
      loop.close()
      `,
      { raw: true },
    )
    const actual = await tsRaw(async (log, clock) => {
      const loop = new EventLoop({ clock })
      const f = loop.createFuture<string>()
      f.setResult('ready')
      loop.callSoon(() => log('queued callback'))
      log('result', await loop.runUntilComplete(f))
      loop.close()
    })
    expect(actual).toEqual(expected)
  })

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
