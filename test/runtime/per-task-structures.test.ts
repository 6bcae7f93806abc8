/**
 * The per-task bookkeeping the loop keeps without hashing (issue 13): the list of not-done tasks
 * behind allTasks(), gather's once-each children, the timer queue's in-order fast path and the
 * Event's line of waiters. Each test would fail if its structure lost, repeated or reordered an entry.
 */
import { describe, expect, it } from 'vitest'
import { CancelledError, Event, Future, createTask, gather, getRunningLoop, sleep } from '../../src/main/runtime/index'
import type { Task } from '../../src/main/runtime/index'
import { runVirtual, virtualLoop } from './support'

const names = (tasks: Iterable<Task<unknown>>): string[] => [...tasks].map((t) => t.name)

describe('allTasks(): the not-done tasks in creation order', () => {
  it('drops tasks as they end (first, middle, last) and appends new ones after the survivors', async () => {
    const { result } = await runVirtual(async () => {
      const loop = getRunningLoop()
      const seen: string[][] = []
      const gates = ['a', 'b', 'c', 'd'].map(() => new Future<void>())
      const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((n, i) => createTask(() => gates[i]!, { name: n })) as [Task<void>, Task<void>, Task<void>, Task<void>]
      const others = () => names(loop.allTasks()).filter((n) => n !== 'main')
      seen.push(others())
      gates[1]!.setResult() // b, in the middle
      await b
      seen.push(others())
      gates[3]!.setResult() // d, the last
      await d
      seen.push(others())
      const e = createTask(() => sleep(5), { name: 'e' }) // appended after the new last (c)
      seen.push(others())
      gates[0]!.setResult() // a, the first
      await a
      seen.push(others())
      gates[2]!.setResult()
      await gather([c, e])
      seen.push(others())
      const f = createTask(() => sleep(1), { name: 'f' }) // the list emptied and begins again
      seen.push(others())
      await f
      return seen
    })
    expect(result).toEqual([['a', 'b', 'c', 'd'], ['a', 'c', 'd'], ['a', 'c'], ['a', 'c', 'e'], ['c', 'e'], [], ['f']])
  })

  it('keeps a cancelled task until it ends, and shutdown asks the rest newest first', async () => {
    const { loop } = virtualLoop()
    const order: string[] = []
    const mk = (n: string) =>
      loop.createTask(
        async () => {
          try {
            await sleep(1000)
          } catch (e) {
            order.push(n)
            throw e
          }
        },
        { name: n },
      )
    const [x, y, z] = [mk('x'), mk('y'), mk('z')]
    await loop.runUntilComplete(() => sleep(1))
    y.cancel()
    expect(names(loop.allTasks())).toEqual(['x', 'y', 'z'])
    await loop.runUntilComplete(() => sleep(1))
    expect(y.cancelled()).toBe(true)
    expect(names(loop.allTasks())).toEqual(['x', 'z'])
    const report = await loop.shutdown({ graceMs: 100 })
    expect(order).toEqual(['y', 'z', 'x'])
    expect(report.finished.map((t) => t.name)).toEqual(['z', 'x'])
    expect([x.cancelled(), z.cancelled()]).toEqual([true, true])
    expect(names(loop.allTasks())).toEqual([])
    loop.close()
  })
})

describe('gather: each distinct child once, results in input order', () => {
  it('awaits a repeated future once and gives its result at each place', async () => {
    const { result } = await runVirtual(async () => {
      const t = createTask(() => sleep(2, 't'))
      const u = createTask(() => sleep(1, 'u'))
      const outer = gather([t, u, t, u, t])
      const desc = outer.describe()
      return { got: await outer, desc, again: await gather([u, u]) }
    })
    expect(result).toEqual({ got: ['t', 'u', 't', 'u', 't'], desc: 'gather of 2', again: ['u', 'u'] })
  })

  it('a future repeated in one gather may be gathered again, and by two gathers at once', async () => {
    const { result } = await runVirtual(async () => {
      const f = new Future<number>()
      const g = new Future<number>()
      const one = gather([f, g, f])
      const two = gather([g, f, g, g])
      setTimeoutLoop(() => {
        f.setResult(1)
        g.setResult(2)
      })
      return [await one, await two, await gather([f, f, g]), one.describe(), two.describe()]
    })
    expect(result).toEqual([[1, 2, 1], [2, 1, 2, 2], [1, 1, 2], 'gather of 2', 'gather of 2'])
  })

  it('cancelling a gather with a repeated child asks that child once', async () => {
    const { result } = await runVirtual(async () => {
      const t = createTask(() => sleep(100))
      const outer = gather([t, t])
      await sleep(1)
      outer.cancel()
      const e = await outer.then(
        () => null,
        (x: unknown) => x,
      )
      return { isCancelled: e instanceof CancelledError, cancelling: t.cancelling(), tCancelled: t.cancelled() }
    })
    expect(result).toEqual({ isCancelled: true, cancelling: 1, tCancelled: true })
  })
})

describe('timers that come in deadline order and out of it', () => {
  it('fires in (deadline, scheduling) order whatever order they were set in', async () => {
    const { result } = await runVirtual(async () => {
      const loop = getRunningLoop()
      const fired: string[] = []
      const at = (ms: number, tag: string) => loop.callLater(ms, () => fired.push(tag))
      at(10, 'a10')
      at(20, 'b20')
      at(20, 'c20')
      at(30, 'd30')
      at(15, 'e15') // out of order: earlier than the last one set
      at(20, 'f20') // ties the in-order ones, set later: after them
      at(5, 'g5')
      at(40, 'h40')
      at(30, 'i30')
      const cancelled = at(25, 'j25')
      at(25, 'k25')
      cancelled.cancel()
      at(40, 'l40').cancel()
      await sleep(50)
      return fired
    })
    expect(result).toEqual(['g5', 'a10', 'e15', 'b20', 'c20', 'f20', 'k25', 'd30', 'i30', 'h40'])
  })

  it('sleeps spread over a span wake at their deadlines, in order', async () => {
    const { result } = await runVirtual(async () => {
      const loop = getRunningLoop()
      const woke: [number, number][] = []
      const n = 200
      const delays = Array.from({ length: n }, (_, i) => (i % 3 === 2 ? 50 - i / 10 : i / 4))
      await gather(
        delays.map((ms, i) =>
          createTask(async () => {
            await sleep(ms)
            woke.push([i, loop.time()])
          }),
        ),
      )
      return { woke, delays }
    })
    const expected = result.delays.map((ms, i) => [i, ms] as [number, number]).sort((p, q) => p[1] - q[1] || p[0] - q[0])
    expect(result.woke).toEqual(expected)
  })
})

describe('Event: the line of waiters', () => {
  it('a waiter that left (cancelled) is not woken, the rest are, in order; the line empties', async () => {
    const { result } = await runVirtual(async () => {
      const ev = new Event()
      const order: string[] = []
      const waiter = (n: string) =>
        createTask(
          async () => {
            await ev.wait()
            order.push(n)
          },
          { name: n },
        )
      const ts = ['p', 'q', 'r', 's'].map(waiter)
      await sleep(1)
      ts[1]!.cancel()
      ts[3]!.cancel()
      await sleep(1)
      const late = waiter('t')
      await sleep(1)
      ev.set()
      await gather([...ts, late], { returnExceptions: true })
      ev.clear()
      // many waiters leaving (a wait with a timeout in a loop), before, between and after two that stay
      const leavers = (n: number) => Array.from({ length: n }, () => createTask(() => ev.wait()))
      const early = leavers(50)
      const u = waiter('u')
      const middle = leavers(50)
      const v = waiter('v')
      const late2 = leavers(50)
      await sleep(0)
      for (const w of [...middle.reverse(), ...early, ...late2]) {
        w.cancel()
        await sleep(0)
      }
      for (let i = 0; i < 100; i++) {
        const w = createTask(() => ev.wait())
        await sleep(0)
        w.cancel()
        await gather([w], { returnExceptions: true })
      }
      ev.set()
      await gather([u, v])
      return { order, cancelled: ts.map((t) => t.cancelled()), waiting: ev.isSet() }
    })
    expect(result).toEqual({ order: ['p', 'r', 't', 'u', 'v'], cancelled: [false, true, false, true], waiting: true })
  })
})

/** A callback on the running loop a few turns later (the test's own stand-in for outside code). */
function setTimeoutLoop(fn: () => void): void {
  getRunningLoop().callLater(3, fn)
}

describe('CancelledError: one per cancelled task, its name on the class', () => {
  it('the awaited future, the task and gather hold the same error, whose origin is the task', async () => {
    const { result } = await runVirtual(async () => {
      const loop = getRunningLoop()
      const ev = new Event()
      const ts = [0, 1].map((i) => createTask(() => ev.wait(), { name: `w${i}` }))
      await sleep(0)
      const parked = ts.map((t) => t.awaiting()!)
      ts[0]!.cancel('enough')
      ts[1]!.cancel()
      const at = loop.time()
      const got = await gather(ts, { returnExceptions: true })
      const errs = ts.map((t) => {
        try {
          t.result()
        } catch (e) {
          return e
        }
        return null
      })
      return { got, errs, parked, at, ids: ts.map((t) => t.id) }
    })
    const { got, errs, parked, at, ids } = result
    for (let i = 0; i < 2; i++) {
      expect(got[i]).toBeInstanceOf(CancelledError)
      expect(errs[i]).toBe(got[i])
      expect(() => parked[i]!.result()).toThrow(got[i] as Error)
    }
    const [a, b] = got as CancelledError[]
    expect(a).not.toBe(b)
    expect([a!.source, a!.reason, a!.message, a!.stack]).toEqual(['program', 'enough', 'enough', 'CancelledError: cancelled (source: program): enough'])
    expect([b!.source, b!.reason, b!.message, b!.stack]).toEqual(['program', undefined, '', 'CancelledError: cancelled (source: program)'])
    expect(a!.origin).toEqual({ id: ids[0], name: 'w0', source: 'program', reason: 'enough', at, by: { id: expect.any(Number), name: 'main' } })
    expect(b!.origin).toEqual({ id: ids[1], name: 'w1', source: 'program', at, by: { id: expect.any(Number), name: 'main' } })
    expect([a!._path, b!._path]).toEqual([[], []])
  })

  it('names every runtime error and a subclass by its class, without an own name property', async () => {
    const { TimeoutError, InvalidStateError, QueueEmpty } = await import('../../src/main/runtime/index')
    class SlowError extends TimeoutError {}
    const errors = [new CancelledError('x'), new TimeoutError('t'), new SlowError('s'), new InvalidStateError(), new QueueEmpty()]
    expect(errors.map((e) => e.name)).toEqual(['CancelledError', 'TimeoutError', 'SlowError', 'InvalidStateError', 'QueueEmpty'])
    expect(errors.map((e) => Object.prototype.hasOwnProperty.call(e, 'name'))).toEqual([false, false, false, false, false])
    expect(new TimeoutError('t').name).toBe('TimeoutError') // the subclass did not rename its parent
    expect(String(new SlowError('late'))).toBe('SlowError: late')
    expect(new SlowError('late').stack?.split('\n')[0]).toBe('SlowError: late')
    const renamed = new TimeoutError('r')
    renamed.name = 'Custom'
    expect([renamed.name, new TimeoutError('n').name]).toEqual(['Custom', 'TimeoutError'])
  })
})
