/** Lock, Semaphore and Event as asyncio's: FIFO fairness, no barging, cancelled waiters. */
import { describe, it } from 'vitest'
import { BoundedSemaphore, Event, Lock, Semaphore, ValueError, createTask, gather, sleep } from '../../src/main/runtime/index'
import { b, expectSameTrace } from './cpython'

describe('Lock, compared with CPython', () => {
  it('waiters acquire the lock in the order they asked, and the releaser cannot barge back in', async () => {
    await expectSameTrace(
      `
      async def user(lock, name):
          await lock.acquire()
          log(name, 'acquired')
          await asyncio.sleep(0.01)
          lock.release()
          log(name, 'released')
      async def main():
          lock = asyncio.Lock()
          await lock.acquire()
          us = [asyncio.create_task(user(lock, f'u{i}')) for i in range(3)]
          await asyncio.sleep(0.01)
          lock.release()
          log('main released, locked', lock.locked())
          await lock.acquire()
          log('main acquired again, after the others')
          lock.release()
          await asyncio.gather(*us)
      `,
      async (log) => {
        const lock = new Lock()
        await lock.acquire()
        const us = [0, 1, 2].map((i) =>
          createTask(async () => {
            await lock.acquire()
            log(`u${i}`, 'acquired')
            await sleep(10)
            lock.release()
            log(`u${i}`, 'released')
          }),
        )
        await sleep(10)
        lock.release()
        log('main released, locked', b(lock.locked()))
        await lock.acquire()
        log('main acquired again, after the others')
        lock.release()
        await gather(us)
      },
    )
  })

  it('a cancelled waiter leaves the queue, and a woken waiter cancelled before it runs hands the lock on', async () => {
    await expectSameTrace(
      `
      async def user(lock, name):
          try:
              await lock.acquire()
          except asyncio.CancelledError:
              log(name, 'cancelled while waiting, locked', lock.locked())
              raise
          log(name, 'acquired')
          lock.release()
      async def main():
          lock = asyncio.Lock()
          await lock.acquire()
          u1 = asyncio.create_task(user(lock, 'u1'))
          u2 = asyncio.create_task(user(lock, 'u2'))
          u3 = asyncio.create_task(user(lock, 'u3'))
          await asyncio.sleep(0.01)
          u2.cancel()
          await asyncio.sleep(0.01)
          lock.release()
          u1.cancel()
          await asyncio.sleep(0.01)
          log('locked at the end', lock.locked())
      `,
      async (log) => {
        const lock = new Lock()
        await lock.acquire()
        const user = (name: string) => async (): Promise<void> => {
          try {
            await lock.acquire()
          } catch (e) {
            log(name, 'cancelled while waiting, locked', b(lock.locked()))
            throw e
          }
          log(name, 'acquired')
          lock.release()
        }
        const u1 = createTask(user('u1'))
        const u2 = createTask(user('u2'))
        createTask(user('u3'))
        await sleep(10)
        u2.cancel()
        await sleep(10)
        lock.release()
        u1.cancel()
        await sleep(10)
        log('locked at the end', b(lock.locked()))
      },
    )
  })

  it('releasing an unlocked lock raises RuntimeError and leaves it unlocked', async () => {
    await expectSameTrace(
      `
      async def main():
          lock = asyncio.Lock()
          try:
              lock.release()
          except RuntimeError:
              log('RuntimeError, locked', lock.locked())
          log('acquire', await lock.acquire(), 'locked', lock.locked())
      `,
      async (log) => {
        const lock = new Lock()
        try {
          lock.release()
        } catch (e) {
          if (e instanceof Error && e.name === 'RuntimeError') log('RuntimeError, locked', b(lock.locked()))
        }
        log('acquire', b(await lock.acquire()), 'locked', b(lock.locked()))
      },
    )
  })
})

describe('Semaphore, compared with CPython', () => {
  it('a semaphore admits value holders at once and the rest FIFO, even when a unit is free', async () => {
    await expectSameTrace(
      `
      async def user(sem, name, hold):
          await sem.acquire()
          log(name, 'in, locked', sem.locked())
          await asyncio.sleep(hold / 1000)
          sem.release()
          log(name, 'out')
      async def main():
          sem = asyncio.Semaphore(2)
          us = [asyncio.create_task(user(sem, f'u{i}', h)) for i, h in enumerate((30, 10, 20, 10, 5))]
          await asyncio.sleep(0.005)
          log('locked', sem.locked())
          await asyncio.gather(*us)
          log('locked at the end', sem.locked())
      `,
      async (log) => {
        const sem = new Semaphore(2)
        const us = [30, 10, 20, 10, 5].map((h, i) =>
          createTask(async () => {
            await sem.acquire()
            log(`u${i}`, 'in, locked', b(sem.locked()))
            await sleep(h)
            sem.release()
            log(`u${i}`, 'out')
          }),
        )
        await sleep(5)
        log('locked', b(sem.locked()))
        await gather(us)
        log('locked at the end', b(sem.locked()))
      },
    )
  })

  it('a woken waiter cancelled before it runs gives its unit to the next waiter', async () => {
    await expectSameTrace(
      `
      async def user(sem, name):
          try:
              await sem.acquire()
          except asyncio.CancelledError:
              log(name, 'cancelled')
              raise
          log(name, 'in')
      async def main():
          sem = asyncio.Semaphore(0)
          u1 = asyncio.create_task(user(sem, 'u1'))
          u2 = asyncio.create_task(user(sem, 'u2'))
          u3 = asyncio.create_task(user(sem, 'u3'))
          await asyncio.sleep(0.01)
          sem.release()
          u1.cancel()
          await asyncio.sleep(0.01)
          log('locked', sem.locked())
          sem.release()
          sem.release()
          await asyncio.sleep(0.01)
          log('locked', sem.locked(), 'free units acquire at once', await sem.acquire())
      `,
      async (log) => {
        const sem = new Semaphore(0)
        const user = (name: string) => async (): Promise<void> => {
          try {
            await sem.acquire()
          } catch (e) {
            log(name, 'cancelled')
            throw e
          }
          log(name, 'in')
        }
        const u1 = createTask(user('u1'))
        createTask(user('u2'))
        createTask(user('u3'))
        await sleep(10)
        sem.release()
        u1.cancel()
        await sleep(10)
        log('locked', b(sem.locked()))
        sem.release()
        sem.release()
        await sleep(10)
        log('locked', b(sem.locked()), 'free units acquire at once', b(await sem.acquire()))
      },
    )
  })
})

describe('Event, compared with CPython', () => {
  it('set wakes every waiter in order, clear makes new waiters wait, and a cancelled waiter is dropped', async () => {
    await expectSameTrace(
      `
      async def waiter(ev, name):
          try:
              r = await ev.wait()
              log(name, 'woke with', r)
          except asyncio.CancelledError:
              log(name, 'cancelled')
              raise
      async def main():
          ev = asyncio.Event()
          ws = [asyncio.create_task(waiter(ev, f'w{i}')) for i in range(3)]
          await asyncio.sleep(0.01)
          ws[1].cancel()
          await asyncio.sleep(0.01)
          ev.set()
          log('set, is_set', ev.is_set())
          ev.clear()
          log('cleared at once, is_set', ev.is_set())
          late = asyncio.create_task(waiter(ev, 'late'))
          await asyncio.sleep(0.01)
          log('late still waiting', not late.done())
          ev.set()
          ev.set()
          await asyncio.sleep(0)
          log('already set: wait returns at once', await ev.wait())
          await asyncio.sleep(0.01)
      `,
      async (log) => {
        const ev = new Event()
        const waiter = (name: string) => async (): Promise<void> => {
          try {
            const r = await ev.wait()
            log(name, 'woke with', b(r))
          } catch (e) {
            log(name, 'cancelled')
            throw e
          }
        }
        const ws = [0, 1, 2].map((i) => createTask(waiter(`w${i}`)))
        await sleep(10)
        ws[1]!.cancel()
        await sleep(10)
        ev.set()
        log('set, is_set', b(ev.isSet()))
        ev.clear()
        log('cleared at once, is_set', b(ev.isSet()))
        const late = createTask(waiter('late'))
        await sleep(10)
        log('late still waiting', b(!late.done()))
        ev.set()
        ev.set()
        await sleep(0)
        log('already set: wait returns at once', b(await ev.wait()))
        await sleep(10)
      },
    )
  })
})

describe('BoundedSemaphore, compared with CPython', () => {
  it('release() beyond the initial value is a ValueError and changes nothing; otherwise a Semaphore', async () => {
    await expectSameTrace(
      `
      async def main():
          sem = asyncio.BoundedSemaphore(2)
          try:
              sem.release()
          except ValueError as e:
              log('release at the bound:', type(e).__name__, e)
          await sem.acquire()
          await sem.acquire()
          log('locked', sem.locked())
          async def waiter():
              await sem.acquire()
              log('waiter acquired')
          w = asyncio.create_task(waiter())
          await asyncio.sleep(0)
          sem.release()
          await w
          sem.release()
          sem.release()
          try:
              sem.release()
          except ValueError as e:
              log('one too many:', type(e).__name__)
          log('locked', sem.locked())
      `,
      async (log) => {
        const sem = new BoundedSemaphore(2)
        try {
          sem.release()
        } catch (e) {
          if (e instanceof ValueError) log('release at the bound:', e.name, e.message)
        }
        await sem.acquire()
        await sem.acquire()
        log('locked', b(sem.locked()))
        const w = createTask(async () => {
          await sem.acquire()
          log('waiter acquired')
        })
        await sleep(0)
        sem.release()
        await w
        sem.release()
        sem.release()
        try {
          sem.release()
        } catch (e) {
          if (e instanceof ValueError) log('one too many:', e.name)
        }
        log('locked', b(sem.locked()))
      },
    )
  })
})
