/** waitFor as CPython 3.12's wait_for (`async with timeout(t): return await fut`). */
import { describe, it } from 'vitest'
import { CancelledError, TimeoutError, createTask, currentTask, getRunningLoop, sleep, waitFor } from '../../src/main/runtime/index'
import { ValueError, b, err, expectSameTrace } from './cpython'

describe('waitFor, compared with CPython', () => {
  it('waitFor waits for the cancelled task\'s cleanup before throwing TimeoutError', async () => {
    await expectSameTrace(
      `
      async def worker():
          try:
              await asyncio.sleep(1)
          except asyncio.CancelledError:
              log('cleanup starts')
              await asyncio.sleep(0.02)
              log('cleanup ends')
              raise
      async def main():
          t = asyncio.create_task(worker())
          try:
              await asyncio.wait_for(t, 0.01)
          except TimeoutError:
              log('TimeoutError, worker cancelled', t.cancelled())
      `,
      async (log) => {
        const t = createTask(async () => {
          try {
            await sleep(1000)
          } catch (e) {
            log('cleanup starts')
            await sleep(20)
            log('cleanup ends')
            throw e
          }
        })
        try {
          await waitFor(t, 10)
        } catch (e) {
          if (e instanceof TimeoutError) log('TimeoutError, worker cancelled', b(t.cancelled()))
        }
      },
    )
  })

  it('waitFor returns the value of an awaitable that swallowed the cancellation', async () => {
    await expectSameTrace(
      `
      async def stubborn():
          try:
              await asyncio.sleep(1)
          except asyncio.CancelledError:
              log('swallowing')
              await asyncio.sleep(0.005)
          return 'late value'
      async def main():
          t = asyncio.create_task(stubborn())
          v = await asyncio.wait_for(t, 0.01)
          log('returned', v, 'cancelled', t.cancelled())
      `,
      async (log) => {
        const t = createTask(async () => {
          try {
            await sleep(1000)
          } catch {
            log('swallowing')
            await sleep(5)
          }
          return 'late value'
        })
        const v = await waitFor(t, 10)
        log('returned', v, 'cancelled', b(t.cancelled()))
      },
    )
  })

  it('waitFor returns in time when the awaitable finishes first, and the timer does not fire later', async () => {
    await expectSameTrace(
      `
      async def quick():
          await asyncio.sleep(0.01)
          return 'quick'
      async def main():
          log('got', await asyncio.wait_for(asyncio.create_task(quick()), 0.05))
          log('none', await asyncio.wait_for(asyncio.create_task(quick()), None))
          await asyncio.sleep(0.1)
          log('nothing fired meanwhile')
      `,
      async (log) => {
        const quick = async (): Promise<string> => {
          await sleep(10)
          return 'quick'
        }
        log('got', await waitFor(createTask(quick), 50))
        log('none', await waitFor(createTask(quick), null))
        await sleep(100)
        log('nothing fired meanwhile')
      },
    )
  })

  it('waitFor with a timeout of zero or less cancels an unstarted task whose body never runs', async () => {
    await expectSameTrace(
      `
      async def body():
          log('body ran')
          return 1
      async def main():
          for t in (0, -1):
              task = asyncio.create_task(body())
              try:
                  await asyncio.wait_for(task, t)
              except TimeoutError:
                  log('TimeoutError for', t, 'cancelled', task.cancelled())
          done = asyncio.get_running_loop().create_future()
          done.set_result('ready')
          log('done future', await asyncio.wait_for(done, 0))
      `,
      async (log) => {
        for (const t of [0, -1000]) {
          const task = createTask(async () => {
            log('body ran')
            return 1
          })
          try {
            await waitFor(task, t)
          } catch (e) {
            if (e instanceof TimeoutError) log('TimeoutError for', t / 1000, 'cancelled', b(task.cancelled()))
          }
        }
        const done = getRunningLoop().createFuture<string>()
        done.setResult('ready')
        log('done future', await waitFor(done, 0))
      },
    )
  })

  it('waitFor with a zero timeout on a running task waits for its cleanup', async () => {
    await expectSameTrace(
      `
      async def worker():
          try:
              await asyncio.sleep(1)
          except asyncio.CancelledError:
              await asyncio.sleep(0.01)
              log('cleanup done')
              raise
      async def main():
          t = asyncio.create_task(worker())
          await asyncio.sleep(0)
          try:
              await asyncio.wait_for(t, 0)
          except TimeoutError:
              log('TimeoutError')
      `,
      async (log) => {
        const t = createTask(async () => {
          try {
            await sleep(1000)
          } catch (e) {
            await sleep(10)
            log('cleanup done')
            throw e
          }
        })
        await sleep(0)
        try {
          await waitFor(t, 0)
        } catch (e) {
          if (e instanceof TimeoutError) log('TimeoutError')
        }
      },
    )
  })

  it('nested waitFor: the shorter deadline wins, whichever level it is on', async () => {
    await expectSameTrace(
      `
      async def slow():
          try:
              await asyncio.sleep(1)
          except asyncio.CancelledError:
              log('slow cancelled')
              raise
      async def inner_short():
          try:
              return await asyncio.wait_for(asyncio.create_task(slow()), 0.01)
          except TimeoutError:
              log('inner timed out')
              return 'fallback'
      async def inner_long():
          try:
              return await asyncio.wait_for(asyncio.create_task(slow()), 0.05)
          except TimeoutError:
              log('inner timed out (unexpected)')
          except asyncio.CancelledError:
              log('inner wait cancelled')
              raise
      async def main():
          log('a', await asyncio.wait_for(asyncio.create_task(inner_short()), 0.05))
          try:
              await asyncio.wait_for(asyncio.create_task(inner_long()), 0.01)
          except TimeoutError:
              log('outer timed out, cancelling', asyncio.current_task().cancelling())
      `,
      async (log) => {
        const slow = async (): Promise<void> => {
          try {
            await sleep(1000)
          } catch (e) {
            log('slow cancelled')
            throw e
          }
        }
        const innerShort = async (): Promise<unknown> => {
          try {
            return await waitFor(createTask(slow), 10)
          } catch (e) {
            if (!(e instanceof TimeoutError)) throw e
            log('inner timed out')
            return 'fallback'
          }
        }
        const innerLong = async (): Promise<unknown> => {
          try {
            return await waitFor(createTask(slow), 50)
          } catch (e) {
            if (e instanceof TimeoutError) log('inner timed out (unexpected)')
            else if (e instanceof CancelledError) {
              log('inner wait cancelled')
              throw e
            }
          }
        }
        log('a', await waitFor(createTask(innerShort), 50))
        try {
          await waitFor(createTask(innerLong), 10)
        } catch (e) {
          if (e instanceof TimeoutError) log('outer timed out, cancelling', currentTask()!.cancelling())
        }
      },
    )
  })

  it('cancelling the task in waitFor cancels the awaitable and raises CancelledError, not TimeoutError', async () => {
    await expectSameTrace(
      `
      async def worker():
          try:
              await asyncio.sleep(1)
          except asyncio.CancelledError:
              log('worker cancelled')
              raise
      async def waiting():
          try:
              await asyncio.wait_for(asyncio.create_task(worker()), 0.05)
          except TimeoutError:
              log('TimeoutError (unexpected)')
          except asyncio.CancelledError:
              log('CancelledError in waitFor')
              raise
      async def main():
          w = asyncio.create_task(waiting())
          await asyncio.sleep(0.01)
          w.cancel()
          await asyncio.sleep(0.1)
          log('w cancelled', w.cancelled())
      `,
      async (log) => {
        const w = createTask(async () => {
          try {
            await waitFor(
              createTask(async () => {
                try {
                  await sleep(1000)
                } catch (e) {
                  log('worker cancelled')
                  throw e
                }
              }),
              50,
            )
          } catch (e) {
            if (e instanceof TimeoutError) log('TimeoutError (unexpected)')
            else {
              log('CancelledError in waitFor')
              throw e
            }
          }
        })
        await sleep(10)
        w.cancel()
        await sleep(100)
        log('w cancelled', b(w.cancelled()))
      },
    )
  })

  it('an error raised by the awaitable, or by its cleanup after the timeout, propagates instead of TimeoutError', async () => {
    await expectSameTrace(
      `
      async def failing():
          await asyncio.sleep(0.005)
          raise ValueError('early')
      async def failing_cleanup():
          try:
              await asyncio.sleep(1)
          except asyncio.CancelledError:
              raise ValueError('cleanup failed')
      async def main():
          for f in (failing, failing_cleanup):
              try:
                  await asyncio.wait_for(asyncio.create_task(f()), 0.01)
              except Exception as e:
                  log('raised', err(e))
      `,
      async (log) => {
        const failing = async (): Promise<void> => {
          await sleep(5)
          throw new ValueError('early')
        }
        const failingCleanup = async (): Promise<void> => {
          try {
            await sleep(1000)
          } catch {
            throw new ValueError('cleanup failed')
          }
        }
        for (const f of [failing, failingCleanup]) {
          try {
            await waitFor(createTask(f), 10)
          } catch (e) {
            log('raised', err(e))
          }
        }
      },
    )
  })

  it('waitFor runs a coroutine function in the calling task at once, as 3.12 awaits the coroutine inline', async () => {
    await expectSameTrace(
      `
      async def main():
          me = asyncio.current_task()
          async def other():
              log('other task runs')
          async def inner():
              log('inner runs, same task:', asyncio.current_task() is me)
              await asyncio.sleep(0.01)
              return 'inner value'
          asyncio.create_task(other())
          log('got', await asyncio.wait_for(inner(), 1))
      `,
      async (log) => {
        const me = currentTask()
        createTask(async () => log('other task runs'))
        const inner = async (): Promise<string> => {
          log('inner runs, same task:', b(currentTask() === me))
          await sleep(10)
          return 'inner value'
        }
        log('got', await waitFor(inner, 1000))
      },
    )
  })

  it('on timeout the coroutine\'s cleanup runs in the calling task before TimeoutError, in the same iteration', async () => {
    await expectSameTrace(
      `
      async def ticker():
          for i in range(3):
              log('tick', i)
              await asyncio.sleep(0)
      async def main():
          async def inner():
              try:
                  await asyncio.sleep(1)
              except asyncio.CancelledError:
                  log('cleanup, cancelling', asyncio.current_task().cancelling())
                  raise
          asyncio.get_running_loop().call_later(0.01, lambda: asyncio.create_task(ticker()))
          try:
              await asyncio.wait_for(inner(), 0.01)
          except TimeoutError:
              log('TimeoutError, cancelling', asyncio.current_task().cancelling())
      `,
      async (log) => {
        const ticker = async (): Promise<void> => {
          for (let i = 0; i < 3; i++) {
            log('tick', i)
            await sleep(0)
          }
        }
        const inner = async (): Promise<void> => {
          try {
            await sleep(1000)
          } catch (e) {
            log('cleanup, cancelling', currentTask()!.cancelling())
            throw e
          }
        }
        getRunningLoop().callLater(10, () => void createTask(ticker))
        try {
          await waitFor(inner, 10)
        } catch (e) {
          if (e instanceof TimeoutError) log('TimeoutError, cancelling', currentTask()!.cancelling())
        }
      },
    )
  })


  it('a task whose sleep ends at the deadline tick is still cancelled, because the deadline fires in that tick', async () => {
    await expectSameTrace(
      `
      async def worker():
          try:
              await asyncio.sleep(0.01)
              log('worker finished its sleep')
              return 'value'
          except asyncio.CancelledError:
              log('worker cancelled at its resumption')
              raise
      async def main():
          t = asyncio.create_task(worker())
          await asyncio.sleep(0)
          try:
              log('got', await asyncio.wait_for(t, 0.01))
          except TimeoutError:
              log('TimeoutError')
          t2 = asyncio.create_task(worker())
          await asyncio.sleep(0)
          log('got', await asyncio.wait_for(t2, 0.0100001))
      `,
      async (log) => {
        const worker = async (): Promise<string> => {
          try {
            await sleep(10)
            log('worker finished its sleep')
            return 'value'
          } catch (e) {
            log('worker cancelled at its resumption')
            throw e
          }
        }
        const t = createTask(worker)
        await sleep(0)
        try {
          log('got', await waitFor(t, 10))
        } catch (e) {
          if (e instanceof TimeoutError) log('TimeoutError')
        }
        const t2 = createTask(worker)
        await sleep(0)
        log('got', await waitFor(t2, 10.0001))
      },
    )
  })
})
