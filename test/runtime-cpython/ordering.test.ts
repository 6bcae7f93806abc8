/** The orders asyncio guarantees (oracle/README.md), checked against CPython's own trace. */
import { describe, it } from 'vitest'
import type { Future } from '../../src/main/runtime/index'
import { createTask, gather, getRunningLoop, sleep } from '../../src/main/runtime/index'
import { ValueError, expectSameTrace } from './cpython'

describe('ordering, compared with CPython', () => {
  it('tasks first run in creation order, and only after their creator yields', async () => {
    await expectSameTrace(
      `
      async def worker(i):
          log('worker', i, 'first step')
          await asyncio.sleep(0)
          log('worker', i, 'second step')
      async def main():
          for i in range(4):
              asyncio.create_task(worker(i))
          log('main created four')
          await asyncio.sleep(0)
          log('main after one yield')
          await asyncio.sleep(0.001)
          log('main done')
      `,
      async (log) => {
        const worker = async (i: number): Promise<void> => {
          log('worker', i, 'first step')
          await sleep(0)
          log('worker', i, 'second step')
        }
        for (let i = 0; i < 4; i++) createTask(() => worker(i))
        log('main created four')
        await sleep(0)
        log('main after one yield')
        await sleep(1)
        log('main done')
      },
    )
  })

  it('callSoon callbacks and new tasks run FIFO in the order they were scheduled', async () => {
    await expectSameTrace(
      `
      async def task(name):
          log('task', name)
      async def main():
          loop = asyncio.get_running_loop()
          loop.call_soon(log, 'cb', 1)
          asyncio.create_task(task('a'))
          loop.call_soon(log, 'cb', 2)
          asyncio.create_task(task('b'))
          loop.call_soon(log, 'cb', 3)
          await asyncio.sleep(0)
          log('main resumed')
      `,
      async (log) => {
        const loop = getRunningLoop()
        loop.callSoon(() => log('cb', 1))
        createTask(async () => log('task', 'a'))
        loop.callSoon(() => log('cb', 2))
        createTask(async () => log('task', 'b'))
        loop.callSoon(() => log('cb', 3))
        await sleep(0)
        log('main resumed')
      },
    )
  })

  it('timers with equal deadlines fire in the order they were scheduled', async () => {
    await expectSameTrace(
      `
      async def sleeper(name, d):
          await asyncio.sleep(d)
          log('woke', name)
      async def main():
          loop = asyncio.get_running_loop()
          asyncio.create_task(sleeper('a', 0.01))
          loop.call_later(0.01, log, 'timer 1')
          asyncio.create_task(sleeper('b', 0.01))
          loop.call_at(loop.time() + 0.01, log, 'timer 2')
          await asyncio.sleep(0.005)
          asyncio.create_task(sleeper('c', 0.005))
          loop.call_later(0.005, log, 'timer 3')
          await asyncio.sleep(0.005)
          log('main woke')
          await asyncio.sleep(0)
          log('main again')
      `,
      async (log) => {
        const loop = getRunningLoop()
        const sleeper = async (name: string, d: number): Promise<void> => {
          await sleep(d)
          log('woke', name)
        }
        createTask(() => sleeper('a', 10))
        loop.callLater(10, () => log('timer 1'))
        createTask(() => sleeper('b', 10))
        loop.callAt(loop.time() + 10, () => log('timer 2'))
        await sleep(5)
        createTask(() => sleeper('c', 5))
        loop.callLater(5, () => log('timer 3'))
        await sleep(5)
        log('main woke')
        await sleep(0)
        log('main again')
      },
    )
  })

  it('timers with different deadlines fire in deadline order whatever the scheduling order', async () => {
    await expectSameTrace(
      `
      async def main():
          loop = asyncio.get_running_loop()
          for d in (30, 10, 20, 10, 0, 25):
              loop.call_later(d / 1000, log, 'timer', d)
          await asyncio.sleep(0.05)
      `,
      async (log) => {
        const loop = getRunningLoop()
        for (const d of [30, 10, 20, 10, 0, 25]) loop.callLater(d, () => log('timer', d))
        await sleep(50)
      },
    )
  })

  it('every timer due at a tick fires before any task it wakes runs, and woken tasks run in timer order', async () => {
    await expectSameTrace(
      `
      async def sleeper(name):
          await asyncio.sleep(0.01)
          log('task', name, 'woke')
          asyncio.get_running_loop().call_soon(log, 'scheduled by', name)
      async def main():
          loop = asyncio.get_running_loop()
          asyncio.create_task(sleeper('a'))
          asyncio.create_task(sleeper('b'))
          await asyncio.sleep(0)
          loop.call_later(0.01, log, 'plain timer')
          await asyncio.sleep(0.02)
      `,
      async (log) => {
        const loop = getRunningLoop()
        const sleeper = async (name: string): Promise<void> => {
          await sleep(10)
          log('task', name, 'woke')
          getRunningLoop().callSoon(() => log('scheduled by', name))
        }
        createTask(() => sleeper('a'))
        createTask(() => sleeper('b'))
        await sleep(0)
        loop.callLater(10, () => log('plain timer'))
        await sleep(20)
      },
    )
  })

  it('callbacks scheduled while an iteration runs wait for the next iteration', async () => {
    await expectSameTrace(
      `
      async def main():
          loop = asyncio.get_running_loop()
          def first():
              log('first')
              loop.call_soon(log, 'scheduled by first')
              asyncio.create_task(child())
          async def child():
              log('child')
          loop.call_soon(first)
          loop.call_soon(log, 'second')
          loop.call_later(0, log, 'zero-delay timer')
          await asyncio.sleep(0)
          log('main after yield')
          await asyncio.sleep(0)
          log('main after two yields')
      `,
      async (log) => {
        const loop = getRunningLoop()
        const first = (): void => {
          log('first')
          loop.callSoon(() => log('scheduled by first'))
          createTask(async () => log('child'))
        }
        loop.callSoon(first)
        loop.callSoon(() => log('second'))
        loop.callLater(0, () => log('zero-delay timer'))
        await sleep(0)
        log('main after yield')
        await sleep(0)
        log('main after two yields')
      },
    )
  })

  it('sleep(0) yields exactly once, so two tasks alternate step by step', async () => {
    await expectSameTrace(
      `
      async def ping(name):
          for i in range(3):
              log(name, i)
              await asyncio.sleep(0)
      async def main():
          a = asyncio.create_task(ping('a'))
          b = asyncio.create_task(ping('b'))
          await asyncio.gather(a, b)
      `,
      async (log) => {
        const ping = async (name: string): Promise<void> => {
          for (let i = 0; i < 3; i++) {
            log(name, i)
            await sleep(0)
          }
        }
        const a = createTask(() => ping('a'))
        const b = createTask(() => ping('b'))
        await gather([a, b])
      },
    )
  })

  it('awaiting a future that is already done does not yield to other tasks', async () => {
    await expectSameTrace(
      `
      async def other():
          log('other runs')
      async def main():
          loop = asyncio.get_running_loop()
          f = loop.create_future()
          f.set_result(7)
          asyncio.create_task(other())
          v = await f
          log('got', v, 'without yielding')
          t = asyncio.create_task(other())
          await asyncio.sleep(0)
          log('t done', t.done())
          await t
          log('awaited done task without yielding')
      `,
      async (log) => {
        const loop = getRunningLoop()
        const f: Future<number> = loop.createFuture<number>()
        f.setResult(7)
        createTask(async () => log('other runs'))
        const v = await f
        log('got', v, 'without yielding')
        const t = createTask(async () => log('other runs'))
        await sleep(0)
        log('t done', t.done() ? 'True' : 'False')
        await t
        log('awaited done task without yielding')
      },
    )
  })

  it('waiters of one future wake in the order they started waiting', async () => {
    await expectSameTrace(
      `
      async def waiter(name, f):
          v = await f
          log(name, 'got', v)
      async def main():
          loop = asyncio.get_running_loop()
          f = loop.create_future()
          for name in ('w1', 'w2', 'w3'):
              asyncio.create_task(waiter(name, f))
          f.add_done_callback(lambda _: log('callback'))
          await asyncio.sleep(0.01)
          loop.call_soon(log, 'queued before set')
          f.set_result('x')
          loop.call_soon(log, 'queued after set')
          await asyncio.sleep(0)
          log('main')
      `,
      async (log) => {
        const loop = getRunningLoop()
        const f = loop.createFuture<string>()
        const waiter = async (name: string): Promise<void> => {
          const v = await f
          log(name, 'got', v)
        }
        for (const name of ['w1', 'w2', 'w3']) createTask(() => waiter(name))
        f.addDoneCallback(() => log('callback'))
        await sleep(10)
        loop.callSoon(() => log('queued before set'))
        f.setResult('x')
        loop.callSoon(() => log('queued after set'))
        await sleep(0)
        log('main')
      },
    )
  })

  it('a task awaiting another task resumes one iteration after it finishes', async () => {
    await expectSameTrace(
      `
      async def child():
          log('child step 1')
          await asyncio.sleep(0)
          log('child returns')
          return 5
      async def ticker():
          for i in range(4):
              log('tick', i)
              await asyncio.sleep(0)
      async def main():
          t = asyncio.create_task(child())
          asyncio.create_task(ticker())
          v = await t
          log('main got', v)
      `,
      async (log) => {
        const t = createTask(async () => {
          log('child step 1')
          await sleep(0)
          log('child returns')
          return 5
        })
        createTask(async () => {
          for (let i = 0; i < 4; i++) {
            log('tick', i)
            await sleep(0)
          }
        })
        const v = await t
        log('main got', v)
      },
    )
  })

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

  it('a callback that throws goes to the exception handler and the rest of the iteration runs', async () => {
    await expectSameTrace(
      `
      async def main():
          loop = asyncio.get_running_loop()
          loop.set_exception_handler(lambda l, ctx: log('handler', type(ctx.get('exception')).__name__))
          def boom():
              raise ValueError('cb')
          loop.call_soon(log, 'before')
          loop.call_soon(boom)
          loop.call_soon(log, 'after')
          loop.call_later(0.001, boom)
          loop.call_later(0.001, log, 'timer after')
          await asyncio.sleep(0.002)
      `,
      async (log) => {
        const loop = getRunningLoop()
        loop.setExceptionHandler((e) => log('handler', (e as Error).name))
        const boom = (): void => {
          throw new ValueError('cb')
        }
        loop.callSoon(() => log('before'))
        loop.callSoon(boom)
        loop.callSoon(() => log('after'))
        loop.callLater(1, boom)
        loop.callLater(1, () => log('timer after'))
        await sleep(2)
      },
    )
  })


  it('virtual time stands still while a task keeps yielding, so a due timer waits for the ready queue to empty', async () => {
    await expectSameTrace(
      `
      async def spinner():
          for i in range(50):
              await asyncio.sleep(0)
          log('spinner done after 50 yields')
      async def sleeper():
          await asyncio.sleep(0.001)
          log('sleeper woke')
      async def main():
          asyncio.create_task(sleeper())
          asyncio.create_task(spinner())
          await asyncio.sleep(0.002)
          log('main woke')
      `,
      async (log) => {
        createTask(async () => {
          await sleep(1)
          log('sleeper woke')
        })
        createTask(async () => {
          for (let i = 0; i < 50; i++) await sleep(0)
          log('spinner done after 50 yields')
        })
        await sleep(2)
        log('main woke')
      },
    )
  })


  it('awaits that never suspend (plain promises, nested async calls, done futures) keep the task\'s step going', async () => {
    await expectSameTrace(
      `
      async def noop(n):
          if n > 0:
              await noop(n - 1)
          return n
      async def a():
          f = asyncio.get_running_loop().create_future()
          f.set_result(1)
          for i in range(200):
              await noop(5)
              await f
          log('a finished 200 rounds in one step')
          await asyncio.sleep(0)
          log('a after its first real yield')
      async def b():
          log('b first step')
      async def main():
          asyncio.create_task(a())
          asyncio.create_task(b())
          await asyncio.sleep(0.001)
      `,
      async (log) => {
        const noop = async (n: number): Promise<number> => {
          if (n > 0) await noop(n - 1)
          await Promise.resolve()
          return n
        }
        createTask(async () => {
          const f = getRunningLoop().createFuture<number>()
          f.setResult(1)
          for (let i = 0; i < 200; i++) {
            await noop(5)
            await f
          }
          log('a finished 200 rounds in one step')
          await sleep(0)
          log('a after its first real yield')
        })
        createTask(async () => log('b first step'))
        await sleep(1)
      },
    )
  })

  it('cancelled callSoon and callLater handles never run, even when cancelled in the iteration they were due', async () => {
    await expectSameTrace(
      `
      async def main():
          loop = asyncio.get_running_loop()
          h1 = loop.call_soon(log, 'soon 1 (cancelled)')
          loop.call_soon(log, 'soon 2')
          h1.cancel()
          box = {}
          loop.call_at(loop.time() + 0.01, lambda: box['h3'].cancel())
          box['h3'] = loop.call_later(0.01, log, 'later (cancelled by an earlier timer of the same tick)')
          loop.call_later(0.01, log, 'other later')
          h4 = loop.call_later(0.01, log, 'cancelled by the timer before it')
          loop.call_at(loop.time() + 0.005, lambda: log('h1', h1.cancelled(), 'h4 cancelled now', h4.cancel() is None))
          await asyncio.sleep(0.02)
      `,
      async (log) => {
        const loop = getRunningLoop()
        const h1 = loop.callSoon(() => log('soon 1 (cancelled)'))
        loop.callSoon(() => log('soon 2'))
        h1.cancel()
        const box: { h3?: ReturnType<typeof loop.callLater> } = {}
        loop.callAt(loop.time() + 10, () => box.h3!.cancel())
        box.h3 = loop.callLater(10, () => log('later (cancelled by an earlier timer of the same tick)'))
        loop.callLater(10, () => log('other later'))
        const h4 = loop.callLater(10, () => log('cancelled by the timer before it'))
        loop.callAt(loop.time() + 5, () => log('h1', h1.cancelled() ? 'True' : 'False', 'h4 cancelled now', h4.cancel() === undefined ? 'True' : 'False'))
        await sleep(20)
      },
    )
  })
})
