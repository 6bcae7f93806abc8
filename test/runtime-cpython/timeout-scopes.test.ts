/** timeout()/timeoutAt() scopes as CPython 3.12's asyncio.timeout (prelude.py carries its code). */
import { describe, it } from 'vitest'
import type { TimeoutScope } from '../../src/main/runtime/index'
import { CancelledError, TimeoutError, createTask, currentTask, getRunningLoop, sleep, timeout, timeoutAt } from '../../src/main/runtime/index'
import { ValueError, b, err, expectSameTrace } from './cpython'

describe('timeout scopes, compared with CPython 3.12', () => {
  it('an expired scope turns the cancellation into TimeoutError and reports expired()', async () => {
    await expectSameTrace(
      `
      async def main():
          cm = asyncio.timeout(0.01)
          try:
              async with cm:
                  log('when', ms(cm.when()), 'expired', cm.expired())
                  await asyncio.sleep(1)
          except TimeoutError:
              log('TimeoutError, expired', cm.expired(), 'cancelling', asyncio.current_task().cancelling())
      `,
      async (log) => {
        let scope: TimeoutScope | null = null
        try {
          await timeout(10, async (s) => {
            scope = s
            log('when', s.when(), 'expired', b(s.expired()))
            await sleep(1000)
          })
        } catch (e) {
          if (e instanceof TimeoutError) log('TimeoutError, expired', b(scope!.expired()), 'cancelling', currentTask()!.cancelling())
        }
      },
    )
  })

  it('a body that ends exactly at the deadline loses to the earlier-scheduled deadline', async () => {
    await expectSameTrace(
      `
      async def main():
          try:
              async with asyncio.timeout(0.01):
                  await asyncio.sleep(0.01)
                  log('body finished')
          except TimeoutError:
              log('TimeoutError')
      `,
      async (log) => {
        try {
          await timeout(10, async () => {
            await sleep(10)
            log('body finished')
          })
        } catch (e) {
          if (e instanceof TimeoutError) log('TimeoutError')
        }
      },
    )
  })

  it('in nested scopes only the scope that expired converts; the other lets it pass', async () => {
    await expectSameTrace(
      `
      async def main():
          outer = asyncio.timeout(0.05)
          inner = asyncio.timeout(0.01)
          try:
              async with outer:
                  try:
                      async with inner:
                          await asyncio.sleep(1)
                  except TimeoutError:
                      log('inner converted; outer expired', outer.expired())
                  await asyncio.sleep(1)
          except TimeoutError:
              log('outer converted; inner expired', inner.expired())
          outer2 = asyncio.timeout(0.01)
          inner2 = asyncio.timeout(0.05)
          try:
              async with outer2:
                  try:
                      async with inner2:
                          await asyncio.sleep(1)
                  except asyncio.CancelledError:
                      log('inner2 let CancelledError through, expired', inner2.expired())
                      raise
          except TimeoutError:
              log('outer2 converted')
      `,
      async (log) => {
        let outer: TimeoutScope | null = null
        let inner: TimeoutScope | null = null
        try {
          await timeout(50, async (o) => {
            outer = o
            try {
              await timeout(10, async (i) => {
                inner = i
                await sleep(1000)
              })
            } catch (e) {
              if (!(e instanceof TimeoutError)) throw e
              log('inner converted; outer expired', b(o.expired()))
            }
            await sleep(1000)
          })
        } catch (e) {
          if (e instanceof TimeoutError) log('outer converted; inner expired', b(inner!.expired()))
        }
        void outer
        let inner2: TimeoutScope | null = null
        try {
          await timeout(10, async () => {
            try {
              await timeout(50, async (i) => {
                inner2 = i
                await sleep(1000)
              })
            } catch (e) {
              if (e instanceof CancelledError) log('inner2 let CancelledError through, expired', b(inner2!.expired()))
              throw e
            }
          })
        } catch (e) {
          if (e instanceof TimeoutError) log('outer2 converted')
        }
      },
    )
  })

  it('nested scopes expiring at the same tick: the inner passes it on and the outer converts', async () => {
    await expectSameTrace(
      `
      async def main():
          try:
              async with asyncio.timeout(0.01):
                  try:
                      async with asyncio.timeout(0.01):
                          await asyncio.sleep(1)
                  except asyncio.CancelledError:
                      log('inner passed CancelledError on, cancelling', asyncio.current_task().cancelling())
                      raise
                  except TimeoutError:
                      log('inner converted')
                      await asyncio.sleep(0)
                      log('after inner')
          except TimeoutError:
              log('outer converted, cancelling', asyncio.current_task().cancelling())
          await asyncio.sleep(0.01)
          log('main goes on')
      `,
      async (log) => {
        try {
          await timeout(10, async () => {
            try {
              await timeout(10, async () => {
                await sleep(1000)
              })
            } catch (e) {
              if (e instanceof CancelledError) {
                log('inner passed CancelledError on, cancelling', currentTask()!.cancelling())
                throw e
              }
              if (!(e instanceof TimeoutError)) throw e
              log('inner converted')
              await sleep(0)
              log('after inner')
            }
          })
        } catch (e) {
          if (e instanceof TimeoutError) log('outer converted, cancelling', currentTask()!.cancelling())
        }
        await sleep(10)
        log('main goes on')
      },
    )
  })

  it('reschedule while the body runs extends, shortens or removes the deadline', async () => {
    await expectSameTrace(
      `
      async def main():
          loop = asyncio.get_running_loop()
          async with asyncio.timeout(0.01) as cm:
              loop.call_later(0.005, lambda: cm.reschedule(loop.time() + 0.02))
              await asyncio.sleep(0.02)
              log('survived the first deadline, when', ms(cm.when()))
              cm.reschedule(None)
              await asyncio.sleep(1)
              log('no deadline, when', ms(cm.when()))
          try:
              async with asyncio.timeout(None) as cm2:
                  log('when', ms(cm2.when()))
                  loop.call_later(0.01, lambda: cm2.reschedule(loop.time() + 0.005))
                  await asyncio.sleep(1)
          except TimeoutError:
              log('shortened deadline hit, expired', cm2.expired())
          try:
              async with asyncio.timeout(1) as cm3:
                  await asyncio.sleep(0.01)
                  cm3.reschedule(loop.time() - 0.5)
                  log('rescheduled into the past')
                  await asyncio.sleep(0.01)
          except TimeoutError:
              log('past deadline fired at the next await')
      `,
      async (log) => {
        const loop = getRunningLoop()
        await timeout(10, async (cm) => {
          loop.callLater(5, () => cm.reschedule(loop.time() + 20))
          await sleep(20)
          log('survived the first deadline, when', cm.when())
          cm.reschedule(null)
          await sleep(1000)
          log('no deadline, when', cm.when())
        })
        let cm2: TimeoutScope | null = null
        try {
          await timeout(null, async (s) => {
            cm2 = s
            log('when', s.when())
            loop.callLater(10, () => s.reschedule(loop.time() + 5))
            await sleep(1000)
          })
        } catch (e) {
          if (e instanceof TimeoutError) log('shortened deadline hit, expired', b(cm2!.expired()))
        }
        try {
          await timeout(1000, async (cm3) => {
            await sleep(10)
            cm3.reschedule(loop.time() - 500)
            log('rescheduled into the past')
            await sleep(10)
          })
        } catch (e) {
          if (e instanceof TimeoutError) log('past deadline fired at the next await')
        }
      },
    )
  })

  it('a cancel from outside during a scope stays a CancelledError, even if the deadline also passes', async () => {
    await expectSameTrace(
      `
      async def worker(hold):
          try:
              async with asyncio.timeout(0.02):
                  try:
                      await asyncio.sleep(1)
                  except asyncio.CancelledError:
                      if hold:
                          await asyncio.sleep(0.05)
                      raise
          except TimeoutError:
              log('TimeoutError (hold', hold, ')')
          except asyncio.CancelledError:
              log('CancelledError (hold', hold, ') cancelling', asyncio.current_task().cancelling())
              raise
      async def main():
          for hold in (False, True):
              t = asyncio.create_task(worker(hold))
              await asyncio.sleep(0.01)
              t.cancel()
              await asyncio.sleep(0.1)
              log('cancelled', t.cancelled())
      `,
      async (log) => {
        const worker = async (hold: boolean): Promise<void> => {
          const h = hold ? 'True' : 'False'
          try {
            await timeout(20, async () => {
              try {
                await sleep(1000)
              } catch (e) {
                if (hold) await sleep(50)
                throw e
              }
            })
          } catch (e) {
            if (e instanceof TimeoutError) log('TimeoutError (hold', h, ')')
            else {
              log('CancelledError (hold', h, ') cancelling', currentTask()!.cancelling())
              throw e
            }
          }
        }
        for (const hold of [false, true]) {
          const t = createTask(() => worker(hold))
          await sleep(10)
          t.cancel()
          await sleep(100)
          log('cancelled', b(t.cancelled()))
        }
      },
    )
  })

  it('a scope entered during cleanup (cancelling() already 1) still converts its own expiry (3.12)', async () => {
    await expectSameTrace(
      `
      async def worker():
          try:
              await asyncio.sleep(1)
          except asyncio.CancelledError:
              log('cleanup with cancelling', asyncio.current_task().cancelling())
              try:
                  async with asyncio.timeout(0.01):
                      await asyncio.sleep(1)
              except TimeoutError:
                  log('cleanup step timed out, cancelling', asyncio.current_task().cancelling())
              raise
      async def main():
          t = asyncio.create_task(worker())
          await asyncio.sleep(0.01)
          t.cancel()
          await asyncio.sleep(0.1)
          log('worker cancelled', t.cancelled())
      `,
      async (log) => {
        const t = createTask(async () => {
          try {
            await sleep(1000)
          } catch (e) {
            log('cleanup with cancelling', currentTask()!.cancelling())
            try {
              await timeout(10, async () => {
                await sleep(1000)
              })
            } catch (te) {
              if (te instanceof TimeoutError) log('cleanup step timed out, cancelling', currentTask()!.cancelling())
            }
            throw e
          }
        })
        await sleep(10)
        t.cancel()
        await sleep(100)
        log('worker cancelled', b(t.cancelled()))
      },
    )
  })

  it('a body that swallows the expiry returns normally; one that raises another error propagates it', async () => {
    await expectSameTrace(
      `
      async def main():
          async with asyncio.timeout(0.01) as cm:
              try:
                  await asyncio.sleep(1)
              except asyncio.CancelledError:
                  log('swallowed inside the scope')
          log('scope exited quietly, expired', cm.expired(), 'cancelling', asyncio.current_task().cancelling())
          try:
              async with asyncio.timeout(0.01):
                  try:
                      await asyncio.sleep(1)
                  except asyncio.CancelledError:
                      raise ValueError('replaced')
          except Exception as e:
              log('raised', err(e), 'cancelling', asyncio.current_task().cancelling())
          return 'ok'
      `,
      async (log) => {
        let cm: TimeoutScope | null = null
        await timeout(10, async (s) => {
          cm = s
          try {
            await sleep(1000)
          } catch {
            log('swallowed inside the scope')
          }
        })
        log('scope exited quietly, expired', b(cm!.expired()), 'cancelling', currentTask()!.cancelling())
        try {
          await timeout(10, async () => {
            try {
              await sleep(1000)
            } catch {
              throw new ValueError('replaced')
            }
          })
        } catch (e) {
          log('raised', err(e), 'cancelling', currentTask()!.cancelling())
        }
        return 'ok'
      },
    )
  })

  it('timeoutAt takes a loop time, and a deadline already past fires at the first await', async () => {
    await expectSameTrace(
      `
      async def main():
          loop = asyncio.get_running_loop()
          await asyncio.sleep(0.01)
          try:
              async with asyncio.timeout_at(loop.time() + 0.02) as cm:
                  log('when', ms(cm.when()))
                  await asyncio.sleep(1)
          except TimeoutError:
              log('timed out')
          try:
              async with asyncio.timeout_at(loop.time() - 1):
                  log('body starts anyway')
                  await asyncio.sleep(0)
                  log('not reached')
          except TimeoutError:
              log('past deadline')
          try:
              async with asyncio.timeout(0):
                  log('zero timeout body starts')
                  await asyncio.sleep(0.01)
          except TimeoutError:
              log('zero timeout expired')
      `,
      async (log) => {
        const loop = getRunningLoop()
        await sleep(10)
        try {
          await timeoutAt(loop.time() + 20, async (cm) => {
            log('when', cm.when())
            await sleep(1000)
          })
        } catch (e) {
          if (e instanceof TimeoutError) log('timed out')
        }
        try {
          await timeoutAt(loop.time() - 1000, async () => {
            log('body starts anyway')
            await sleep(0)
            log('not reached')
          })
        } catch (e) {
          if (e instanceof TimeoutError) log('past deadline')
        }
        try {
          await timeout(0, async () => {
            log('zero timeout body starts')
            await sleep(10)
          })
        } catch (e) {
          if (e instanceof TimeoutError) log('zero timeout expired')
        }
      },
    )
  })

  it('reschedule after the scope expired or exited is refused with RuntimeError', async () => {
    await expectSameTrace(
      `
      async def main():
          async with asyncio.timeout(1) as cm:
              await asyncio.sleep(0)
          try:
              cm.reschedule(5)
          except RuntimeError:
              log('exited scope refused')
          try:
              async with asyncio.timeout(0.01) as cm2:
                  await asyncio.sleep(1)
          except TimeoutError:
              pass
          try:
              cm2.reschedule(5)
          except RuntimeError:
              log('expired scope refused')
      `,
      async (log) => {
        let cm: TimeoutScope | null = null
        await timeout(1000, async (s) => {
          cm = s
          await sleep(0)
        })
        try {
          cm!.reschedule(5000)
        } catch (e) {
          if (e instanceof Error && e.name === 'RuntimeError') log('exited scope refused')
          else log('wrong error', err(e))
        }
        let cm2: TimeoutScope | null = null
        try {
          await timeout(10, async (s) => {
            cm2 = s
            await sleep(1000)
          })
        } catch {
          // the expiry itself is not what this test looks at
        }
        try {
          cm2!.reschedule(5000)
        } catch (e) {
          if (e instanceof Error && e.name === 'RuntimeError') log('expired scope refused')
          else log('wrong error', err(e))
        }
      },
    )
  })
})
