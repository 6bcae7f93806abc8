/**
 * sleep(0) inside a task is awaited as a native promise (issue 13: no thenable job, no `then` call
 * per switch). The task parks on it when its step ends; these pin what that must keep: the wake-up's
 * place in the ready queue (asyncio's, checked against CPython), the await edge and cancellation,
 * side chains and sleep(0)s handed elsewhere, and no value kept alive by the reused registration.
 */
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { describe, expect, it } from 'vitest'
import type { Task } from '../../src/main/runtime/index'
import { CancelledError, Event, Future, createTask, currentTask, gather, getRunningLoop, sleep, waitFor } from '../../src/main/runtime/index'
import { expectSameTrace } from '../runtime-cpython/cpython'
import { rejection, runVirtual } from './support'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

/** Runs `body` with Future.prototype.then counted; resolves with its result and the count. */
async function countingThen<R>(body: () => Promise<R>): Promise<{ result: R; calls: number }> {
  const then = Future.prototype.then
  let calls = 0
  Future.prototype.then = function (this: Future<unknown>, ...args: Parameters<typeof then>) {
    calls++
    return then.apply(this, args)
  } as typeof then
  try {
    return { result: await body(), calls }
  } finally {
    Future.prototype.then = then
  }
}

describe('sleep(0) awaited natively', () => {
  it('awaiting sleep(0) inside a task calls no then (V8 takes its native-promise path)', async () => {
    const { result, calls } = await countingThen(async () =>
      (
        await runVirtual(async () => {
          let sum = 0
          for (let i = 0; i < 100; i++) sum += await sleep(0, i)
          return sum
        })
      ).result,
    )
    expect(result).toBe(4950)
    expect(calls).toBe(0)
  })

  it("queues the task's wake-up at its step's end, after the handles its step's microtasks scheduled (asyncio: __step call_soon's itself after coro.send returns)", async () => {
    await expectSameTrace(
      `
      async def worker(name):
          loop = asyncio.get_running_loop()
          for i in range(2):
              log(name, 'step', i)
              loop.call_soon(log, name, 'callback', i)
              await asyncio.sleep(0)
          log(name, 'done')
      async def main():
          a = asyncio.create_task(worker('a'))
          b = asyncio.create_task(worker('b'))
          await asyncio.gather(a, b)
      `,
      async (log) => {
        const worker = async (name: string): Promise<void> => {
          const loop = getRunningLoop()
          for (let i = 0; i < 2; i++) {
            log(name, 'step', i)
            // scheduled by a microtask of this step that runs after the await below began
            void (async () => {
              await null
              await null
              loop.callSoon(() => log(name, 'callback', i))
            })()
            await sleep(0)
          }
          log(name, 'done')
        }
        await gather([createTask(() => worker('a')), createTask(() => worker('b'))])
      },
    )
  })

  it('a side chain awaiting sleep(0) beside `await fut` resumes, and the future stays the await edge cancellation goes to', async () => {
    const { result } = await runVirtual(async () => {
      const ev = new Event()
      const said: string[] = []
      const t = createTask(async () => {
        void (async () => {
          await sleep(0)
          said.push('side resumed')
        })()
        await ev.wait()
      })
      await sleep(0) // t's first step: parked on ev's waiter, its side chain on a sleep(0)
      const edge = t.awaiting()
      await sleep(0)
      await sleep(0)
      const edgeLater = t.awaiting()
      t.cancel()
      const e = await rejection(t)
      return { said, edgeIsFuture: edge instanceof Future && edge === edgeLater, cancelled: e instanceof CancelledError && t.cancelled() }
    })
    expect(result).toEqual({ said: ['side resumed'], edgeIsFuture: true, cancelled: true })
  })

  it('two side chains each awaiting sleep(0) in one step resume in the order they yielded', async () => {
    const { result } = await runVirtual(async () => {
      const said: string[] = []
      const chain = async (name: string): Promise<void> => {
        for (let i = 0; i < 2; i++) {
          await sleep(0)
          said.push(`${name}${i}`)
        }
      }
      await Promise.all([chain('x'), chain('y')])
      return said
    })
    expect(result).toEqual(['x0', 'y0', 'x1', 'y1'])
  })

  it('a sleep(0) handed to gather or waitFor and also awaited natively settles both', async () => {
    const { result } = await runVirtual(async () => {
      const s = sleep(0, 'slept')
      const g = gather([s])
      const direct = await s
      const w = sleep(0, 'waited')
      const viaWait = waitFor(w, 10)
      return [direct, await g, await w, await viaWait]
    })
    expect(result).toEqual(['slept', ['slept'], 'waited', 'waited'])
  })

  it('a task cancelled while parked on sleep(0) gets CancelledError at that await; a sleep(0) cancelled with nobody awaiting it raises no unhandled rejection', async () => {
    const unhandled: unknown[] = []
    const onUnhandled = (e: unknown): void => void unhandled.push(e)
    process.on('unhandledRejection', onUnhandled)
    try {
      const { result } = await runVirtual(async () => {
        const seen: string[] = []
        const t = createTask(async () => {
          try {
            for (;;) await sleep(0)
          } catch (e) {
            seen.push(e instanceof CancelledError ? `cancelled: ${e.reason}` : 'other')
            throw e
          }
        })
        await sleep(0)
        await sleep(0)
        t.cancel('stop')
        await rejection(t)
        const orphan = sleep(0)
        orphan.cancel('unwanted')
        const timedOut = await rejection(waitFor(sleep(0), 0))
        await sleep(0)
        return { seen, orphan: orphan.cancelled(), timedOut: (timedOut as Error).name }
      })
      await new Promise((r) => setImmediate(r)) // Node reports unhandled rejections after the microtasks
      expect(result).toEqual({ seen: ['cancelled: stop'], orphan: true, timedOut: 'TimeoutError' })
    } finally {
      process.off('unhandledRejection', onUnhandled)
    }
    expect(unhandled).toEqual([])
  })

  it('a sleep(0) given an error or a result before it is awaited delivers it at the await without yielding, as a done future', async () => {
    const { result } = await runVirtual(async () => {
      const loop = getRunningLoop()
      const order: string[] = []
      loop.callSoon(() => order.push('callback'))
      const failed = sleep(0)
      failed.setException(new Error('set'))
      const caught = await failed.then(
        () => 'fulfilled',
        (e: unknown) => (e as Error).message,
      )
      const direct = await rejection(failed) // awaited natively: rejected through its resolve function
      const cancelled = sleep(0)
      cancelled.cancel('no')
      const cancelledError = await rejection(cancelled)
      const done = sleep(0, 'x')
      done.setResult('given')
      const got = await done
      order.push('after awaits')
      await sleep(0)
      const reason = cancelledError instanceof CancelledError ? cancelledError.reason : 'not cancelled'
      return { caught, direct: (direct as Error).message, reason, got, order, exception: (failed.exception() as Error).message }
    })
    expect(result).toEqual({ caught: 'set', direct: 'set', reason: 'no', got: 'given', order: ['after awaits', 'callback'], exception: 'set' })
  })

  it('awaiting sleep(ms) inside an async task calls no then either, and resumes inside its step at the deadline', async () => {
    const { result, calls } = await countingThen(async () =>
      (
        await runVirtual(async () => {
          const loop = getRunningLoop()
          const t = createTask(async () => {
            const seen: string[] = []
            for (let i = 1; i <= 3; i++) {
              const v = await sleep(10, i)
              seen.push(`${v}@${loop.time()}:${currentTask() === t ? 'in its step' : 'outside'}`)
            }
            return seen
          })
          return await t
        })
      ).result,
    )
    expect(result).toEqual(['1@10:in its step', '2@20:in its step', '3@30:in its step'])
    expect(calls).toBe(1) // main's own await of the task; none for the sleeps
  })

  it('a sleep handed to waitFor and also awaited natively resumes the task inside its step; a cancel reaches a task parked on a sleep', async () => {
    const { result } = await runVirtual(async () => {
      const t: Task<unknown[]> = createTask(async (): Promise<unknown[]> => {
        const s = sleep(10, 'slept')
        const w = waitFor(s, 100)
        const v = await s
        const inStep: boolean = currentTask() === t
        return [v, await w, inStep]
      })
      const parked = createTask(async () => {
        await sleep(1000)
      })
      await sleep(5)
      parked.cancel('enough')
      const e = await rejection(parked)
      return [await t, e instanceof CancelledError ? e.reason : 'not cancelled']
    })
    expect(result).toEqual([['slept', 'slept', true], 'enough'])
  })

  it('a parked task keeps no value of its previous sleep(0) alive (the reused registration lets go of it)', async () => {
    let ref: WeakRef<object> | null = null
    const made = (): object => {
      const v = { big: new Array(10_000).fill(1) }
      ref = new WeakRef(v)
      return v
    }
    const { result } = await runVirtual(async () => {
      let release!: () => void
      const t = createTask(async () => {
        await sleep(0, made())
        // parked on a promise the runtime does not know: no later await replaces the registration
        await new Promise<void>((r) => (release = r))
      })
      await sleep(0)
      await sleep(0) // t resumed with the value, then waits on the promise
      const waiting = !t.done()
      await new Promise((r) => setImmediate(r)) // a fresh host turn: no stack or job holds it
      gc()
      const alive = ref!.deref() !== undefined
      release()
      await t
      return { waiting, alive }
    })
    expect(result).toEqual({ waiting: true, alive: false })
  })
})
