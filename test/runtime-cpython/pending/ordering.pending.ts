/** Ordering cases where the runtime still differs from CPython (see /tmp/runtime-bugs/BUGS.md). */
import { describe, it } from 'vitest'
import { getRunningLoop, sleep } from '../../../src/main/runtime/index'
import { expectSameTrace } from '../cpython'

describe('ordering, compared with CPython (pending runtime fixes)', () => {
  it('a timer with a negative delay is due earlier than a zero-delay timer scheduled before it', async () => {
    await expectSameTrace(
      `
      async def main():
          loop = asyncio.get_running_loop()
          loop.call_later(0, log, 'zero-delay timer')
          loop.call_later(-0.005, log, 'negative-delay timer')
          loop.call_later(-0.010, log, 'more negative timer')
          await asyncio.sleep(0.001)
      `,
      async (log) => {
        const loop = getRunningLoop()
        loop.callLater(0, () => log('zero-delay timer'))
        loop.callLater(-5, () => log('negative-delay timer'))
        loop.callLater(-10, () => log('more negative timer'))
        await sleep(1)
      },
    )
  })
})
