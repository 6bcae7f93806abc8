/** Barrier as asyncio.Barrier (3.12): arrival indices, draining, abort, reset. */
import { describe, it } from 'vitest'
import { Barrier, BrokenBarrierError, ValueError, createTask, gather, sleep } from '../../src/main/runtime/index'
import { b, expectSameTrace } from './cpython'

describe('Barrier, compared with CPython', () => {
  it('releases all parties once the last arrives, returns arrival indices, and is reusable for the next round', async () => {
    await expectSameTrace(
      `
      async def main():
          barrier = asyncio.Barrier(3)
          async def party(name, d):
              for rnd in range(2):
                  await asyncio.sleep(d / 1000)
                  log(name, 'arrives, waiting', barrier.n_waiting)
                  i = await barrier.wait()
                  log(name, 'passed round', rnd, 'index', i)
          await asyncio.gather(party('a', 10), party('b', 30), party('c', 20))
          log('parties', barrier.parties, 'waiting', barrier.n_waiting, 'broken', barrier.broken)
      `,
      async (log) => {
        const barrier = new Barrier(3)
        const party = (name: string, d: number) => async (): Promise<void> => {
          for (let rnd = 0; rnd < 2; rnd++) {
            await sleep(d)
            log(name, 'arrives, waiting', barrier.nWaiting)
            const i = await barrier.wait()
            log(name, 'passed round', rnd, 'index', i)
          }
        }
        await gather([party('a', 10), party('b', 30), party('c', 20)])
        log('parties', barrier.parties, 'waiting', barrier.nWaiting, 'broken', b(barrier.broken))
      },
    )
  })

  it('abort() breaks waiting and later waits with BrokenBarrierError; reset() makes it usable again', async () => {
    await expectSameTrace(
      `
      async def main():
          barrier = asyncio.Barrier(3)
          async def party(name):
              try:
                  await barrier.wait()
                  log(name, 'passed')
              except asyncio.BrokenBarrierError:
                  log(name, 'BrokenBarrierError')
          ps = [asyncio.create_task(party(f'p{i}')) for i in range(2)]
          await asyncio.sleep(0.01)
          log('waiting', barrier.n_waiting)
          await barrier.abort()
          await asyncio.gather(*ps)
          log('broken', barrier.broken, 'waiting', barrier.n_waiting)
          await party('late')
          await barrier.reset()
          log('after reset broken', barrier.broken)
          await asyncio.gather(*[party(f'q{i}') for i in range(3)])
      `,
      async (log) => {
        const barrier = new Barrier(3)
        const party = (name: string) => async (): Promise<void> => {
          try {
            await barrier.wait()
            log(name, 'passed')
          } catch (e) {
            if (!(e instanceof BrokenBarrierError)) throw e
            log(name, 'BrokenBarrierError')
          }
        }
        const ps = [0, 1].map((i) => createTask(party(`p${i}`)))
        await sleep(10)
        log('waiting', barrier.nWaiting)
        await barrier.abort()
        await gather(ps)
        log('broken', b(barrier.broken), 'waiting', barrier.nWaiting)
        await party('late')()
        await barrier.reset()
        log('after reset broken', b(barrier.broken))
        await gather([0, 1, 2].map((i) => party(`q${i}`)))
      },
    )
  })

  it('reset() while parties wait breaks their wait; a cancelled party leaves the count; Barrier(0) is a ValueError', async () => {
    await expectSameTrace(
      `
      async def main():
          try:
              asyncio.Barrier(0)
          except ValueError as e:
              log('Barrier(0):', type(e).__name__, e)
          barrier = asyncio.Barrier(2)
          async def party(name):
              try:
                  i = await barrier.wait()
                  log(name, 'passed', i)
              except asyncio.BrokenBarrierError:
                  log(name, 'BrokenBarrierError')
          p = asyncio.create_task(party('p'))
          await asyncio.sleep(0.01)
          await barrier.reset()
          await p
          log('after reset waiting', barrier.n_waiting, 'broken', barrier.broken)
          c = asyncio.create_task(party('c'))
          await asyncio.sleep(0.01)
          log('waiting', barrier.n_waiting)
          c.cancel()
          await asyncio.sleep(0.01)
          log('after cancel waiting', barrier.n_waiting, 'cancelled', c.cancelled())
          await asyncio.gather(party('x'), party('y'))
      `,
      async (log) => {
        try {
          new Barrier(0)
        } catch (e) {
          if (e instanceof ValueError) log('Barrier(0):', e.name, e.message)
        }
        const barrier = new Barrier(2)
        const party = (name: string) => async (): Promise<void> => {
          try {
            const i = await barrier.wait()
            log(name, 'passed', i)
          } catch (e) {
            if (!(e instanceof BrokenBarrierError)) throw e
            log(name, 'BrokenBarrierError')
          }
        }
        const p = createTask(party('p'))
        await sleep(10)
        await barrier.reset()
        await p
        log('after reset waiting', barrier.nWaiting, 'broken', b(barrier.broken))
        const c = createTask(party('c'))
        await sleep(10)
        log('waiting', barrier.nWaiting)
        c.cancel()
        await sleep(10)
        log('after cancel waiting', barrier.nWaiting, 'cancelled', b(c.cancelled()))
        await gather([party('x'), party('y')])
      },
    )
  })
})
