import { describe, expect, it } from 'vitest'
import { CancelledError, createTask, currentTask, getRunningLoop, shield, sleep, timeout, waitFor } from '../../src/main/runtime/index'
import { cancelSourceOf, rejection, runVirtual, virtualLoop } from './support'

describe('cancellation', () => {
  it('is delivered at the next await as CancelledError carrying source and reason', async () => {
    const { result } = await runVirtual(async () => {
      const t = createTask(async () => {
        await sleep(1000)
      })
      await sleep(10)
      t.cancel('main says stop')
      const e = await rejection(Promise.resolve(t))
      return { e, state: t.state, cancelled: t.cancelled() }
    })
    expect(result.e).toBeInstanceOf(CancelledError)
    expect((result.e as CancelledError).source).toBe('program') // another task of the loop asked
    expect((result.e as CancelledError).reason).toBe('main says stop')
    expect(result.state).toBe('cancelled')
    expect(result.cancelled).toBe(true)
  })

  it('runs finally and catch blocks, which may themselves await', async () => {
    const { lines } = await runVirtual(async (s) => {
      const t = createTask(async () => {
        try {
          await sleep(10_000)
        } catch (e) {
          s.say(`caught ${(e as Error).name}`)
          await sleep(500)
          throw e
        } finally {
          s.say('finally')
          await sleep(500)
          s.say('cleanup done')
        }
      })
      await sleep(1000)
      t.cancel()
      await Promise.allSettled([t])
      s.say(`main sees ${t.state}`)
    })
    expect(lines).toEqual(['1000 caught CancelledError', '1500 finally', '2000 cleanup done', '2000 main sees cancelled'])
  })

  it('a task that swallows the cancellation and returns normally ends done', async () => {
    const { result } = await runVirtual(async () => {
      const t = createTask(async () => {
        try {
          await sleep(1000)
        } catch {
          return 'swallowed'
        }
        return 'not reached'
      })
      await sleep(0)
      t.cancel()
      return { value: await t, state: t.state, cancelling: t.cancelling() }
    })
    expect(result).toEqual({ value: 'swallowed', state: 'done', cancelling: 1 })
  })

  it('a task cancelled before its first step never runs its body', async () => {
    const { result } = await runVirtual(async () => {
      let ran = false
      const t = createTask(async () => {
        ran = true
      })
      t.cancel()
      await Promise.allSettled([t])
      return { ran, state: t.state }
    })
    expect(result).toEqual({ ran: false, state: 'cancelled' })
  })

  it('a cancel() landing while the wake-up is already queued still delivers CancelledError there', async () => {
    const { lines } = await runVirtual(async (s) => {
      const t = createTask(async () => {
        try {
          for (;;) {
            s.say('round')
            await sleep(1000)
          }
        } catch {
          s.say('cancelled')
        }
      })
      await sleep(2000) // scheduled before t's second 1 s sleep: both due at 2000, main wakes first
      t.cancel()
      await t
    })
    expect(lines).toEqual(['0 round', '1000 round', '2000 cancelled'])
  })

  it('cancelling() counts requests and uncancel() withdraws one', async () => {
    const { result } = await runVirtual(async () => {
      const t = createTask(async () => {
        try {
          await sleep(1000)
        } catch {
          await sleep(1000)
        }
      })
      await sleep(0)
      t.cancel('one')
      t.cancel('two')
      const counts: unknown[] = [t.cancelling(), t.state, t.cancelRequest()?.reason]
      counts.push(t.uncancel(), t.uncancel(), t.state, t.cancelRequest())
      t.cancel()
      await Promise.allSettled([t])
      return counts
    })
    expect(result).toEqual([2, 'cancelling', 'one', 1, 0, 'waiting', null])
  })

  it("a second cancel() while cleanup awaits interrupts the cleanup's await, as asyncio does", async () => {
    const { lines } = await runVirtual(async (s) => {
      const t = createTask(async () => {
        try {
          await sleep(1000)
        } catch {
          s.say('cleanup starts')
          try {
            await sleep(1000)
            s.say('cleanup finished')
          } catch {
            s.say('cleanup interrupted')
          }
        }
      })
      await sleep(100)
      t.cancel()
      await sleep(100)
      t.cancel()
      await Promise.allSettled([t])
      s.say(`${t.state}, cancelling ${t.cancelling()}`)
    })
    expect(lines).toEqual(['100 cleanup starts', '200 cleanup interrupted', '200 done, cancelling 2'])
  })

  it('cancelling a task cancels the task it awaits, even one shared with another awaiter', async () => {
    const { result } = await runVirtual(async () => {
      const shared = createTask(async () => {
        await sleep(1000)
        return 'shared'
      })
      const a = createTask(async () => await shared)
      const b = createTask(async () => await shared)
      await sleep(10)
      a.cancel()
      await Promise.allSettled([a, b])
      return { a: a.state, b: b.state, shared: shared.state, source: shared.cancelRequest()?.source ?? shared.exception() }
    })
    expect(result.a).toBe('cancelled')
    expect(result.b).toBe('cancelled')
    expect(result.shared).toBe('cancelled')
  })

  it('shield keeps the awaited task running when its awaiter is cancelled', async () => {
    const { result } = await runVirtual(async () => {
      const inner = createTask(async () => {
        await sleep(1000)
        return 'inner finished'
      })
      const outer = createTask(async () => await shield(inner))
      await sleep(10)
      outer.cancel()
      await Promise.allSettled([outer])
      return { outer: outer.state, inner: await inner, t: getRunningLoop().time() }
    })
    expect(result).toEqual({ outer: 'cancelled', inner: 'inner finished', t: 1000 })
  })

  it('cancel() on a done task returns false and changes nothing', async () => {
    const { result } = await runVirtual(async () => {
      const t = createTask(async () => 1)
      await t
      return { ok: t.cancel(), state: t.state, cancelling: t.cancelling() }
    })
    expect(result).toEqual({ ok: false, state: 'done', cancelling: 0 })
  })

  it('a cancel requested during the last step ends the task cancelled even though it returned', async () => {
    const { result } = await runVirtual(async () => {
      const t = createTask(async () => {
        currentTask()!.cancel()
        return 'returned'
      })
      await Promise.allSettled([t])
      return t.state
    })
    expect(result).toBe('cancelled')
  })

  it('signal is aborted on request, and a fresh one follows uncancel() back to zero', async () => {
    const { result } = await runVirtual(async () => {
      const t = createTask(async () => {
        try {
          await sleep(1000)
        } catch {
          await sleep(1000)
        }
      })
      const first = t.signal
      await sleep(0)
      t.cancel('stop')
      const abortedReason = first.aborted ? (first.reason as CancelledError).reason : null
      t.uncancel()
      const fresh = t.signal
      await t
      return { abortedReason, same: fresh === first, freshAborted: fresh.aborted }
    })
    expect(result).toEqual({ abortedReason: 'stop', same: false, freshAborted: false })
  })

  it('cancelRequest() records who asked, why and when', async () => {
    const { result } = await runVirtual(async () => {
      const t = createTask(() => sleep(10_000))
      await sleep(1234)
      t.cancel('enough')
      const req = t.cancelRequest()
      await Promise.allSettled([t])
      return { req, main: { id: currentTask()!.id, name: currentTask()!.name } }
    })
    expect(result.req).toEqual({ source: 'program', reason: 'enough', at: 1234, by: result.main })
    expect(result.main.name).toBe('main')
  })

  it("cancel() from outside every task (a UI, a loop callback) has source 'user' and no `by`", async () => {
    const { loop } = virtualLoop()
    const t = loop.createTask(() => sleep(10_000), { name: 'victim' })
    t.cancel('clicked') // host code: no loop running
    const fromHost = t.cancelRequest()
    const u = loop.createTask(() => sleep(10_000), { name: 'victim-2' })
    loop.callLater(50, () => u.cancel('from a callback'))
    await loop.runUntilComplete(async () => void (await Promise.allSettled([t, u])))
    expect(fromHost).toEqual({ source: 'user', reason: 'clicked', at: 0 })
    expect(u.cancelRequest()).toEqual({ source: 'user', reason: 'from a callback', at: 50 })
    expect(cancelSourceOf(u)).toBe('user')
    expect(cancelSourceOf(t)).toBe('user')
  })

  it("a task that cancels another is named as `by`; what the victim awaited gets source 'parent'", async () => {
    const { result } = await runVirtual(async () => {
      const inner = createTask(() => sleep(10_000), { name: 'inner' })
      const victim = createTask(async () => void (await inner), { name: 'victim' })
      const killer = createTask(
        async () => {
          await sleep(5)
          victim.cancel('killer was here')
        },
        { name: 'killer' },
      )
      await sleep(1)
      await killer
      const req = { victim: victim.cancelRequest(), inner: inner.cancelRequest() }
      await Promise.allSettled([victim, inner])
      return { req, killer: { id: killer.id, name: killer.name }, innerSource: cancelSourceOf(inner) }
    })
    expect(result.req.victim).toEqual({ source: 'program', reason: 'killer was here', at: 5, by: result.killer })
    expect(result.req.inner).toEqual({ source: 'parent', reason: 'killer was here', at: 5 })
  })

  it("a timeout() scope and waitFor cancel their inner work with source 'timeout'", async () => {
    const { result } = await runVirtual(async () => {
      let scopeSource: string | undefined
      let scopeReq: unknown
      await timeout(100, async () => {
        try {
          await sleep(10_000)
        } catch (e) {
          scopeSource = (e as CancelledError).source
          scopeReq = currentTask()!.cancelRequest()?.source
          throw e
        }
      }).catch(() => undefined)
      // waitFor(aw, ms) is a timeout() scope around `await aw`: the waiting task's request is
      // 'timeout', and the task it awaits is cancelled down the await chain ('parent').
      let waiterReq: string | undefined
      const inner = createTask(() => sleep(10_000), { name: 'inner' })
      const waiter = createTask(async () => {
        try {
          await waitFor(inner, 50)
        } catch {
          waiterReq = currentTask()!.cancelRequest()?.source ?? 'withdrawn'
        }
      })
      await waiter
      // with no time left, waitFor cancels the awaitable itself
      const now = createTask(() => sleep(10_000), { name: 'now' })
      await sleep(1)
      await waitFor(now, 0).catch(() => undefined)
      return { scopeSource, scopeReq, waiterReq, innerSource: cancelSourceOf(inner), zeroSource: cancelSourceOf(now) }
    })
    expect(result).toEqual({ scopeSource: 'timeout', scopeReq: 'timeout', waiterReq: 'withdrawn', innerSource: 'parent', zeroSource: 'timeout' })
  })

  it('a task deadline cancels the task with source deadline; extending it moves the cancellation', async () => {
    const { result } = await runVirtual(async () => {
      const t = createTask(() => sleep(10_000))
      t.setDeadline(1000)
      await sleep(500)
      t.setDeadline(3000) // extend while running
      const err = await rejection(Promise.resolve(t))
      return { t: getRunningLoop().time(), source: (err as CancelledError).source, deadline: t.deadline() }
    })
    expect(result).toEqual({ t: 3000, source: 'deadline', deadline: null })
  })

  it('clearing a task deadline lets the task finish', async () => {
    const { result } = await runVirtual(async () => {
      const t = createTask(() => sleep(2000, 'finished'))
      t.setDeadline(1000)
      await sleep(10)
      t.setDeadline(null)
      return await t
    })
    expect(result).toBe('finished')
  })

  it('cancel() may name its source, for a host stopping part of a loop; an unknown source is refused', async () => {
    const { result } = await runVirtual(async () => {
      const t = createTask(() => sleep(10_000))
      await sleep(1)
      let refused = false
      try {
        t.cancel('x', { source: 'aliens' as never })
      } catch (e) {
        refused = e instanceof TypeError && t.cancelling() === 0
      }
      t.cancel('daemon stopped', { source: 'shutdown' })
      const e = await rejection(Promise.resolve(t))
      return { refused, source: (e as CancelledError).source, request: t.cancelRequest() }
    })
    expect(result).toEqual({ refused: true, source: 'shutdown', request: { source: 'shutdown', reason: 'daemon stopped', at: 1 } })
  })
})
