/** The primitives combined, as programs combine them: timeouts around groups, shields in waitFor, cancels of waiters. */
import { describe, it } from 'vitest'
import {
  CancelledError,
  Event,
  FIRST_COMPLETED,
  TimeoutError,
  asCompleted,
  createTask,
  currentTask,
  getRunningLoop,
  shield,
  sleep,
  taskGroup,
  timeout,
  wait,
  waitFor,
} from '../../src/main/runtime/index'
import { ValueError, b, err, expectSameTrace } from './cpython'

describe('compositions, compared with CPython', () => {
  it('a timeout around a task group cancels the children and raises TimeoutError', async () => {
    await expectSameTrace(
      `
      async def child(name):
          try:
              await asyncio.sleep(1)
          except asyncio.CancelledError:
              log(name, 'cancelled')
              raise
      async def main():
          try:
              async with asyncio.timeout(0.01):
                  async with asyncio.TaskGroup() as tg:
                      tg.create_task(child('a'))
                      tg.create_task(child('b'))
          except TimeoutError:
              log('TimeoutError, cancelling', asyncio.current_task().cancelling())
      `,
      async (log) => {
        const child = (name: string) => async (): Promise<void> => {
          try {
            await sleep(1000)
          } catch (e) {
            log(name, 'cancelled')
            throw e
          }
        }
        try {
          await timeout(10, () =>
            taskGroup(async (tg) => {
              tg.createTask(child('a'))
              tg.createTask(child('b'))
            }),
          )
        } catch (e) {
          if (e instanceof TimeoutError) log('TimeoutError, cancelling', currentTask()!.cancelling())
          else log('unexpected', err(e))
        }
      },
      { unordered: / cancelled$/ },
    )
  })

  it('a child failing in its cleanup after the timeout makes the group error win over TimeoutError', async () => {
    await expectSameTrace(
      `
      async def child():
          try:
              await asyncio.sleep(1)
          except asyncio.CancelledError:
              await asyncio.sleep(0.005)
              raise ValueError('cleanup')
      async def main():
          try:
              async with asyncio.timeout(0.01):
                  async with asyncio.TaskGroup() as tg:
                      tg.create_task(child())
          except TimeoutError:
              log('TimeoutError')
          except BaseExceptionGroup as eg:
              log('group error', err(eg), 'cancelling', asyncio.current_task().cancelling())
      `,
      async (log) => {
        try {
          await timeout(10, () =>
            taskGroup(async (tg) => {
              tg.createTask(async () => {
                try {
                  await sleep(1000)
                } catch {
                  await sleep(5)
                  throw new ValueError('cleanup')
                }
              })
            }),
          )
        } catch (e) {
          if (e instanceof TimeoutError) log('TimeoutError')
          else log('group error', err(e), 'cancelling', currentTask()!.cancelling())
        }
      },
    )
  })

  it('waitFor(shield(task)) times out while the shielded task runs on to its result', async () => {
    await expectSameTrace(
      `
      async def work():
          await asyncio.sleep(0.03)
          log('work finished')
          return 'work result'
      async def main():
          t = asyncio.create_task(work())
          try:
              await asyncio.wait_for(asyncio.shield(t), 0.01)
          except TimeoutError:
              log('timed out, work cancelled', t.cancelled())
          log('later', await t)
      `,
      async (log) => {
        const t = createTask(async () => {
          await sleep(30)
          log('work finished')
          return 'work result'
        })
        try {
          await waitFor(shield(t), 10)
        } catch (e) {
          if (e instanceof TimeoutError) log('timed out, work cancelled', b(t.cancelled()))
        }
        log('later', await t)
      },
    )
  })

  it('cancelling a task blocked in wait() or in asCompleted leaves the awaited tasks running', async () => {
    await expectSameTrace(
      `
      async def job(name, d):
          await asyncio.sleep(d)
          log(name, 'finished')
      async def waiter(ts):
          try:
              await asyncio.wait(ts, return_when=asyncio.FIRST_COMPLETED)
          except asyncio.CancelledError:
              log('wait cancelled')
              raise
      async def iterator(ts):
          try:
              for c in asyncio.as_completed(ts):
                  await c
                  log('as_completed yielded')
          except asyncio.CancelledError:
              log('as_completed cancelled')
              raise
      async def main():
          ts = [asyncio.create_task(job('a', 0.02)), asyncio.create_task(job('b', 0.04))]
          w = asyncio.create_task(waiter(ts))
          i = asyncio.create_task(iterator(ts))
          await asyncio.sleep(0.01)
          w.cancel()
          await asyncio.sleep(0.02)
          i.cancel()
          await asyncio.sleep(0.03)
          log('a', ts[0].done() and not ts[0].cancelled(), 'b', ts[1].done() and not ts[1].cancelled())
      `,
      async (log) => {
        const job = (name: string, d: number) => async (): Promise<void> => {
          await sleep(d)
          log(name, 'finished')
        }
        const ts = [createTask(job('a', 20)), createTask(job('b', 40))]
        const w = createTask(async () => {
          try {
            await wait(ts, { returnWhen: FIRST_COMPLETED })
          } catch (e) {
            log('wait cancelled')
            throw e
          }
        })
        const i = createTask(async () => {
          try {
            for await (const t of asCompleted(ts)) {
              await t
              log('as_completed yielded')
            }
          } catch (e) {
            log('as_completed cancelled')
            throw e
          }
        })
        await sleep(10)
        w.cancel()
        await sleep(20)
        i.cancel()
        await sleep(30)
        log('a', b(ts[0]!.done() && !ts[0]!.cancelled()), 'b', b(ts[1]!.done() && !ts[1]!.cancelled()))
      },
    )
  })

  it('a task group child with its own waitFor times out alone, without failing the group', async () => {
    await expectSameTrace(
      `
      async def slow():
          await asyncio.sleep(1)
      async def careful(name):
          try:
              await asyncio.wait_for(slow(), 0.01)
          except TimeoutError:
              log(name, 'gave up')
          return name
      async def main():
          async with asyncio.TaskGroup() as tg:
              a = tg.create_task(careful('a'))
              bb = tg.create_task(careful('b'))
          log('group done', a.result(), bb.result())
      `,
      async (log) => {
        const careful = (name: string) => async (): Promise<string> => {
          try {
            await waitFor(() => sleep(1000), 10)
          } catch (e) {
            if (e instanceof TimeoutError) log(name, 'gave up')
          }
          return name
        }
        const [a, bb] = await taskGroup(async (tg) => [tg.createTask(careful('a')), tg.createTask(careful('b'))])
        log('group done', a.result(), bb.result())
      },
    )
  })

  it('an event set by a callback at a deadline wakes waiters after the timers of that tick', async () => {
    await expectSameTrace(
      `
      async def waiter(ev, name):
          await ev.wait()
          log(name, 'woke')
      async def sleeper():
          await asyncio.sleep(0.01)
          log('sleeper woke')
      async def main():
          ev = asyncio.Event()
          asyncio.create_task(waiter(ev, 'w1'))
          asyncio.get_running_loop().call_later(0.01, ev.set)
          asyncio.create_task(sleeper())
          asyncio.create_task(waiter(ev, 'w2'))
          await asyncio.sleep(0.02)
      `,
      async (log) => {
        const ev = new Event()
        const waiter = (name: string) => async (): Promise<void> => {
          await ev.wait()
          log(name, 'woke')
        }
        createTask(waiter('w1'))
        getRunningLoop().callLater(10, () => ev.set())
        createTask(async () => {
          await sleep(10)
          log('sleeper woke')
        })
        createTask(waiter('w2'))
        await sleep(20)
      },
    )
  })

  it('a CancelledError caught and re-raised as another error ends the task failed, not cancelled', async () => {
    await expectSameTrace(
      `
      async def converter():
          try:
              await asyncio.sleep(1)
          except asyncio.CancelledError:
              raise ValueError('converted')
      async def main():
          t = asyncio.create_task(converter())
          await asyncio.sleep(0.01)
          t.cancel()
          try:
              await t
          except ValueError as e:
              log('raised', err(e), 'cancelled', t.cancelled(), 'cancelling', t.cancelling())
      `,
      async (log) => {
        const t = createTask(async () => {
          try {
            await sleep(1000)
          } catch (e) {
            if (e instanceof CancelledError) throw new ValueError('converted')
          }
        })
        await sleep(10)
        t.cancel()
        try {
          await t
        } catch (e) {
          log('raised', err(e), 'cancelled', b(t.cancelled()), 'cancelling', t.cancelling())
        }
      },
    )
  })


  it('a timeout inside a group body expiring as a child fails: the group reports both errors', async () => {
    await expectSameTrace(
      `
      async def fails():
          await asyncio.sleep(0.01)
          log('child fails')
          raise ValueError('child')
      async def main():
          try:
              async with asyncio.TaskGroup() as tg:
                  tg.create_task(fails())
                  await asyncio.sleep(0)
                  async with asyncio.timeout(0.01):
                      await asyncio.sleep(1)
          except BaseExceptionGroup as eg:
              log('group', err(eg), 'cancelling', asyncio.current_task().cancelling())
      `,
      async (log) => {
        try {
          await taskGroup(async (tg) => {
            tg.createTask(async () => {
              await sleep(10)
              log('child fails')
              throw new ValueError('child')
            })
            await sleep(0)
            await timeout(10, async () => {
              await sleep(1000)
            })
          })
        } catch (e) {
          log('group', err(e), 'cancelling', currentTask()!.cancelling())
        }
      },
    )
  })


  it('async generators consumed by two tasks interleave at their sleeps, and cancelling a consumer closes its generator', async () => {
    await expectSameTrace(
      `
      async def ticks(name, n, d):
          try:
              for i in range(n):
                  await asyncio.sleep(d)
                  yield f'{name}{i}'
          finally:
              log(name, 'generator closed')
      async def consume(name, n, d):
          gen = ticks(name, n, d)
          try:
              async for v in gen:
                  log('got', v)
          finally:
              await gen.aclose()
      async def main():
          a = asyncio.create_task(consume('a', 3, 0.01))
          bb = asyncio.create_task(consume('b', 5, 0.015))
          await a
          bb.cancel()
          try:
              await bb
          except asyncio.CancelledError:
              log('b cancelled', bb.cancelled())
      `,
      async (log) => {
        async function* ticks(name: string, n: number, d: number): AsyncGenerator<string> {
          try {
            for (let i = 0; i < n; i++) {
              await sleep(d)
              yield `${name}${i}`
            }
          } finally {
            log(name, 'generator closed')
          }
        }
        const consume = (name: string, n: number, d: number) => async (): Promise<void> => {
          for await (const v of ticks(name, n, d)) log('got', v)
        }
        const a = createTask(consume('a', 3, 10))
        const bb = createTask(consume('b', 5, 15))
        await a
        bb.cancel()
        try {
          await bb
        } catch (e) {
          if (e instanceof CancelledError) log('b cancelled', b(bb.cancelled()))
        }
      },
    )
  })
})
