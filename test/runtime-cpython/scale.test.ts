/**
 * Scale: long chains and many tasks. Where CPython can run the same program quickly it gives the
 * expected trace; beyond that (100k tasks take CPython seconds; a 10k-deep cancel chain overflows
 * its recursion limit) the TS side is checked against what the program itself computes.
 */
import { describe, expect, it } from 'vitest'
import type { Task } from '../../src/main/runtime/index'
import { CancelledError, createTask, gather, getRunningLoop, sleep } from '../../src/main/runtime/index'
import { b, expectSameTrace, ts } from './cpython'

describe('scale, compared with CPython where it can keep up', () => {
  it('a chain of 10k tasks, each awaiting the previous one, resolves in order', async () => {
    await expectSameTrace(
      `
      async def link(p):
          if p is None:
              await asyncio.sleep(0.01)
              return 0
          return (await p) + 1
      async def main():
          prev = None
          for i in range(10_000):
              prev = asyncio.create_task(link(prev))
          log('chain', await prev, 'tasks left', len(asyncio.all_tasks()))
      `,
      async (log) => {
        let prev: Task<number> | null = null
        for (let i = 0; i < 10_000; i++) {
          const p: Task<number> | null = prev
          prev = createTask(async () => {
            if (p === null) {
              await sleep(10)
              return 0
            }
            return (await p) + 1
          })
        }
        log('chain', await prev!, 'tasks left', getRunningLoop().allTasks().size)
      },
    )
  })

  it('10k gathered tasks with staggered sleeps finish at the right times with results in order', async () => {
    await expectSameTrace(
      `
      async def job(i):
          await asyncio.sleep((i % 7) / 1000)
          return i
      async def main():
          r = await asyncio.gather(*(job(i) for i in range(10_000)))
          log('sum', sum(r), 'in order', r == sorted(r))
      `,
      async (log) => {
        const r = await gather(
          Array.from({ length: 10_000 }, (_, i) => async () => {
            await sleep(i % 7)
            return i
          }),
        )
        log('sum', r.reduce((a, x) => a + x, 0), 'in order', b(r.every((x, i) => i === 0 || r[i - 1]! < x)))
      },
    )
  })
})

describe('scale beyond what CPython runs quickly', () => {
  it('100k gathered tasks complete without stack overflow, results in order, at the longest sleep', async () => {
    const n = 100_000
    const lines = await ts(async (log) => {
      const r = await gather(
        Array.from({ length: n }, (_, i) => async () => {
          await sleep(i % 7)
          return i
        }),
      )
      log('sum', r.reduce((a, x) => a + x, 0), 'in order', b(r.every((x, i) => i === 0 || r[i - 1]! < x)))
    })
    expect(lines).toEqual([`6 sum ${(n * (n - 1)) / 2} in order True`, '6 end null'])
  })

  it('a 10k-deep chain of nested async functions resumes from its innermost await and unwinds a cancellation', async () => {
    const depth = 10_000
    const lines = await ts(async (log) => {
      // Each level first awaits a resolved promise (still inside the step): calling 10k async
      // functions synchronously would overflow plain Node's stack before the runtime is involved.
      const down = async (n: number): Promise<number> => {
        await null
        if (n === 0) {
          await sleep(10)
          return 0
        }
        return 1 + (await down(n - 1))
      }
      log('value', await down(depth))
      const t = createTask(() => down(depth))
      await sleep(5)
      t.cancel('unwind')
      try {
        await t
      } catch (e) {
        log('cancelled through the chain', b(e instanceof CancelledError && t.cancelled()))
      }
    })
    expect(lines).toEqual([`10 value ${depth}`, '15 cancelled through the chain True', '15 end null'])
  })

  it('100k callbacks queued at once run FIFO in one iteration', async () => {
    const lines = await ts(async (log) => {
      const loop = getRunningLoop()
      const seen: number[] = []
      for (let i = 0; i < 100_000; i++) loop.callSoon(() => seen.push(i))
      await sleep(0)
      log('ran', seen.length, 'in order', b(seen.every((x, i) => x === i)))
    })
    expect(lines).toEqual(['0 ran 100000 in order True', '0 end null'])
  })

  it('run cancels 30k leftover tasks and waits for every cleanup', async () => {
    let cleaned = 0
    const lines = await ts(async (log) => {
      for (let i = 0; i < 30_000; i++) {
        createTask(async () => {
          try {
            await sleep(60_000)
          } finally {
            cleaned++
          }
        })
      }
      await sleep(1)
      log('main returns')
    })
    expect(lines).toEqual(['1 main returns', '1 end null'])
    expect(cleaned).toBe(30_000)
  })

  it('cancelling the top of a 10k-task await chain reaches the bottom task without stack overflow', async () => {
    const lines = await ts(async (log) => {
      const chain: Task<number>[] = []
      for (let i = 0; i < 10_000; i++) {
        const p = chain[i - 1] ?? null
        chain.push(
          createTask(async () => {
            if (p === null) {
              await sleep(1000)
              return 0
            }
            return (await p) + 1
          }),
        )
      }
      await sleep(10)
      let outcome = 'cancel returned'
      try {
        chain[chain.length - 1]!.cancel()
      } catch (e) {
        outcome = `cancel threw ${e instanceof Error ? e.name : String(e)}`
      }
      log(outcome)
      await sleep(10)
      log('bottom cancelled', b(chain[0]!.cancelled()), 'top cancelled', b(chain[chain.length - 1]!.cancelled()))
    })
    expect(lines).toEqual(['10 cancel returned', '20 bottom cancelled True top cancelled True', '20 end null'])
  })
})
