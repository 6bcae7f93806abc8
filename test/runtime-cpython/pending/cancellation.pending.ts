/** Cancellation cases where the runtime still differs from CPython 3.12 (see /tmp/runtime-bugs/BUGS.md). */
import { describe, it } from 'vitest'
import { createTask, currentTask, getRunningLoop, sleep } from '../../../src/main/runtime/index'
import { b, cancelMessage, expectSameTrace } from '../cpython'

describe('cancellation, compared with CPython (pending runtime fixes)', () => {
  it('uncancel() after a cancel whose wake-up was already queued does not withdraw the CancelledError (3.12)', async () => {
    await expectSameTrace(
      `
      async def worker():
          try:
              await asyncio.sleep(0.01)
              log('resumed normally')
          except asyncio.CancelledError:
              log('got CancelledError, cancelling', asyncio.current_task().cancelling())
      async def main():
          t = asyncio.create_task(worker())
          await asyncio.sleep(0)
          def cancel_then_uncancel():
              t.cancel()
              log('uncancel ->', t.uncancel())
          asyncio.get_running_loop().call_later(0.01, cancel_then_uncancel)
          await t
      `,
      async (log) => {
        const t = createTask(async () => {
          try {
            await sleep(10)
            log('resumed normally')
          } catch {
            log('got CancelledError, cancelling', currentTask()!.cancelling())
          }
        })
        await sleep(0)
        getRunningLoop().callLater(10, () => {
          t.cancel()
          log('uncancel ->', t.uncancel())
        })
        await t
      },
    )
  })

  it('a task that cancels and uncancels itself still gets CancelledError at its next await (3.12)', async () => {
    await expectSameTrace(
      `
      async def main():
          me = asyncio.current_task()
          me.cancel()
          log('uncancel ->', me.uncancel())
          try:
              await asyncio.sleep(0)
              log('no CancelledError')
          except asyncio.CancelledError:
              log('CancelledError anyway')
      `,
      async (log) => {
        const me = currentTask()!
        me.cancel()
        log('uncancel ->', me.uncancel())
        try {
          await sleep(0)
          log('no CancelledError')
        } catch {
          log('CancelledError anyway')
        }
      },
    )
  })

  it('a task with a cancel request pending gets the CancelledError of the future someone else cancelled', async () => {
    await expectSameTrace(
      `
      async def worker(f):
          try:
              await asyncio.sleep(1)
          except asyncio.CancelledError as e:
              log('first', repr(str(e)))
          try:
              await f
          except asyncio.CancelledError as e:
              log('second', repr(str(e)), 'cancelling', asyncio.current_task().cancelling())
      async def main():
          f = asyncio.get_running_loop().create_future()
          t = asyncio.create_task(worker(f))
          await asyncio.sleep(0.01)
          t.cancel('by main')
          await asyncio.sleep(0.01)
          f.cancel('future cancelled by main')
          await t
          log('t cancelled', t.cancelled())
      `,
      async (log) => {
        const q = (s: string): string => `'${s}'`
        const f = getRunningLoop().createFuture<void>()
        const t = createTask(async () => {
          try {
            await sleep(1000)
          } catch (e) {
            log('first', q(cancelMessage(e)))
          }
          try {
            await f
          } catch (e) {
            log('second', q(cancelMessage(e)), 'cancelling', currentTask()!.cancelling())
          }
        })
        await sleep(10)
        t.cancel('by main')
        await sleep(10)
        f.cancel('future cancelled by main')
        await t
        log('t cancelled', b(t.cancelled()))
      },
    )
  })
})
