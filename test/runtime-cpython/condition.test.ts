/** Condition as asyncio.Condition (3.12): notify order, the lock around wait, cancellation. */
import { describe, it } from 'vitest'
import { CancelledError, Condition, Lock, RuntimeError, createTask, gather, sleep } from '../../src/main/runtime/index'
import { b, err, expectSameTrace } from './cpython'

describe('Condition, compared with CPython', () => {
  it('notify(n) wakes the longest waiting first, each re-acquires the lock only once the notifier releases it; notifyAll wakes the rest', async () => {
    await expectSameTrace(
      `
      async def waiter(cond, name):
          async with cond:
              log(name, 'waiting')
              r = await cond.wait()
              log(name, 'woken with the lock', r, cond.locked())
              await asyncio.sleep(0.005)
          log(name, 'released')
      async def main():
          cond = asyncio.Condition()
          ws = [asyncio.create_task(waiter(cond, f'w{i}')) for i in range(4)]
          await asyncio.sleep(0.01)
          async with cond:
              cond.notify()
              log('notified 1, still holding')
              await asyncio.sleep(0.01)
          await asyncio.sleep(0.02)
          async with cond:
              cond.notify(2)
          await asyncio.sleep(0.02)
          async with cond:
              cond.notify_all()
          await asyncio.gather(*ws)
          log('locked at the end', cond.locked())
      `,
      async (log) => {
        const cond = new Condition()
        const waiter = (name: string) => async (): Promise<void> => {
          await cond.acquire()
          try {
            log(name, 'waiting')
            const r = await cond.wait()
            log(name, 'woken with the lock', r ? 'True' : 'False', b(cond.locked()))
            await sleep(5)
          } finally {
            cond.release()
          }
          log(name, 'released')
        }
        const ws = [0, 1, 2, 3].map((i) => createTask(waiter(`w${i}`)))
        await sleep(10)
        await cond.acquire()
        cond.notify()
        log('notified 1, still holding')
        await sleep(10)
        cond.release()
        await sleep(20)
        await cond.acquire()
        cond.notify(2)
        cond.release()
        await sleep(20)
        await cond.acquire()
        cond.notifyAll()
        cond.release()
        await gather(ws)
        log('locked at the end', b(cond.locked()))
      },
    )
  })

  it('waitFor(predicate) checks first, then after each notification, and returns the predicate value', async () => {
    await expectSameTrace(
      `
      async def main():
          cond = asyncio.Condition()
          box = []
          async def consumer():
              async with cond:
                  r = await cond.wait_for(lambda: len(box) >= 2 and len(box))
                  log('consumer saw', r)
          c = asyncio.create_task(consumer())
          for i in range(3):
              await asyncio.sleep(0.01)
              async with cond:
                  box.append(i)
                  log('put', i)
                  cond.notify()
          await c
          async with cond:
              log('already true:', await cond.wait_for(lambda: 'yes'))
      `,
      async (log) => {
        const cond = new Condition()
        const box: number[] = []
        const c = createTask(async () => {
          await cond.acquire()
          try {
            const r = await cond.waitFor(() => box.length >= 2 && box.length)
            log('consumer saw', r)
          } finally {
            cond.release()
          }
        })
        for (let i = 0; i < 3; i++) {
          await sleep(10)
          await cond.acquire()
          box.push(i)
          log('put', i)
          cond.notify()
          cond.release()
        }
        await c
        await cond.acquire()
        log('already true:', await cond.waitFor(() => 'yes'))
        cond.release()
      },
    )
  })

  it('a cancelled wait re-acquires the lock before the CancelledError propagates, behind the current holder', async () => {
    await expectSameTrace(
      `
      async def main():
          lock = asyncio.Lock()
          cond = asyncio.Condition(lock)
          async def waiter():
              await cond.acquire()
              try:
                  await cond.wait()
              except asyncio.CancelledError:
                  log('waiter cancelled, holds the lock again:', cond.locked())
                  raise
              finally:
                  cond.release()
                  log('waiter released')
          w = asyncio.create_task(waiter())
          await asyncio.sleep(0.01)
          await lock.acquire()
          log('main holds the shared lock')
          w.cancel()
          await asyncio.sleep(0.02)
          log('waiter still waiting for the lock:', not w.done())
          lock.release()
          try:
              await w
          except asyncio.CancelledError:
              log('waiter ended cancelled', w.cancelled())
          log('locked', lock.locked())
      `,
      async (log) => {
        const lock = new Lock()
        const cond = new Condition(lock)
        const w = createTask(async () => {
          await cond.acquire()
          try {
            await cond.wait()
          } catch (e) {
            if (e instanceof CancelledError) log('waiter cancelled, holds the lock again:', b(cond.locked()))
            throw e
          } finally {
            cond.release()
            log('waiter released')
          }
        })
        await sleep(10)
        await lock.acquire()
        log('main holds the shared lock')
        w.cancel()
        await sleep(20)
        log('waiter still waiting for the lock:', b(!w.done()))
        lock.release()
        try {
          await w
        } catch (e) {
          if (e instanceof CancelledError) log('waiter ended cancelled', b(w.cancelled()))
        }
        log('locked', b(lock.locked()))
      },
    )
  })

  it('wait() and notify() without the lock are RuntimeErrors', async () => {
    await expectSameTrace(
      `
      async def main():
          cond = asyncio.Condition()
          try:
              await cond.wait()
          except RuntimeError as e:
              log('wait:', err(e), e)
          try:
              cond.notify()
          except RuntimeError as e:
              log('notify:', err(e), e)
          try:
              cond.notify_all()
          except RuntimeError as e:
              log('notifyAll:', err(e), e)
          log('locked', cond.locked())
      `,
      async (log) => {
        const cond = new Condition()
        const attempt = async (what: string, f: () => unknown): Promise<void> => {
          try {
            await f()
          } catch (e) {
            if (e instanceof RuntimeError) log(what, err(e), e.message)
            else throw e
          }
        }
        await attempt('wait:', () => cond.wait())
        await attempt('notify:', () => cond.notify())
        await attempt('notifyAll:', () => cond.notifyAll())
        log('locked', b(cond.locked()))
      },
    )
  })
})
