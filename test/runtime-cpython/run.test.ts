/** run() as asyncio.run: main's outcome, and what is left over is cancelled and waited for. */
import { describe, it } from 'vitest'
import { CancelledError, createTask, currentTask, sleep } from '../../src/main/runtime/index'
import type { Log } from './cpython'
import { ValueError, expectSameTrace } from './cpython'

const pyWorker = `
async def worker(name, cleanup=0, swallow=False):
    try:
        while True:
            await asyncio.sleep(0.01)
            log(name, 'round')
    except asyncio.CancelledError:
        log(name, 'cancelled')
        await asyncio.sleep(cleanup / 1000)
        log(name, 'cleanup done')
        if not swallow:
            raise
    log(name, 'swallowed and returns')
`

function tsWorker(log: Log) {
  return (name: string, cleanup = 0, swallow = false) =>
    async (): Promise<void> => {
      try {
        for (;;) {
          await sleep(10)
          log(name, 'round')
        }
      } catch (e) {
        log(name, 'cancelled')
        await sleep(cleanup)
        log(name, 'cleanup done')
        if (!swallow || !(e instanceof CancelledError)) throw e
      }
      log(name, 'swallowed and returns')
    }
}

describe('run, compared with asyncio.run', () => {
  it('run cancels the leftover task when main returns and waits for its cleanup before returning main\'s value', async () => {
    await expectSameTrace(
      [
        pyWorker,
        `
      async def main():
          asyncio.create_task(worker('w', cleanup=20))
          await asyncio.sleep(0.025)
          log('main returns')
          return 'main value'
      `,
      ],
      async (log) => {
        createTask(tsWorker(log)('w', 20))
        await sleep(25)
        log('main returns')
        return 'main value'
      },
    )
  })

  it('a leftover woken in the tick main returns in still runs that step before it is cancelled', async () => {
    await expectSameTrace(
      [
        pyWorker,
        `
      async def main():
          await asyncio.sleep(0)
          asyncio.create_task(worker('w'))
          await asyncio.sleep(0.01)
          log('main returns')
      `,
      ],
      async (log) => {
        await sleep(0)
        createTask(tsWorker(log)('w'))
        await sleep(10)
        log('main returns')
      },
    )
  })

  it('run cancels every leftover, waits for a slow cleanup and for one that swallows the cancellation', async () => {
    await expectSameTrace(
      [
        pyWorker,
        `
      async def main():
          asyncio.create_task(worker('a', cleanup=30))
          asyncio.create_task(worker('b', cleanup=10, swallow=True))
          asyncio.create_task(worker('c'))
          await asyncio.sleep(0.015)
          return 7
      `,
      ],
      async (log) => {
        const w = tsWorker(log)
        createTask(w('a', 30))
        createTask(w('b', 10, true))
        createTask(w('c'))
        await sleep(15)
        return 7
      },
      { unordered: / cancelled$|^\d+ c cleanup done$/ },
    )
  })

  it('an error from main is raised by run after the leftovers were cancelled', async () => {
    await expectSameTrace(
      [
        pyWorker,
        `
      async def main():
          asyncio.create_task(worker('w', cleanup=10))
          await asyncio.sleep(0.015)
          raise ValueError('main failed')
      `,
      ],
      async (log) => {
        createTask(tsWorker(log)('w', 10))
        await sleep(15)
        throw new ValueError('main failed')
      },
    )
  })

  it('a main task cancelled by another task makes run raise CancelledError', async () => {
    await expectSameTrace(
      `
      async def main():
          me = asyncio.current_task()
          async def killer():
              await asyncio.sleep(0.01)
              log('killer cancels main')
              me.cancel()
          asyncio.create_task(killer())
          try:
              await asyncio.sleep(1)
          finally:
              log('main finally')
      `,
      async (log) => {
        const me = currentTask()!
        createTask(async () => {
          await sleep(10)
          log('killer cancels main')
          me.cancel()
        })
        try {
          await sleep(1000)
        } finally {
          log('main finally')
        }
      },
    )
  })


  it('a leftover whose cleanup fails does not change what run returns', async () => {
    await expectSameTrace(
      `
      async def leftover():
          try:
              await asyncio.sleep(1)
          except asyncio.CancelledError:
              log('leftover cleanup fails')
              raise ValueError('cleanup')
      async def main():
          asyncio.create_task(leftover())
          await asyncio.sleep(0.01)
          return 'main value'
      `,
      async (log) => {
        createTask(async () => {
          try {
            await sleep(1000)
          } catch {
            log('leftover cleanup fails')
            throw new ValueError('cleanup')
          }
        })
        await sleep(10)
        return 'main value'
      },
    )
  })

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
