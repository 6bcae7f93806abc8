/** run() exit cases where the runtime differs from asyncio.run (see /tmp/runtime-bugs/BUGS.md, B16). */
import { describe, it } from 'vitest'
import { createTask, currentTask, sleep } from '../../../src/main/runtime/index'
import { expectSameTrace } from '../cpython'

describe('run() exit, compared with asyncio.run (pending runtime fixes)', () => {
  it('a leftover already cleaning up when main returns is cancelled again, interrupting its cleanup, as asyncio.run does', async () => {
    await expectSameTrace(
      `
      async def worker():
          try:
              await asyncio.sleep(1)
          except asyncio.CancelledError:
              log('cleanup starts')
              try:
                  await asyncio.sleep(0.05)
                  log('cleanup finished')
              except asyncio.CancelledError:
                  log('cleanup interrupted, cancelling', asyncio.current_task().cancelling())
              raise
      async def main():
          t = asyncio.create_task(worker())
          await asyncio.sleep(0.01)
          t.cancel()
          await asyncio.sleep(0.01)
          log('main returns while the worker cleans up')
      `,
      async (log) => {
        const t = createTask(async () => {
          try {
            await sleep(1000)
          } catch (e) {
            log('cleanup starts')
            try {
              await sleep(50)
              log('cleanup finished')
            } catch {
              log('cleanup interrupted, cancelling', currentTask()!.cancelling())
            }
            throw e
          }
        })
        await sleep(10)
        t.cancel()
        await sleep(10)
        log('main returns while the worker cleans up')
      },
    )
  })
})
