/**
 * What an await costs the runtime (issue 13): awaiting a runtime future inside a task makes no
 * promise of its own (V8's await drops what `then` returns), while every other `then` still gets
 * its derived promise and chains as a promise does.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { Future, createTask, getRunningLoop, sleep } from '../../src/main/runtime/index'
import { runVirtual } from './support'

const NativePromise = globalThis.Promise
let constructed = 0
/** Counts promises made through the global constructor (V8's own await promises are not). */
class CountingPromise<T> extends NativePromise<T> {
  constructor(executor: (res: (v: T | PromiseLike<T>) => void, rej: (e: unknown) => void) => void) {
    constructed++
    super(executor)
  }
}

afterEach(() => {
  globalThis.Promise = NativePromise
})

describe('await costs', () => {
  it('1000 awaits of runtime futures inside a task construct no promise per await', async () => {
    const counted = async (n: number): Promise<number> => {
      constructed = 0
      globalThis.Promise = CountingPromise as PromiseConstructor
      try {
        await runVirtual(async () => {
          for (let i = 0; i < n; i++) await sleep(i % 2)
        })
      } finally {
        globalThis.Promise = NativePromise
      }
      return constructed
    }
    await counted(1) // warm-up: what is made once per process (vitest, the module) is made here
    const few = await counted(10)
    const many = await counted(1000)
    // the loop's own few promises (run, runUntilComplete) do not grow with the awaits
    expect(many).toBe(few)
  })

  it('a then with two callbacks inside a task still returns a promise that chains', async () => {
    const { result } = await runVirtual(async () => {
      const chained = await sleep(1, 5)
        .then(
          (v) => v * 2,
          () => -1,
        )
        .then((v) => v + 1)
      const failed = getRunningLoop().createFuture<number>()
      failed.setException(new Error('no'))
      const caught = await failed.then(
        () => 'fulfilled',
        (e: unknown) => `caught ${(e as Error).message}`,
      )
      return [chained, caught]
    })
    expect(result).toEqual([11, 'caught no'])
  })

  it('a then with bound or named callbacks inside a task returns a promise that chains (only V8\'s anonymous resolvers skip it)', async () => {
    const { result } = await runVirtual(async () => {
      const box = { k: 3, times(v: unknown) { return (v as number) * this.k } }
      const bound = await sleep(1, 2)
        .then(box.times.bind(box), box.times.bind(box))
        .then((v) => v + 1)
      const named = await sleep(1, 2)
        .then(Math.sqrt, console.error)
        .then((v) => (v as number) * 10)
      return [bound, Math.round(named)]
    })
    expect(result).toEqual([7, 14])
  })

  it("a future handed to a promise's own resolvers settles that promise", async () => {
    const { result } = await runVirtual(async () => {
      const ok = await new Promise((res, rej) => void sleep(10, 'slept').then(res, rej))
      const f = getRunningLoop().createFuture<string>()
      setTimeoutOnLoop(() => f.setException(new Error('boom')))
      const err = await new Promise((res, rej) => void f.then(res, rej)).catch((e: unknown) => (e as Error).message)
      return [ok, err]
    })
    expect(result).toEqual(['slept', 'boom'])
  })

  it("a task whose coroutine returns a future awaits it and takes its outcome", async () => {
    const { result } = await runVirtual(async () => {
      const inner = getRunningLoop().createFuture<string>()
      const t = createTask(() => inner)
      const failing = createTask(() => sleep(5).then(() => Promise.reject(new Error('late'))))
      await sleep(1)
      const edge = t.awaiting() === inner
      inner.setResult('done')
      const outcome = [await t, edge, t.state]
      try {
        await failing
      } catch (e) {
        outcome.push((e as Error).message, failing.state)
      }
      const direct = createTask(() => sleep(3, 'direct') as Future<string>)
      outcome.push(await direct)
      return outcome
    })
    expect(result).toEqual(['done', true, 'done', 'late', 'failed', 'direct'])
  })
})

function setTimeoutOnLoop(fn: () => void): void {
  getRunningLoop().callLater(5, fn)
}
