/** Cancellation as CPython delivers it: requests, counts, cleanup, propagation, shield. */
import { describe, it } from 'vitest'
import type { Task } from '../../src/main/runtime/index'
import { CancelledError, createTask, currentTask, gather, getRunningLoop, shield, sleep } from '../../src/main/runtime/index'
import { ValueError, b, err, expectSameTrace } from './cpython'

describe('cancellation, compared with CPython', () => {
  it('a task cancelled before its first step never runs its body and ends cancelled', async () => {
    await expectSameTrace(
      `
      async def body():
          log('body ran')
          return 1
      async def main():
          t = asyncio.create_task(body())
          log('cancel returns', t.cancel())
          log('cancelling', t.cancelling(), 'done', t.done())
          try:
              await t
          except asyncio.CancelledError:
              log('awaiting it raised CancelledError')
          log('cancelled', t.cancelled(), 'cancel again', t.cancel())
      `,
      async (log) => {
        const t = createTask(async () => {
          log('body ran')
          return 1
        })
        log('cancel returns', b(t.cancel()))
        log('cancelling', t.cancelling(), 'done', b(t.done()))
        try {
          await t
        } catch (e) {
          if (e instanceof CancelledError) log('awaiting it raised CancelledError')
        }
        log('cancelled', b(t.cancelled()), 'cancel again', b(t.cancel()))
      },
    )
  })

  it('a cancel that arrives after the wake-up was queued is still delivered at that resumption', async () => {
    await expectSameTrace(
      `
      async def worker():
          try:
              await asyncio.sleep(0.01)
              log('worker resumed normally')
          except asyncio.CancelledError:
              log('worker got CancelledError at the resumption')
              raise
      async def main():
          t = asyncio.create_task(worker())
          await asyncio.sleep(0)
          asyncio.get_running_loop().call_later(0.01, lambda: log('cancel', t.cancel()))
          await asyncio.sleep(0.02)
          log('worker cancelled', t.cancelled())
      `,
      async (log) => {
        const t = createTask(async () => {
          try {
            await sleep(10)
            log('worker resumed normally')
          } catch (e) {
            log('worker got CancelledError at the resumption')
            throw e
          }
        })
        await sleep(0)
        getRunningLoop().callLater(10, () => log('cancel', b(t.cancel())))
        await sleep(20)
        log('worker cancelled', b(t.cancelled()))
      },
    )
  })

  it('a task woken by the same tick as the one cancelling it gets the cancellation (graceful-cancel)', async () => {
    await expectSameTrace(
      `
      async def worker():
          try:
              while True:
                  log('round')
                  await asyncio.sleep(1)
          except asyncio.CancelledError:
              log('cleanup')
              raise
      async def main():
          t = asyncio.create_task(worker())
          await asyncio.sleep(5)
          t.cancel()
          await asyncio.sleep(0)
          log('cancelled', t.cancelled())
      `,
      async (log) => {
        const t = createTask(async () => {
          try {
            for (;;) {
              log('round')
              await sleep(1000)
            }
          } catch (e) {
            log('cleanup')
            throw e
          }
        })
        await sleep(5000)
        t.cancel()
        await sleep(0)
        log('cancelled', b(t.cancelled()))
      },
    )
  })

  it('cleanup may await, and a second cancel interrupts the cleanup await as CPython does', async () => {
    await expectSameTrace(
      `
      async def worker():
          try:
              await asyncio.sleep(1)
          except asyncio.CancelledError:
              log('cleanup starts, cancelling', asyncio.current_task().cancelling())
              try:
                  await asyncio.sleep(0.05)
                  log('cleanup finished')
              except asyncio.CancelledError:
                  log('cleanup interrupted, cancelling', asyncio.current_task().cancelling())
                  await asyncio.sleep(0.01)
                  log('after second cleanup')
              raise
      async def main():
          t = asyncio.create_task(worker())
          await asyncio.sleep(0.01)
          t.cancel()
          await asyncio.sleep(0.01)
          log('second cancel', t.cancel(), 'cancelling', t.cancelling())
          try:
              await t
          except asyncio.CancelledError:
              log('worker cancelled', t.cancelled())
      `,
      async (log) => {
        const t = createTask(async () => {
          try {
            await sleep(1000)
          } catch (e) {
            log('cleanup starts, cancelling', currentTask()!.cancelling())
            try {
              await sleep(50)
              log('cleanup finished')
            } catch {
              log('cleanup interrupted, cancelling', currentTask()!.cancelling())
              await sleep(10)
              log('after second cleanup')
            }
            throw e
          }
        })
        await sleep(10)
        t.cancel()
        await sleep(10)
        log('second cancel', b(t.cancel()), 'cancelling', t.cancelling())
        try {
          await t
        } catch (e) {
          if (e instanceof CancelledError) log('worker cancelled', b(t.cancelled()))
        }
      },
    )
  })

  it('cancelling a task cancels the shared task it awaits, and every other waiter sees it', async () => {
    await expectSameTrace(
      `
      async def shared_work():
          try:
              await asyncio.sleep(1)
              return 'shared result'
          except asyncio.CancelledError:
              log('shared cancelled')
              raise
      async def waiter(name, s):
          try:
              log(name, 'got', await s)
          except asyncio.CancelledError:
              log(name, 'got CancelledError')
      async def main():
          s = asyncio.create_task(shared_work())
          a = asyncio.create_task(waiter('a', s))
          c = asyncio.create_task(waiter('c', s))
          await asyncio.sleep(0.01)
          a.cancel()
          await asyncio.sleep(0.01)
          log('shared cancelled', s.cancelled(), 'a', a.cancelled(), 'c', c.cancelled())
      `,
      async (log) => {
        const s = createTask(async () => {
          try {
            await sleep(1000)
            return 'shared result'
          } catch (e) {
            log('shared cancelled')
            throw e
          }
        })
        const waiter = async (name: string): Promise<void> => {
          try {
            log(name, 'got', await s)
          } catch (e) {
            if (e instanceof CancelledError) log(name, 'got CancelledError')
          }
        }
        const a = createTask(() => waiter('a'))
        const c = createTask(() => waiter('c'))
        await sleep(10)
        a.cancel()
        await sleep(10)
        log('shared cancelled', b(s.cancelled()), 'a', b(a.cancelled()), 'c', b(c.cancelled()))
      },
    )
  })

  it('shield keeps the shared task running when the task awaiting it is cancelled', async () => {
    await expectSameTrace(
      `
      async def shared_work():
          await asyncio.sleep(0.05)
          log('shared finished')
          return 'shared result'
      async def guarded(s):
          try:
              return await asyncio.shield(s)
          except asyncio.CancelledError:
              log('guarded cancelled, shared done?', s.done())
              raise
      async def main():
          s = asyncio.create_task(shared_work())
          g = asyncio.create_task(guarded(s))
          await asyncio.sleep(0.01)
          g.cancel()
          await asyncio.sleep(0)
          log('g cancelled', g.cancelled(), 's cancelled', s.cancelled())
          log('direct await', await s)
      `,
      async (log) => {
        const s = createTask(async () => {
          await sleep(50)
          log('shared finished')
          return 'shared result'
        })
        const g = createTask(async () => {
          try {
            return await shield(s)
          } catch (e) {
            log('guarded cancelled, shared done?', b(s.done()))
            throw e
          }
        })
        await sleep(10)
        g.cancel()
        await sleep(0)
        log('g cancelled', b(g.cancelled()), 's cancelled', b(s.cancelled()))
        log('direct await', await s)
      },
    )
  })

  it('a cancelled shield future leaves the inner task to finish, and an inner failure reaches the outer', async () => {
    await expectSameTrace(
      `
      async def inner(fail):
          await asyncio.sleep(0.01)
          if fail:
              raise ValueError('inner failed')
          log('inner done')
          return 3
      async def main():
          i1 = asyncio.create_task(inner(False))
          o1 = asyncio.shield(i1)
          log('outer cancel', o1.cancel(), 'inner cancelled', i1.cancelled())
          log('inner result', await i1)
          i2 = asyncio.create_task(inner(True))
          try:
              await asyncio.shield(i2)
          except ValueError as e:
              log('outer raised', err(e))
          i3 = asyncio.create_task(inner(False))
          o3 = asyncio.shield(i3)
          i3.cancel()
          try:
              await o3
          except asyncio.CancelledError:
              log('inner cancelled, outer cancelled', o3.cancelled())
      `,
      async (log) => {
        const inner = (fail: boolean) => async (): Promise<number> => {
          await sleep(10)
          if (fail) throw new ValueError('inner failed')
          log('inner done')
          return 3
        }
        const i1 = createTask(inner(false))
        const o1 = shield(i1)
        log('outer cancel', b(o1.cancel()), 'inner cancelled', b(i1.cancelled()))
        log('inner result', await i1)
        const i2 = createTask(inner(true))
        try {
          await shield(i2)
        } catch (e) {
          log('outer raised', err(e))
        }
        const i3 = createTask(inner(false))
        const o3 = shield(i3)
        i3.cancel()
        try {
          await o3
        } catch (e) {
          if (e instanceof CancelledError) log('inner cancelled, outer cancelled', b(o3.cancelled()))
        }
      },
    )
  })

  it('a future cancelled by someone else raises CancelledError in its awaiter without a cancel request', async () => {
    await expectSameTrace(
      `
      async def main():
          loop = asyncio.get_running_loop()
          f = loop.create_future()
          loop.call_later(0.01, f.cancel)
          try:
              await f
          except asyncio.CancelledError:
              log('caught, cancelling', asyncio.current_task().cancelling())
          await asyncio.sleep(0.01)
          log('main goes on')
          t = asyncio.create_task(asyncio.sleep(1))
          await asyncio.sleep(0)
          t.cancel()
          try:
              await t
          except asyncio.CancelledError:
              log('awaiting a cancelled task raised, main cancelling', asyncio.current_task().cancelling())
          return 'finished'
      `,
      async (log) => {
        const loop = getRunningLoop()
        const f = loop.createFuture<void>()
        loop.callLater(10, () => f.cancel())
        try {
          await f
        } catch {
          log('caught, cancelling', currentTask()!.cancelling())
        }
        await sleep(10)
        log('main goes on')
        const t = createTask(() => sleep(1000))
        await sleep(0)
        t.cancel()
        try {
          await t
        } catch {
          log('awaiting a cancelled task raised, main cancelling', currentTask()!.cancelling())
        }
        return 'finished'
      },
    )
  })

  it('cancelling a task that awaits a gather cancels every child of the gather', async () => {
    await expectSameTrace(
      `
      async def child(i):
          try:
              await asyncio.sleep(i / 100)
              log('child', i, 'done')
          except asyncio.CancelledError:
              log('child', i, 'cancelled')
              raise
      async def parent():
          try:
              await asyncio.gather(child(1), child(5), child(9))
          except asyncio.CancelledError:
              log('parent cancelled')
              raise
      async def main():
          p = asyncio.create_task(parent())
          await asyncio.sleep(0.03)
          p.cancel()
          await asyncio.sleep(0.01)
          log('parent cancelled', p.cancelled())
      `,
      async (log) => {
        const child = (i: number) => async (): Promise<void> => {
          try {
            await sleep(i * 10)
            log('child', i, 'done')
          } catch (e) {
            log('child', i, 'cancelled')
            throw e
          }
        }
        const p: Task<void> = createTask(async () => {
          try {
            await gather([child(1), child(5), child(9)])
          } catch (e) {
            log('parent cancelled')
            throw e
          }
        })
        await sleep(30)
        p.cancel()
        await sleep(10)
        log('parent cancelled', b(p.cancelled()))
      },
    )
  })
})
