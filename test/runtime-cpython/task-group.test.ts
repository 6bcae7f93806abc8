/** taskGroup as CPython's TaskGroup: sibling cancellation, error order, body errors, outside cancels. */
import { describe, it } from 'vitest'
import type { Task, TaskGroup } from '../../src/main/runtime/index'
import { CancelledError, createTask, currentTask, sleep, taskGroup } from '../../src/main/runtime/index'
import type { Log } from './cpython'
import { ValueError, b, err, expectSameTrace, fmt } from './cpython'

/** A child that sleeps `d` ms then returns or fails; on cancellation it may clean up for `cleanup` ms and fail there. */
const pyChild = `
async def child(name, d, fail=False, cleanup=None, cleanup_fails=False):
    try:
        await asyncio.sleep(d / 1000)
    except asyncio.CancelledError:
        log(name, 'cancelled')
        if cleanup is not None:
            await asyncio.sleep(cleanup / 1000)
            if cleanup_fails:
                log(name, 'cleanup fails')
                raise ValueError(name + ' cleanup')
            log(name, 'cleaned up')
        raise
    if fail:
        log(name, 'fails')
        raise ValueError(name)
    log(name, 'finished')
    return name
`

function tsChild(log: Log) {
  return (name: string, d: number, opts: { fail?: boolean; cleanup?: number; cleanupFails?: boolean } = {}) =>
    async (): Promise<string> => {
      try {
        await sleep(d)
      } catch (e) {
        log(name, 'cancelled')
        if (opts.cleanup !== undefined) {
          await sleep(opts.cleanup)
          if (opts.cleanupFails) {
            log(name, 'cleanup fails')
            throw new ValueError(`${name} cleanup`)
          }
          log(name, 'cleaned up')
        }
        throw e
      }
      if (opts.fail) {
        log(name, 'fails')
        throw new ValueError(name)
      }
      log(name, 'finished')
      return name
    }
}

describe('taskGroup, compared with CPython', () => {
  it('the group waits for every child and returns after the last one', async () => {
    await expectSameTrace(
      [
        pyChild,
        `
      async def main():
          async with asyncio.TaskGroup() as tg:
              ts = [tg.create_task(child(n, d)) for n, d in (('a', 30), ('b', 10), ('c', 20))]
              log('body done')
          log('group done', fmt([t.result() for t in ts]))
      `,
      ],
      async (log) => {
        const child = tsChild(log)
        const ts = await taskGroup(async (tg) => {
          const ts = [tg.createTask(child('a', 30)), tg.createTask(child('b', 10)), tg.createTask(child('c', 20))]
          log('body done')
          return ts
        })
        log('group done', fmt(ts.map((t) => t.result())))
      },
      { unordered: / cancelled$/ },
    )
  })

  it('the first failing child cancels its siblings and the body, and the group raises its error', async () => {
    await expectSameTrace(
      [
        pyChild,
        `
      async def main():
          try:
              async with asyncio.TaskGroup() as tg:
                  tg.create_task(child('a', 10, fail=True))
                  tg.create_task(child('b', 50, cleanup=5))
                  tg.create_task(child('c', 50))
                  try:
                      await asyncio.sleep(1)
                  except asyncio.CancelledError:
                      log('body cancelled')
                      raise
          except* ValueError as eg:
              log('group raised', err(eg), 'cancelling', asyncio.current_task().cancelling())
          await asyncio.sleep(0.01)
          log('parent goes on')
      `,
      ],
      async (log) => {
        const child = tsChild(log)
        try {
          await taskGroup(async (tg) => {
            tg.createTask(child('a', 10, { fail: true }))
            tg.createTask(child('b', 50, { cleanup: 5 }))
            tg.createTask(child('c', 50))
            try {
              await sleep(1000)
            } catch (e) {
              log('body cancelled')
              throw e
            }
          })
        } catch (e) {
          log('group raised', err(e), 'cancelling', currentTask()!.cancelling())
        }
        await sleep(10)
        log('parent goes on')
      },
      { unordered: / cancelled$/ },
    )
  })

  it('errors are listed in the order the children failed, cleanup failures included', async () => {
    await expectSameTrace(
      [
        pyChild,
        `
      async def main():
          try:
              async with asyncio.TaskGroup() as tg:
                  tg.create_task(child('a', 50, cleanup=15, cleanup_fails=True))
                  tg.create_task(child('b', 50, cleanup=5, cleanup_fails=True))
                  tg.create_task(child('c', 10, fail=True))
                  tg.create_task(child('d', 10, fail=True))
          except* ValueError as eg:
              log('group raised', err(eg))
      `,
      ],
      async (log) => {
        const child = tsChild(log)
        try {
          await taskGroup(async (tg) => {
            tg.createTask(child('a', 50, { cleanup: 15, cleanupFails: true }))
            tg.createTask(child('b', 50, { cleanup: 5, cleanupFails: true }))
            tg.createTask(child('c', 10, { fail: true }))
            tg.createTask(child('d', 10, { fail: true }))
          })
        } catch (e) {
          log('group raised', err(e))
        }
      },
      { unordered: / cancelled$/ },
    )
  })

  it('a body error cancels the children and comes last in the group error', async () => {
    await expectSameTrace(
      [
        pyChild,
        `
      async def main():
          try:
              async with asyncio.TaskGroup() as tg:
                  tg.create_task(child('a', 50, cleanup=10, cleanup_fails=True))
                  tg.create_task(child('b', 50, cleanup=5))
                  await asyncio.sleep(0.01)
                  log('body fails')
                  raise ValueError('body')
          except* ValueError as eg:
              log('group raised', err(eg), 'cancelling', asyncio.current_task().cancelling())
      `,
      ],
      async (log) => {
        const child = tsChild(log)
        try {
          await taskGroup(async (tg) => {
            tg.createTask(child('a', 50, { cleanup: 10, cleanupFails: true }))
            tg.createTask(child('b', 50, { cleanup: 5 }))
            await sleep(10)
            log('body fails')
            throw new ValueError('body')
          })
        } catch (e) {
          log('group raised', err(e), 'cancelling', currentTask()!.cancelling())
        }
      },
      { unordered: / cancelled$/ },
    )
  })

  it('cancelling the parent from outside cancels the children and raises CancelledError, not a group error', async () => {
    await expectSameTrace(
      [
        pyChild,
        `
      async def parent(cleanup_fails):
          try:
              try:
                  async with asyncio.TaskGroup() as tg:
                      tg.create_task(child('a', 50, cleanup=10, cleanup_fails=cleanup_fails))
                      tg.create_task(child('b', 50))
                      await asyncio.sleep(1)
              except* ValueError as eg:
                  log('parent got', err(eg))
          except asyncio.CancelledError:
              log('parent got CancelledError')
              raise
      async def main():
          for cleanup_fails in (False, True):
              p = asyncio.create_task(parent(cleanup_fails))
              await asyncio.sleep(0.01)
              p.cancel()
              await asyncio.sleep(0.05)
              log('parent cancelled', p.cancelled(), 'done', p.done())
      `,
      ],
      async (log) => {
        const child = tsChild(log)
        const parent = async (cleanupFails: boolean): Promise<void> => {
          try {
            await taskGroup(async (tg) => {
              tg.createTask(child('a', 50, { cleanup: 10, cleanupFails }))
              tg.createTask(child('b', 50))
              await sleep(1000)
            })
          } catch (e) {
            if (e instanceof CancelledError) {
              log('parent got CancelledError')
              throw e
            }
            log('parent got', err(e))
          }
        }
        for (const cleanupFails of [false, true]) {
          const p = createTask(() => parent(cleanupFails))
          await sleep(10)
          p.cancel()
          await sleep(50)
          log('parent cancelled', b(p.cancelled()), 'done', b(p.done()))
        }
      },
      { unordered: / cancelled$/ },
    )
  })

  it('a parent cancelled while the group waits for its children after the body ended', async () => {
    await expectSameTrace(
      [
        pyChild,
        `
      async def parent():
          async with asyncio.TaskGroup() as tg:
              tg.create_task(child('a', 50, cleanup=10))
              log('body returns')
          log('not reached')
      async def main():
          p = asyncio.create_task(parent())
          await asyncio.sleep(0.01)
          p.cancel()
          try:
              await p
          except asyncio.CancelledError:
              log('parent cancelled', p.cancelled())
      `,
      ],
      async (log) => {
        const child = tsChild(log)
        const p = createTask(async () => {
          await taskGroup(async (tg) => {
            tg.createTask(child('a', 50, { cleanup: 10 }))
            log('body returns')
          })
          log('not reached')
        })
        await sleep(10)
        p.cancel()
        try {
          await p
        } catch (e) {
          if (e instanceof CancelledError) log('parent cancelled', b(p.cancelled()))
        }
      },
      { unordered: / cancelled$/ },
    )
  })

  it('createTask is refused on a group that is shutting down or finished', async () => {
    await expectSameTrace(
      [
        pyChild,
        `
      async def main():
          saved = None
          try:
              async with asyncio.TaskGroup() as tg:
                  saved = tg
                  tg.create_task(child('a', 10, fail=True))
                  try:
                      await asyncio.sleep(1)
                  except asyncio.CancelledError:
                      try:
                          c = child('late', 0)
                          tg.create_task(c)
                      except RuntimeError:
                          c.close()
                          log('refused while shutting down')
                      raise
          except* ValueError:
              pass
          c = child('later', 0)
          try:
              saved.create_task(c)
          except RuntimeError:
              c.close()
              log('refused once finished')
      `,
      ],
      async (log) => {
        const child = tsChild(log)
        let saved: TaskGroup | null = null
        try {
          await taskGroup(async (tg) => {
            saved = tg
            tg.createTask(child('a', 10, { fail: true }))
            try {
              await sleep(1000)
            } catch (e) {
              try {
                tg.createTask(child('late', 0))
              } catch (re) {
                if (re instanceof Error && re.name === 'RuntimeError') log('refused while shutting down')
              }
              throw e
            }
          })
        } catch {
          // the group error is not what this test looks at
        }
        try {
          saved!.createTask(child('later', 0))
        } catch (re) {
          if (re instanceof Error && re.name === 'RuntimeError') log('refused once finished')
        }
      },
      { unordered: / cancelled$/ },
    )
  })

  it('a body that swallows the sibling cancellation still ends with the group error', async () => {
    await expectSameTrace(
      [
        pyChild,
        `
      async def main():
          try:
              async with asyncio.TaskGroup() as tg:
                  tg.create_task(child('a', 10, fail=True))
                  tg.create_task(child('b', 50))
                  try:
                      await asyncio.sleep(1)
                  except asyncio.CancelledError:
                      log('body swallows')
                  await asyncio.sleep(0.005)
                  log('body continues, cancelling', asyncio.current_task().cancelling())
          except* ValueError as eg:
              log('group raised', err(eg), 'cancelling', asyncio.current_task().cancelling())
      `,
      ],
      async (log) => {
        const child = tsChild(log)
        try {
          await taskGroup(async (tg) => {
            tg.createTask(child('a', 10, { fail: true }))
            tg.createTask(child('b', 50))
            try {
              await sleep(1000)
            } catch {
              log('body swallows')
            }
            await sleep(5)
            log('body continues, cancelling', currentTask()!.cancelling())
          })
        } catch (e) {
          log('group raised', err(e), 'cancelling', currentTask()!.cancelling())
        }
      },
      { unordered: / cancelled$/ },
    )
  })

  it('nested groups: the inner group error becomes an error of the outer group', async () => {
    await expectSameTrace(
      [
        pyChild,
        `
      async def inner_group():
          async with asyncio.TaskGroup() as tg:
              tg.create_task(child('x', 10, fail=True))
              tg.create_task(child('y', 50))
      async def main():
          try:
              async with asyncio.TaskGroup() as tg:
                  tg.create_task(inner_group())
                  tg.create_task(child('z', 50, cleanup=5))
          except* Exception as eg:
              log('outer raised', err(eg))
      `,
      ],
      async (log) => {
        const child = tsChild(log)
        try {
          await taskGroup(async (tg) => {
            tg.createTask(() =>
              taskGroup(async (inner) => {
                inner.createTask(child('x', 10, { fail: true }))
                inner.createTask(child('y', 50))
              }),
            )
            tg.createTask(child('z', 50, { cleanup: 5 }))
          })
        } catch (e) {
          log('outer raised', err(e))
        }
      },
      { unordered: / cancelled$/ },
    )
  })

  it('a body awaiting its failing child gets CancelledError, and the group raises the child\'s error', async () => {
    await expectSameTrace(
      `
      async def failing():
          await asyncio.sleep(0.01)
          raise ValueError('child')
      async def main():
          try:
              async with asyncio.TaskGroup() as tg:
                  t = tg.create_task(failing())
                  try:
                      await t
                  except asyncio.CancelledError:
                      log('body got CancelledError')
                      raise
                  except ValueError:
                      log('body got ValueError')
          except BaseExceptionGroup as eg:
              log('group', err(eg))
      `,
      async (log) => {
        try {
          await taskGroup(async (tg) => {
            const t = tg.createTask(async () => {
              await sleep(10)
              throw new ValueError('child')
            })
            try {
              await t
            } catch (e) {
              if (e instanceof CancelledError) {
                log('body got CancelledError')
                throw e
              }
              log('body got ValueError')
            }
          })
        } catch (e) {
          log('group', err(e))
        }
      },
    )
  })

  it('children may add tasks to the group, also after the body has ended', async () => {
    await expectSameTrace(
      `
      async def main():
          async with asyncio.TaskGroup() as tg:
              async def grandchild(n):
                  await asyncio.sleep(0.01)
                  log('grandchild', n)
              async def child():
                  await asyncio.sleep(0.005)
                  tg.create_task(grandchild(1))
                  await asyncio.sleep(0.02)
                  tg.create_task(grandchild(2))
                  log('child done')
              tg.create_task(child())
              log('body done')
          log('group done')
      `,
      async (log) => {
        await taskGroup(async (tg) => {
          const grandchild = (n: number) => async () => {
            await sleep(10)
            log('grandchild', n)
          }
          tg.createTask(async () => {
            await sleep(5)
            tg.createTask(grandchild(1))
            await sleep(20)
            tg.createTask(grandchild(2))
            log('child done')
          })
          log('body done')
        })
        log('group done')
      },
    )
  })


  it('a parent cancelled again while its group waits for cleanups keeps waiting, then raises CancelledError', async () => {
    await expectSameTrace(
      [
        pyChild,
        `
      async def parent():
          try:
              async with asyncio.TaskGroup() as tg:
                  tg.create_task(child('a', 100, cleanup=30))
                  await asyncio.sleep(1)
          except asyncio.CancelledError:
              log('parent got CancelledError, cancelling', asyncio.current_task().cancelling())
              raise
      async def main():
          p = asyncio.create_task(parent())
          await asyncio.sleep(0.01)
          p.cancel()
          await asyncio.sleep(0.01)
          log('second cancel', p.cancel())
          await asyncio.sleep(0.05)
          log('parent cancelled', p.cancelled())
      `,
      ],
      async (log) => {
        const child = tsChild(log)
        const p = createTask(async () => {
          try {
            await taskGroup(async (tg) => {
              tg.createTask(child('a', 100, { cleanup: 30 }))
              await sleep(1000)
            })
          } catch (e) {
            if (e instanceof CancelledError) log('parent got CancelledError, cancelling', currentTask()!.cancelling())
            throw e
          }
        })
        await sleep(10)
        p.cancel()
        await sleep(10)
        log('second cancel', b(p.cancel()))
        await sleep(50)
        log('parent cancelled', b(p.cancelled()))
      },
      { unordered: / cancelled$/ },
    )
  })


  it('a CancelledError raised by hand: a child\'s is not an error, the body\'s cancels the group and propagates', async () => {
    await expectSameTrace(
      [
        pyChild,
        `
      async def quitter():
          await asyncio.sleep(0.01)
          log('quitter raises CancelledError itself')
          raise asyncio.CancelledError()
      async def main():
          async with asyncio.TaskGroup() as tg:
              q = tg.create_task(quitter())
              tg.create_task(child('a', 30))
          log('group done, quitter cancelled', q.cancelled())
          try:
              async with asyncio.TaskGroup() as tg:
                  tg.create_task(child('b', 30))
                  await asyncio.sleep(0.01)
                  raise asyncio.CancelledError()
          except asyncio.CancelledError:
              log('body CancelledError propagated, cancelling', asyncio.current_task().cancelling())
      `,
      ],
      async (log) => {
        const child = tsChild(log)
        let q: Task<void> | null = null
        await taskGroup(async (tg) => {
          q = tg.createTask(async () => {
            await sleep(10)
            log('quitter raises CancelledError itself')
            throw new CancelledError()
          })
          tg.createTask(child('a', 30))
        })
        log('group done, quitter cancelled', b(q!.cancelled()))
        try {
          await taskGroup(async (tg) => {
            tg.createTask(child('b', 30))
            await sleep(10)
            throw new CancelledError()
          })
        } catch (e) {
          if (e instanceof CancelledError) log('body CancelledError propagated, cancelling', currentTask()!.cancelling())
        }
      },
    )
  })
})
