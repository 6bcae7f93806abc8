/** waitFor cases where the runtime still differs from CPython 3.12 (see /tmp/runtime-bugs/BUGS.md). */
import { describe, it } from 'vitest'
import { TimeoutError, createTask, currentTask, getRunningLoop, sleep, waitFor } from '../../../src/main/runtime/index'
import { b, expectSameTrace } from '../cpython'

describe('waitFor on a coroutine function, compared with CPython 3.12 (pending runtime fixes)', () => {
  it('waitFor runs a coroutine function in the calling task at once, as 3.12 awaits the coroutine inline', async () => {
    await expectSameTrace(
      `
      async def main():
          me = asyncio.current_task()
          async def other():
              log('other task runs')
          async def inner():
              log('inner runs, same task:', asyncio.current_task() is me)
              await asyncio.sleep(0.01)
              return 'inner value'
          asyncio.create_task(other())
          log('got', await asyncio.wait_for(inner(), 1))
      `,
      async (log) => {
        const me = currentTask()
        createTask(async () => log('other task runs'))
        const inner = async (): Promise<string> => {
          log('inner runs, same task:', b(currentTask() === me))
          await sleep(10)
          return 'inner value'
        }
        log('got', await waitFor(inner, 1000))
      },
    )
  })

  it('on timeout the coroutine\'s cleanup runs in the calling task before TimeoutError, in the same iteration', async () => {
    await expectSameTrace(
      `
      async def ticker():
          for i in range(3):
              log('tick', i)
              await asyncio.sleep(0)
      async def main():
          async def inner():
              try:
                  await asyncio.sleep(1)
              except asyncio.CancelledError:
                  log('cleanup, cancelling', asyncio.current_task().cancelling())
                  raise
          asyncio.get_running_loop().call_later(0.01, lambda: asyncio.create_task(ticker()))
          try:
              await asyncio.wait_for(inner(), 0.01)
          except TimeoutError:
              log('TimeoutError, cancelling', asyncio.current_task().cancelling())
      `,
      async (log) => {
        const ticker = async (): Promise<void> => {
          for (let i = 0; i < 3; i++) {
            log('tick', i)
            await sleep(0)
          }
        }
        const inner = async (): Promise<void> => {
          try {
            await sleep(1000)
          } catch (e) {
            log('cleanup, cancelling', currentTask()!.cancelling())
            throw e
          }
        }
        getRunningLoop().callLater(10, () => void createTask(ticker))
        try {
          await waitFor(inner, 10)
        } catch (e) {
          if (e instanceof TimeoutError) log('TimeoutError, cancelling', currentTask()!.cancelling())
        }
      },
    )
  })
})
