/** Futures used as thenables more than once in a step (see /tmp/runtime-bugs/BUGS.md, B13). */
import { describe, expect, it } from 'vitest'
import { getRunningLoop, sleep } from '../../../src/main/runtime/index'
import { expectSameTrace, hung, ts } from '../cpython'

describe('a future used as a thenable twice in one step (pending runtime fixes)', () => {
  it('Promise.all over the same future twice resolves with both results', async () => {
    const lines = await Promise.race([
      ts(async (log) => {
        const loop = getRunningLoop()
        const f = loop.createFuture<number>()
        loop.callLater(10, () => f.setResult(1))
        log('all', JSON.stringify(await Promise.all([f, f])))
      }),
      hung(1000),
    ])
    expect(lines).toEqual(['10 all [1,1]', '10 end null'])
  })

  it('a then() callback on the future a task then awaits runs, and the next await is not cut short', async () => {
    await expectSameTrace(
      `
      async def main():
          loop = asyncio.get_running_loop()
          f = loop.create_future()
          loop.call_later(0.01, f.set_result, 1)
          f.add_done_callback(lambda fut: log('callback saw', fut.result()))
          log('awaited', await f)
          await asyncio.sleep(0.05)
          log('slept 50')
      `,
      async (log) => {
        const loop = getRunningLoop()
        const f = loop.createFuture<number>()
        loop.callLater(10, () => f.setResult(1))
        void f.then((v) => log('callback saw', v))
        log('awaited', await f)
        await sleep(50)
        log('slept 50')
      },
    )
  })
})
