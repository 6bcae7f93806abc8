/** Future and Task state rules as asyncio's, and done-callback scheduling. */
import { describe, expect, it } from 'vitest'
import type { Task } from '../../src/main/runtime/index'
import { CancelledError, VirtualClock, createTask, currentTask, getRunningLoop, run, sleep } from '../../src/main/runtime/index'
import { ValueError, b, cancelMessage, err, expectSameTrace, fmt } from './cpython'

describe('futures, compared with CPython', () => {
  it('result() and exception() before done raise InvalidStateError; a second setResult is refused and changes nothing', async () => {
    await expectSameTrace(
      `
      async def main():
          f = asyncio.get_running_loop().create_future()
          for what in ('result', 'exception'):
              try:
                  getattr(f, what)()
              except asyncio.InvalidStateError as e:
                  log(what, 'raised', err(e))
          f.set_result(1)
          for attempt in (lambda: f.set_result(2), lambda: f.set_exception(ValueError('x'))):
              try:
                  attempt()
              except asyncio.InvalidStateError as e:
                  log('refused', err(e), 'result still', f.result(), 'exception', f.exception())
          log('cancel a done future', f.cancel(), 'cancelled', f.cancelled())
      `,
      async (log) => {
        const f = getRunningLoop().createFuture<number>()
        for (const what of ['result', 'exception'] as const) {
          try {
            f[what]()
          } catch (e) {
            log(what, 'raised', err(e))
          }
        }
        f.setResult(1)
        for (const attempt of [() => f.setResult(2), () => f.setException(new ValueError('x'))]) {
          try {
            attempt()
          } catch (e) {
            log('refused', err(e), 'result still', f.result(), 'exception', f.exception() === null ? 'None' : err(f.exception()))
          }
        }
        log('cancel a done future', b(f.cancel()), 'cancelled', b(f.cancelled()))
      },
    )
  })

  it('a cancelled future raises CancelledError with its message from result() and exception()', async () => {
    await expectSameTrace(
      `
      async def main():
          f = asyncio.get_running_loop().create_future()
          log('cancel', f.cancel('because'), 'again', f.cancel('other'))
          for what in ('result', 'exception'):
              try:
                  getattr(f, what)()
              except asyncio.CancelledError as e:
                  log(what, 'raised CancelledError', repr(str(e)))
          g = asyncio.get_running_loop().create_future()
          g.set_exception(ValueError('stored'))
          log('exception()', err(g.exception()))
          try:
              g.result()
          except ValueError as e:
              log('result() raised', err(e))
      `,
      async (log) => {
        const f = getRunningLoop().createFuture<number>()
        log('cancel', b(f.cancel('because')), 'again', b(f.cancel('other')))
        for (const what of ['result', 'exception'] as const) {
          try {
            f[what]()
          } catch (e) {
            log(what, 'raised CancelledError', `'${cancelMessage(e)}'`)
          }
        }
        const g = getRunningLoop().createFuture<number>()
        g.setException(new ValueError('stored'))
        log('exception()', err(g.exception()))
        try {
          g.result()
        } catch (e) {
          log('result() raised', err(e))
        }
      },
    )
  })

  it('done callbacks run on a later iteration in registration order, also when added to a done future', async () => {
    await expectSameTrace(
      `
      async def main():
          loop = asyncio.get_running_loop()
          f = loop.create_future()
          cb = lambda fut: log('cb', fut.result())
          f.add_done_callback(lambda fut: log('first'))
          f.add_done_callback(cb)
          f.add_done_callback(cb)
          f.add_done_callback(lambda fut: log('last'))
          log('removed', f.remove_done_callback(cb))
          f.set_result('v')
          log('set, nothing ran yet')
          loop.call_soon(log, 'call_soon after set')
          f.add_done_callback(lambda fut: log('added after done'))
          await asyncio.sleep(0)
          log('main resumes')
      `,
      async (log) => {
        const loop = getRunningLoop()
        const f = loop.createFuture<string>()
        const cb = (fut: typeof f): void => log('cb', fut.result())
        f.addDoneCallback(() => log('first'))
        f.addDoneCallback(cb)
        f.addDoneCallback(cb)
        f.addDoneCallback(() => log('last'))
        log('removed', f.removeDoneCallback(cb))
        f.setResult('v')
        log('set, nothing ran yet')
        loop.callSoon(() => log('call_soon after set'))
        f.addDoneCallback(() => log('added after done'))
        await sleep(0)
        log('main resumes')
      },
    )
  })

  it('a task\'s result() while it runs raises InvalidStateError; when done it gives the value or the error', async () => {
    await expectSameTrace(
      `
      async def ok():
          await asyncio.sleep(0.01)
          return [1, 2]
      async def bad():
          await asyncio.sleep(0.01)
          raise ValueError('task failed')
      async def main():
          t = asyncio.create_task(ok())
          u = asyncio.create_task(bad())
          try:
              t.result()
          except asyncio.InvalidStateError as e:
              log('running task result()', err(e))
          await asyncio.sleep(0.02)
          log('ok result', fmt(t.result()), 'exception', t.exception())
          log('bad exception', err(u.exception()))
      `,
      async (log) => {
        const t = createTask(async () => {
          await sleep(10)
          return [1, 2]
        })
        const u = createTask(async () => {
          await sleep(10)
          throw new ValueError('task failed')
        })
        try {
          t.result()
        } catch (e) {
          log('running task result()', err(e))
        }
        await sleep(20)
        log('ok result', fmt(t.result()), 'exception', t.exception() === null ? 'None' : 'not None')
        log('bad exception', err(u.exception()))
      },
    )
  })

  it('sleep resolves with the value it was given, for zero and positive delays', async () => {
    await expectSameTrace(
      `
      async def main():
          log('zero', await asyncio.sleep(0, 'a'))
          log('later', await asyncio.sleep(0.01, 'b'))
          log('negative', await asyncio.sleep(-1, 'c'))
      `,
      async (log) => {
        log('zero', await sleep(0, 'a'))
        log('later', await sleep(10, 'b'))
        log('negative', await sleep(-1000, 'c'))
      },
    )
  })

  it('a task that awaits itself gets RuntimeError and can carry on', async () => {
    await expectSameTrace(
      `
      async def main():
          me = asyncio.current_task()
          async def other():
              log('other runs')
          asyncio.create_task(other())
          try:
              await me
          except RuntimeError:
              log('RuntimeError')
          await asyncio.sleep(0)
          log('carried on')
      `,
      async (log) => {
        const me = currentTask()!
        createTask(async () => log('other runs'))
        try {
          await me
        } catch (e) {
          if (e instanceof Error && e.name === 'RuntimeError') log('RuntimeError')
        }
        await sleep(0)
        log('carried on')
      },
    )
  })

  it('a task refuses setResult and setException from outside and finishes with its own outcome', async () => {
    await expectSameTrace(
      `
      async def job():
          await asyncio.sleep(0.01)
          log('job finishes')
          return 'own value'
      async def main():
          t = asyncio.create_task(job())
          for attempt in (lambda: t.set_result('forced'), lambda: t.set_exception(ValueError('forced'))):
              try:
                  attempt()
              except RuntimeError:
                  log('refused, done', t.done())
          log('awaited', await t)
      `,
      async (log) => {
        const t = createTask(async () => {
          await sleep(10)
          log('job finishes')
          return 'own value'
        })
        for (const attempt of [() => t.setResult('forced'), () => t.setException(new Error('forced'))]) {
          try {
            attempt()
          } catch (e) {
            if (e instanceof Error && e.name === 'RuntimeError') log('refused, done', t.done() ? 'True' : 'False')
          }
        }
        log('awaited', await t)
      },
    )
  })


  it('a task\'s final state agrees with CPython\'s outcome in every way a task can end', async () => {
    await expectSameTrace(
      `
      def state(t):
          return 'cancelled' if t.cancelled() else ('failed' if t.exception() is not None else 'done')
      async def returns():
          await asyncio.sleep(0.01)
      async def fails():
          await asyncio.sleep(0.01)
          raise ValueError('x')
      async def swallows():
          try:
              await asyncio.sleep(1)
          except asyncio.CancelledError:
              pass
      async def reraises():
          await asyncio.sleep(1)
      async def raises_cancelled_itself():
          await asyncio.sleep(0.01)
          raise asyncio.CancelledError()
      async def converts():
          try:
              await asyncio.sleep(1)
          except asyncio.CancelledError:
              raise ValueError('converted')
      async def self_cancel_return():
          asyncio.current_task().cancel()
          return 1
      async def main():
          specs = [('returns', returns, False), ('fails', fails, False), ('swallows', swallows, True),
                   ('reraises', reraises, True), ('raises_cancelled_itself', raises_cancelled_itself, False),
                   ('converts', converts, True), ('self_cancel_return', self_cancel_return, False)]
          ts = []
          for name, f, cancel in specs:
              ts.append((name, asyncio.create_task(f()), cancel))
          await asyncio.sleep(0.005)
          for name, t, cancel in ts:
              if cancel:
                  t.cancel()
          await asyncio.sleep(0.02)
          for name, t, cancel in ts:
              log(name, state(t))
      `,
      async (log) => {
        const specs: [string, () => Promise<unknown>, boolean][] = [
          ['returns', async () => void (await sleep(10)), false],
          [
            'fails',
            async () => {
              await sleep(10)
              throw new ValueError('x')
            },
            false,
          ],
          [
            'swallows',
            async () => {
              try {
                await sleep(1000)
              } catch {
                // swallowed
              }
            },
            true,
          ],
          ['reraises', async () => void (await sleep(1000)), true],
          [
            'raises_cancelled_itself',
            async () => {
              await sleep(10)
              throw new CancelledError()
            },
            false,
          ],
          [
            'converts',
            async () => {
              try {
                await sleep(1000)
              } catch {
                throw new ValueError('converted')
              }
            },
            true,
          ],
          [
            'self_cancel_return',
            async () => {
              currentTask()!.cancel()
              return 1
            },
            false,
          ],
        ]
        const tasks = specs.map(([name, f, cancel]) => [name, createTask(f), cancel] as const)
        await sleep(5)
        for (const [, t, cancel] of tasks) if (cancel) t.cancel()
        await sleep(20)
        for (const [name, t] of tasks) log(name, t.state)
      },
    )
  })

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
