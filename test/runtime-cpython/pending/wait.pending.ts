/** wait/asCompleted cases where the runtime still differs from CPython (see /tmp/runtime-bugs/BUGS.md, B15). */
import { describe, it } from 'vitest'
import { asCompleted, sleep, wait } from '../../../src/main/runtime/index'
import { expectSameTrace } from '../cpython'

describe('wait and asCompleted on a repeated awaitable (pending runtime fixes)', () => {
  it('an awaitable listed twice runs once, as CPython makes a set of them (and as gather dedups)', async () => {
    await expectSameTrace(
      `
      async def main():
          runs = 0
          async def job():
              nonlocal runs
              runs += 1
              await asyncio.sleep(0.001)
              return runs
          c = job()
          got = [await f for f in asyncio.as_completed([c, c])]
          log('as_completed ran', runs, 'time(s), yielded', len(got))
          t = asyncio.create_task(job())
          done, pending = await asyncio.wait([t, t])
          log('wait ran', runs, 'time(s) in all, done', len(done))
      `,
      async (log) => {
        let runs = 0
        const job = async (): Promise<number> => {
          runs++
          await sleep(1)
          return runs
        }
        const got: unknown[] = []
        for await (const t of asCompleted([job, job])) got.push(await t)
        log('as_completed ran', runs, 'time(s), yielded', got.length)
        const { done } = await wait([job, job])
        log('wait ran', runs, 'time(s) in all, done', done.size)
      },
    )
  })
})
