/** Cancellation requests as CPython 3.12 counts them: cancelling(), uncancel(), self-cancels, messages. */
import { describe, it } from 'vitest'
import { createTask, currentTask, gather, getRunningLoop, sleep, taskGroup, waitFor } from '../../src/main/runtime/index'
import { b, cancelMessage, expectSameTrace } from './cpython'

describe('cancel requests, compared with CPython 3.12', () => {
  it('a task that swallows the cancellation and returns ends done with its value, its count still raised', async () => {
    await expectSameTrace(
      `
      async def worker():
          try:
              await asyncio.sleep(1)
          except asyncio.CancelledError:
              log('swallowed')
          await asyncio.sleep(0.01)
          log('still running, cancelling', asyncio.current_task().cancelling())
          return 'value'
      async def main():
          t = asyncio.create_task(worker())
          await asyncio.sleep(0.01)
          t.cancel()
          v = await t
          log('result', v, 'cancelled', t.cancelled(), 'cancelling', t.cancelling())
      `,
      async (log) => {
        const t = createTask(async () => {
          try {
            await sleep(1000)
          } catch {
            log('swallowed')
          }
          await sleep(10)
          log('still running, cancelling', currentTask()!.cancelling())
          return 'value'
        })
        await sleep(10)
        t.cancel()
        const v = await t
        log('result', v, 'cancelled', b(t.cancelled()), 'cancelling', t.cancelling())
      },
    )
  })

  it('cancelling() counts every request and uncancel() takes one back', async () => {
    await expectSameTrace(
      `
      async def worker():
          me = asyncio.current_task()
          try:
              await asyncio.sleep(1)
          except asyncio.CancelledError:
              log('caught, cancelling', me.cancelling())
          log('uncancel ->', me.uncancel(), me.uncancel(), me.uncancel(), me.uncancel())
          await asyncio.sleep(0.01)
          log('runs on with cancelling', me.cancelling())
          return 'ok'
      async def main():
          t = asyncio.create_task(worker())
          await asyncio.sleep(0)
          log('cancel x3', t.cancel(), t.cancel(), t.cancel(), 'cancelling', t.cancelling())
          log('result', await t)
      `,
      async (log) => {
        const t = createTask(async () => {
          const me = currentTask()!
          try {
            await sleep(1000)
          } catch {
            log('caught, cancelling', me.cancelling())
          }
          log('uncancel ->', me.uncancel(), me.uncancel(), me.uncancel(), me.uncancel())
          await sleep(10)
          log('runs on with cancelling', me.cancelling())
          return 'ok'
        })
        await sleep(0)
        log('cancel x3', b(t.cancel()), b(t.cancel()), b(t.cancel()), 'cancelling', t.cancelling())
        log('result', await t)
      },
    )
  })

  it('the cancel message reaches the task and whoever awaits it, through an awaited chain', async () => {
    await expectSameTrace(
      `
      async def leaf():
          try:
              await asyncio.sleep(1)
          except asyncio.CancelledError as e:
              log('leaf got', repr(str(e)))
              raise
      async def middle(l):
          try:
              await l
          except asyncio.CancelledError as e:
              log('middle got', repr(str(e)))
              raise
      async def main():
          l = asyncio.create_task(leaf())
          m = asyncio.create_task(middle(l))
          await asyncio.sleep(0.01)
          m.cancel('stop now')
          try:
              await m
          except asyncio.CancelledError as e:
              log('main got', repr(str(e)))
          log('leaf cancelled', l.cancelled())
      `,
      async (log) => {
        const q = (s: string): string => `'${s}'`
        const l = createTask(async () => {
          try {
            await sleep(1000)
          } catch (e) {
            log('leaf got', q(cancelMessage(e)))
            throw e
          }
        })
        const m = createTask(async () => {
          try {
            await l
          } catch (e) {
            log('middle got', q(cancelMessage(e)))
            throw e
          }
        })
        await sleep(10)
        m.cancel('stop now')
        try {
          await m
        } catch (e) {
          log('main got', q(cancelMessage(e)))
        }
        log('leaf cancelled', b(l.cancelled()))
      },
    )
  })

  it('a task that cancels itself gets CancelledError at its next await, and ends cancelled if it returns first', async () => {
    await expectSameTrace(
      `
      async def self_cancel_then_await():
          asyncio.current_task().cancel()
          log('still running after cancel()')
          try:
              await asyncio.sleep(0)
          except asyncio.CancelledError:
              log('CancelledError at the next await')
              raise
      async def self_cancel_then_return():
          asyncio.current_task().cancel()
          return 'returned'
      async def main():
          a = asyncio.create_task(self_cancel_then_await())
          r = asyncio.create_task(self_cancel_then_return())
          await asyncio.sleep(0.01)
          log('a cancelled', a.cancelled(), 'r cancelled', r.cancelled())
      `,
      async (log) => {
        const a = createTask(async () => {
          currentTask()!.cancel()
          log('still running after cancel()')
          try {
            await sleep(0)
          } catch (e) {
            log('CancelledError at the next await')
            throw e
          }
        })
        const r = createTask(async () => {
          currentTask()!.cancel()
          return 'returned'
        })
        await sleep(10)
        log('a cancelled', b(a.cancelled()), 'r cancelled', b(r.cancelled()))
      },
    )
  })

  it('uncancel() after a cancel whose wake-up was already queued does not withdraw the CancelledError (3.12)', async () => {
    await expectSameTrace(
      `
      async def worker():
          try:
              await asyncio.sleep(0.01)
              log('resumed normally')
          except asyncio.CancelledError:
              log('got CancelledError, cancelling', asyncio.current_task().cancelling())
      async def main():
          t = asyncio.create_task(worker())
          await asyncio.sleep(0)
          def cancel_then_uncancel():
              t.cancel()
              log('uncancel ->', t.uncancel())
          asyncio.get_running_loop().call_later(0.01, cancel_then_uncancel)
          await t
      `,
      async (log) => {
        const t = createTask(async () => {
          try {
            await sleep(10)
            log('resumed normally')
          } catch {
            log('got CancelledError, cancelling', currentTask()!.cancelling())
          }
        })
        await sleep(0)
        getRunningLoop().callLater(10, () => {
          t.cancel()
          log('uncancel ->', t.uncancel())
        })
        await t
      },
    )
  })

  it('a task that cancels and uncancels itself still gets CancelledError at its next await (3.12)', async () => {
    await expectSameTrace(
      `
      async def main():
          me = asyncio.current_task()
          me.cancel()
          log('uncancel ->', me.uncancel())
          try:
              await asyncio.sleep(0)
              log('no CancelledError')
          except asyncio.CancelledError:
              log('CancelledError anyway')
      `,
      async (log) => {
        const me = currentTask()!
        me.cancel()
        log('uncancel ->', me.uncancel())
        try {
          await sleep(0)
          log('no CancelledError')
        } catch {
          log('CancelledError anyway')
        }
      },
    )
  })

  it('a task with a cancel request pending gets the CancelledError of the future someone else cancelled', async () => {
    await expectSameTrace(
      `
      async def worker(f):
          try:
              await asyncio.sleep(1)
          except asyncio.CancelledError as e:
              log('first', repr(str(e)))
          try:
              await f
          except asyncio.CancelledError as e:
              log('second', repr(str(e)), 'cancelling', asyncio.current_task().cancelling())
      async def main():
          f = asyncio.get_running_loop().create_future()
          t = asyncio.create_task(worker(f))
          await asyncio.sleep(0.01)
          t.cancel('by main')
          await asyncio.sleep(0.01)
          f.cancel('future cancelled by main')
          await t
          log('t cancelled', t.cancelled())
      `,
      async (log) => {
        const q = (s: string): string => `'${s}'`
        const f = getRunningLoop().createFuture<void>()
        const t = createTask(async () => {
          try {
            await sleep(1000)
          } catch (e) {
            log('first', q(cancelMessage(e)))
          }
          try {
            await f
          } catch (e) {
            log('second', q(cancelMessage(e)), 'cancelling', currentTask()!.cancelling())
          }
        })
        await sleep(10)
        t.cancel('by main')
        await sleep(10)
        f.cancel('future cancelled by main')
        await t
        log('t cancelled', b(t.cancelled()))
      },
    )
  })

  it('a cancel message travels through gather, waitFor and a task group to the code that catches it', async () => {
    await expectSameTrace(
      `
      async def victim(name):
          try:
              await asyncio.sleep(1)
          except asyncio.CancelledError as e:
              log(name, 'got', repr(str(e)))
              raise
      async def main():
          g = asyncio.gather(victim('g1'), victim('g2'))
          await asyncio.sleep(0.01)
          g.cancel('stop the gather')
          try:
              await g
          except asyncio.CancelledError as e:
              log('gather raised', repr(str(e)))
          async def waits():
              await asyncio.wait_for(victim('w'), 1)
          t = asyncio.create_task(waits())
          await asyncio.sleep(0.01)
          t.cancel('stop the wait')
          try:
              await t
          except asyncio.CancelledError as e:
              log('waitFor task raised', repr(str(e)))
          async def grouped():
              async with asyncio.TaskGroup() as tg:
                  tg.create_task(victim('tg1'))
                  await asyncio.sleep(1)
          t2 = asyncio.create_task(grouped())
          await asyncio.sleep(0.01)
          t2.cancel('stop the group')
          try:
              await t2
          except asyncio.CancelledError as e:
              log('group task raised', repr(str(e)))
      `,
      async (log) => {
        const q = (s: string): string => `'${s}'`
        const victim = (name: string) => async (): Promise<void> => {
          try {
            await sleep(1000)
          } catch (e) {
            log(name, 'got', q(cancelMessage(e)))
            throw e
          }
        }
        const g = gather([victim('g1'), victim('g2')])
        await sleep(10)
        g.cancel('stop the gather')
        try {
          await g
        } catch (e) {
          log('gather raised', q(cancelMessage(e)))
        }
        const t = createTask(async () => {
          await waitFor(victim('w'), 1000)
        })
        await sleep(10)
        t.cancel('stop the wait')
        try {
          await t
        } catch (e) {
          log('waitFor task raised', q(cancelMessage(e)))
        }
        const t2 = createTask(() =>
          taskGroup(async (tg) => {
            tg.createTask(victim('tg1'))
            await sleep(1000)
          }),
        )
        await sleep(10)
        t2.cancel('stop the group')
        try {
          await t2
        } catch (e) {
          log('group task raised', q(cancelMessage(e)))
        }
      },
    )
  })
})
