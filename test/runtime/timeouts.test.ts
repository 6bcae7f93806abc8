import { describe, expect, it } from 'vitest'
import { CancelledError, TimeoutError, createTask, currentTask, getRunningLoop, sleep, timeout, timeoutAt, waitFor } from '../../src/main/runtime/index'
import { rejection, runVirtual } from './support'

describe('waitFor and timeout scopes', () => {
  it("waitFor waits for the cancelled task's cleanup before throwing TimeoutError", async () => {
    const { lines } = await runVirtual(async (s) => {
      const slow = async () => {
        try {
          await sleep(10_000)
        } finally {
          s.say('cleanup starts')
          await sleep(500)
          s.say('cleanup ends')
        }
      }
      const e = await rejection(waitFor(slow, 1000))
      s.say(`${e instanceof TimeoutError ? 'TimeoutError' : String(e)}`)
    })
    expect(lines).toEqual(['1000 cleanup starts', '1500 cleanup ends', '1500 TimeoutError'])
  })

  it('waitFor returns the value when the awaitable swallows the cancellation and returns', async () => {
    const { result } = await runVirtual(async () => {
      const v = await waitFor(async () => {
        try {
          await sleep(10_000)
          return 'finished'
        } catch {
          return 'swallowed'
        }
      }, 1000)
      return { v, cancelling: currentTask()!.cancelling() }
    })
    expect(result).toEqual({ v: 'swallowed', cancelling: 0 })
  })

  it('waitFor passes a result through when it comes in time', async () => {
    const { result } = await runVirtual(async () => [await waitFor(() => sleep(500, 'quick'), 1000), getRunningLoop().time()])
    expect(result).toEqual(['quick', 500])
  })

  it('waitFor with a timeout ≤ 0 cancels at once and throws TimeoutError', async () => {
    const { result } = await runVirtual(async () => {
      const e = await rejection(waitFor(() => sleep(100), 0))
      return [e instanceof TimeoutError, getRunningLoop().time()]
    })
    expect(result).toEqual([true, 0])
  })

  it('waitFor(p, null) makes a foreign promise a cancellable await', async () => {
    const { result } = await runVirtual(async () => {
      const never = new Promise<never>(() => {})
      const t = createTask(() => waitFor(never, null))
      await sleep(100)
      t.cancel('give up')
      const e = await rejection(Promise.resolve(t))
      return [t.state, (e as CancelledError).reason]
    })
    expect(result).toEqual(['cancelled', 'give up'])
  })

  it('only the timeout scope that cancelled turns CancelledError into TimeoutError', async () => {
    const { result } = await runVirtual(async () => {
      const outcome: string[] = []
      try {
        await timeout(1000, async () => {
          try {
            await timeout(5000, async () => {
              await sleep(10_000)
            })
          } catch (e) {
            outcome.push(`inner scope saw ${(e as Error).name}`)
            throw e
          }
        })
      } catch (e) {
        outcome.push(`outer scope threw ${e instanceof TimeoutError ? 'TimeoutError' : (e as Error).name}`)
      }
      outcome.push(`at ${getRunningLoop().time()}`)
      return outcome
    })
    expect(result).toEqual(['inner scope saw CancelledError', 'outer scope threw TimeoutError', 'at 1000'])
  })

  it('a user cancel inside a timeout scope stays a CancelledError', async () => {
    const { result } = await runVirtual(async () => {
      const t = createTask(() => timeout(5000, () => sleep(10_000)))
      await sleep(100)
      t.cancel()
      const e = await rejection(Promise.resolve(t))
      return (e as Error).constructor.name
    })
    expect(result).toBe('CancelledError')
  })

  it('reschedule moves the deadline of a running scope; expired() tells that it fired', async () => {
    const { result } = await runVirtual(async () => {
      let scopeRef: { expired(): boolean; when(): number | null } | null = null
      const e = await rejection(
        timeout(1000, async (scope) => {
          scopeRef = scope
          await sleep(500)
          scope.reschedule(scope.when()! + 2000)
          await sleep(10_000)
        }),
      )
      return { name: (e as Error).name, t: getRunningLoop().time(), expired: scopeRef!.expired() }
    })
    expect(result).toEqual({ name: 'TimeoutError', t: 3000, expired: true })
  })

  it('a scope with no deadline can be given one later, and timeoutAt takes an absolute time', async () => {
    const { result } = await runVirtual(async () => {
      const a = await rejection(
        timeout(null, async (scope) => {
          scope.reschedule(getRunningLoop().time() + 300)
          await sleep(1000)
        }),
      )
      const b = await rejection(timeoutAt(700, () => sleep(1000)))
      return [a instanceof TimeoutError, b instanceof TimeoutError, getRunningLoop().time()]
    })
    expect(result).toEqual([true, true, 700])
  })

  it('a scope that did not fire leaves the result alone and expired() false', async () => {
    const { result } = await runVirtual(async () => {
      let expired = true
      const v = await timeout(1000, async (scope) => {
        await sleep(10)
        expired = scope.expired()
        return 'in time'
      })
      return [v, expired]
    })
    expect(result).toEqual(['in time', false])
  })

  it('timeout() outside a task is refused with a RuntimeError', async () => {
    const { EventLoop, RuntimeError } = await import('../../src/main/runtime/index')
    const loop = new EventLoop()
    let err: unknown = null
    loop.callSoon(() => {
      timeout(10, async () => {}).catch((e: unknown) => {
        err = e
      })
      loop.stop()
    })
    await loop.runForever()
    await Promise.resolve()
    expect(err).toBeInstanceOf(RuntimeError)
  })
})
