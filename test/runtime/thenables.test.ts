import { describe, expect, it } from 'vitest'
import { CancelledError, createTask, currentTask, getRunningLoop, sleep, waitFor } from '../../src/main/runtime/index'
import type { Task } from '../../src/main/runtime/index'
import { rejection, runVirtual } from './support'

describe('foreign promises and plain thenable code inside tasks', () => {
  it('Promise.race over runtime futures resumes the task in its own step, on time', async () => {
    const { lines } = await runVirtual(async (s) => {
      createTask(async () => {
        for (let i = 0; i < 10; i++) await sleep(3)
      })
      const racer = createTask(async () => {
        const won = await Promise.race([sleep(10, 'a'), sleep(50, 'b')])
        s.say(`${won} in ${currentTask()?.name}`)
        const all = await Promise.all([sleep(40, 'x'), sleep(10, 'y')])
        s.say(`${all.join('')} in ${currentTask()?.name}`)
      }, { name: 'racer' })
      await racer
    })
    expect(lines).toEqual(['10 a in racer', '50 xy in racer'])
  })

  it('a future then-ed twice in one step settles both, and the next await is not cut short', async () => {
    const { lines } = await runVirtual(async (s) => {
      const f = getRunningLoop().createFuture<string>()
      getRunningLoop().callLater(5, () => f.setResult('f'))
      void f.then((v) => s.say(`callback saw ${v}`))
      s.say(`awaited ${await f}`)
      await sleep(50)
      s.say('slept 50')
    })
    expect(lines).toEqual(['5 callback saw f', '5 awaited f', '55 slept 50'])
  })

  it('after awaiting a foreign promise directly, the next runtime call says how to stay on the loop', async () => {
    const { result } = await runVirtual(async () => {
      const leaver = createTask(async () => {
        await new Promise((r) => setImmediate(r)) // a foreign await: the task leaves its loop
        await sleep(10)
      })
      const stayer = createTask(async () => {
        await waitFor(new Promise((r) => setImmediate(r)), null) // the same wait, kept on the loop
        await sleep(10)
        return 'stayed'
      })
      const e = await rejection(Promise.resolve(leaver))
      return [(e as Error).message, await stayer]
    })
    expect(result[0]).toMatch(/^no running event loop \(.*await waitFor\(p, null\)/)
    expect(result[1]).toBe('stayed')
  })

  it('a task resumed by a plain promise that a loop callback resolved is back on its loop: cancel() lands', async () => {
    const { result } = await runVirtual(async () => {
      const worker = createTask(async () => {
        await new Promise((r) => getRunningLoop().callLater(10, () => r(null)))
        for (;;) await sleep(10) // parks again, so the cancel below reaches it
      })
      await sleep(25)
      worker.cancel('enough')
      const e = await rejection(Promise.resolve(worker))
      return [(e as CancelledError).reason, worker.state, getRunningLoop().time()]
    })
    expect(result).toEqual(['enough', 'cancelled', 25])
  })

  it('a promise resolved by a done callback resumes its task on time, not inside another task; its next await re-attaches it', async () => {
    const { lines } = await runVirtual(async (s) => {
      createTask(async () => {
        for (let i = 0; i < 10; i++) await sleep(3)
      })
      const f = getRunningLoop().createFuture<void>()
      getRunningLoop().callLater(10, () => f.setResult())
      await new Promise<void>((r) => f.addDoneCallback(() => r()))
      s.say(`resumed in ${currentTask()?.name ?? 'no task'}`) // a plain promise: the loop cannot tell whose
      await sleep(1)
      s.say(`then in ${currentTask()?.name ?? 'no task'}`)
    })
    expect(lines).toEqual(['10 resumed in no task', '11 then in main'])
  })

  it('sleep(Infinity) waits until cancelled from outside; virtual time never becomes Infinity', async () => {
    const { result } = await runVirtual(async () => {
      const forever = createTask(() => sleep(Infinity, 'woke'))
      getRunningLoop().callLater(1000, () => forever.cancel('enough'))
      const e = await rejection(Promise.resolve(forever))
      return [(e as CancelledError).reason, getRunningLoop().time()]
    })
    expect(result).toEqual(['enough', 1000])
  })

  it('cancelling the top of a 10k-deep chain of tasks reaches the bottom without overflowing the stack', async () => {
    const { result } = await runVirtual(async () => {
      let bottom!: Task<unknown>
      const chain = (n: number): Task<unknown> =>
        n === 0 ? (bottom = createTask(() => sleep(60_000))) : createTask(async () => await chain(n - 1))
      const top = chain(10_000)
      await sleep(1)
      top.cancel('from the top')
      await Promise.allSettled([top])
      return [top.state, bottom.state, bottom.cancelRequest()?.source]
    })
    expect(result).toEqual(['cancelled', 'cancelled', 'parent'])
  })
})
