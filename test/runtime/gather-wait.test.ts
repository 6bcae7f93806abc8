import { describe, expect, it } from 'vitest'
import {
  ALL_COMPLETED,
  CancelledError,
  FIRST_COMPLETED,
  FIRST_EXCEPTION,
  asCompleted,
  createTask,
  gather,
  getRunningLoop,
  sleep,
  wait,
} from '../../src/main/runtime/index'
import type { Task } from '../../src/main/runtime/index'
import { cancelSourceOf, rejection, runVirtual } from './support'

const after = <T>(ms: number, v: T) => async () => {
  await sleep(ms)
  return v
}
const failAfter = (ms: number, msg: string) => async () => {
  await sleep(ms)
  throw new Error(msg)
}

describe('gather', () => {
  it('returns results in input order, not completion order', async () => {
    const { result } = await runVirtual(async () => {
      const r = await gather([after(300, 'a'), after(100, 'b'), () => sleep(200, 'c')])
      return [r, getRunningLoop().time()]
    })
    expect(result).toEqual([['a', 'b', 'c'], 300])
  })

  it('the first error settles the gather while the other children keep running', async () => {
    const { lines } = await runVirtual(async (s) => {
      const slow = createTask(async () => {
        await sleep(500)
        s.say('slow sibling finished')
      })
      const e = await rejection(gather([failAfter(100, 'boom'), slow]))
      s.say(`gather threw ${(e as Error).message}`)
      await slow
    })
    expect(lines).toEqual(['100 gather threw boom', '500 slow sibling finished'])
  })

  it('with returnExceptions, errors take their place among the results', async () => {
    const { result } = await runVirtual(async () => {
      const r = await gather([after(100, 1), failAfter(50, 'bad')], { returnExceptions: true })
      return [r[0], (r[1] as Error).message]
    })
    expect(result).toEqual([1, 'bad'])
  })

  it('cancelling the gather cancels every child and settles with a CancelledError', async () => {
    const { result } = await runVirtual(async () => {
      const a = createTask(() => sleep(1000))
      const b = createTask(() => sleep(2000))
      const g = gather([a, b])
      await sleep(10)
      const asked = g.cancel()
      const e = await rejection(Promise.resolve(g))
      return { asked, e: e instanceof CancelledError, a: a.state, b: b.state, gCancelled: g.cancelled() }
    })
    expect(result).toEqual({ asked: true, e: true, a: 'cancelled', b: 'cancelled', gCancelled: false })
  })

  it('cancelling the task that awaits a gather cancels the children (source parent)', async () => {
    const { result } = await runVirtual(async () => {
      const child = createTask(() => sleep(1000))
      const t = createTask(() => gather([child]))
      await sleep(10)
      t.cancel()
      await Promise.allSettled([t])
      return { t: t.state, child: child.state, source: child.cancelRequest()?.source ?? cancelSourceOf(child) }
    })
    expect(result).toEqual({ t: 'cancelled', child: 'cancelled', source: 'parent' })
  })

  it('an empty gather resolves at once with an empty list; the same awaitable twice runs once', async () => {
    const { result } = await runVirtual(async () => {
      let runs = 0
      const f = async () => {
        runs++
        return 'x'
      }
      const empty = await gather([])
      const twice = await gather([f, f])
      return { empty, twice, runs }
    })
    expect(result).toEqual({ empty: [], twice: ['x', 'x'], runs: 1 })
  })
})

describe('wait', () => {
  it('ALL_COMPLETED returns every task done', async () => {
    const { result } = await runVirtual(async () => {
      const ts = [300, 100, 200].map((ms) => createTask(() => sleep(ms)))
      const { done, pending } = await wait(ts, { returnWhen: ALL_COMPLETED })
      return [done.size, pending.size, getRunningLoop().time()]
    })
    expect(result).toEqual([3, 0, 300])
  })

  it('FIRST_COMPLETED returns at the first completion and leaves the others running', async () => {
    const { result } = await runVirtual(async () => {
      const ts = [300, 100, 200].map((ms) => createTask(() => sleep(ms, ms)))
      const { done, pending } = await wait(ts, { returnWhen: FIRST_COMPLETED })
      const states = [...pending].map((t) => t.state)
      return { done: [...done].map((t) => t.result()), states, t: getRunningLoop().time() }
    })
    expect(result).toEqual({ done: [100], states: ['waiting', 'waiting'], t: 100 })
  })

  it('FIRST_EXCEPTION returns at the first error', async () => {
    const { result } = await runVirtual(async () => {
      const ts = [createTask(() => sleep(500)), createTask(failAfter(100, 'x')), createTask(() => sleep(50))]
      const { done, pending } = await wait(ts, { returnWhen: FIRST_EXCEPTION })
      for (const p of pending) p.cancel()
      return [done.size, pending.size, getRunningLoop().time()]
    })
    expect(result).toEqual([2, 1, 100])
  })

  it('on timeout returns what is done so far and cancels nothing', async () => {
    const { result } = await runVirtual(async () => {
      const ts = [100, 1000].map((ms) => createTask(() => sleep(ms)))
      const { done, pending } = await wait(ts, { timeout: 500 })
      const slow = [...pending][0]!
      return [done.size, pending.size, slow.state, getRunningLoop().time()]
    })
    expect(result).toEqual([1, 1, 'waiting', 500])
  })

  it('an empty set or an unknown returnWhen is refused with a TypeError', async () => {
    const { result } = await runVirtual(async () => {
      const a = await rejection(wait([]))
      const b = await rejection(wait([() => sleep(1)], { returnWhen: 'SOMETIMES' as never }))
      return [a instanceof TypeError, b instanceof TypeError]
    })
    expect(result).toEqual([true, true])
  })
})

describe('asCompleted', () => {
  it('yields tasks in completion order', async () => {
    const { result } = await runVirtual(async () => {
      const order: unknown[] = []
      for await (const t of asCompleted([after(300, 'c'), after(100, 'a'), after(200, 'b')])) order.push((t as Task<unknown>).result())
      return order
    })
    expect(result).toEqual(['a', 'b', 'c'])
  })

  it('throws TimeoutError once its timeout passes', async () => {
    const { result } = await runVirtual(async () => {
      const got: unknown[] = []
      try {
        for await (const t of asCompleted([after(100, 'fast'), after(1000, 'slow')], { timeout: 500 })) got.push((t as Task<unknown>).result())
      } catch (e) {
        got.push((e as Error).name, getRunningLoop().time())
      }
      return got
    })
    expect(result).toEqual(['fast', 'TimeoutError', 500])
  })
})
