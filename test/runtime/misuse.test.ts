import { describe, expect, it } from 'vitest'
import {
  EventLoop,
  Future,
  InvalidStateError,
  RuntimeError,
  VirtualClock,
  createTask,
  getRunningLoop,
  run,
  sleep,
} from '../../src/main/runtime/index'
import { rejection, runVirtual, virtualLoop } from './support'

describe('misuse gets a clear error and changes nothing', () => {
  it('run(42) rejects with a TypeError that describes the value', async () => {
    const e = await rejection(run(42 as never))
    expect(e).toBeInstanceOf(TypeError)
    expect((e as Error).message).toBe('a coroutine function was expected, got 42 (number)')
  })

  it('run(promise) rejects with a TypeError that says to pass the function itself', async () => {
    const main = async () => 1
    const p = main()
    const e = await rejection(run(p as never))
    expect(e).toBeInstanceOf(TypeError)
    expect((e as Error).message).toBe(
      'a coroutine function was expected, got a Promise — pass the async function itself, not the promise it returned',
    )
  })

  it('run(undefined) matches the course trace pattern for a plain def main()', async () => {
    const e = await rejection(run(undefined as never))
    expect(`${(e as Error).name}: ${(e as Error).message}`).toMatch(/^(ValueError|TypeError): a coroutine (function )?was expected, got .+$/)
  })

  it('createTask on a closed loop throws RuntimeError and creates nothing', () => {
    const { loop } = virtualLoop()
    loop.close()
    expect(() => loop.createTask(async () => {})).toThrow(RuntimeError)
    expect(loop.allTasks().size).toBe(0)
  })

  it('createTask with something other than a function throws TypeError', () => {
    const { loop } = virtualLoop()
    expect(() => loop.createTask('main' as never)).toThrow(/a coroutine function was expected, got "main" \(string\)/)
    expect(loop.allTasks().size).toBe(0)
  })

  it('setResult and setException on a done future throw InvalidStateError and keep the first result', () => {
    const f = new Future<number>(new EventLoop({ clock: new VirtualClock() }))
    f.setResult(1)
    expect(() => f.setResult(2)).toThrow(InvalidStateError)
    expect(() => f.setException(new Error('late'))).toThrow(InvalidStateError)
    expect(f.result()).toBe(1)
  })

  it('result() and exception() before done throw InvalidStateError', () => {
    const f = new Future<number>(new EventLoop({ clock: new VirtualClock() }))
    expect(() => f.result()).toThrow(InvalidStateError)
    expect(() => f.exception()).toThrow(InvalidStateError)
    expect(f.done()).toBe(false)
  })

  it('a NaN or non-number delay is a TypeError; a negative delay yields once like sleep(0)', async () => {
    const { result } = await runVirtual(async () => {
      const nan = (() => {
        try {
          void sleep(Number.NaN)
        } catch (e) {
          return e instanceof TypeError
        }
      })()
      const str = (() => {
        try {
          getRunningLoop().callLater('5' as never, () => {})
        } catch (e) {
          return e instanceof TypeError
        }
      })()
      const order: string[] = []
      const other = createTask(async () => {
        order.push('other ran')
      })
      await sleep(-5)
      order.push('after negative sleep')
      await other
      return { nan, str, order, t: getRunningLoop().time() }
    })
    expect(result).toEqual({ nan: true, str: true, order: ['other ran', 'after negative sleep'], t: 0 })
  })

  it('getRunningLoop() outside the loop throws RuntimeError "no running event loop"', () => {
    expect(() => getRunningLoop()).toThrow(new RuntimeError('no running event loop'))
  })

  it('a task awaiting itself gets a RuntimeError', async () => {
    const { result } = await runVirtual(async () => {
      const holder: { t?: Promise<unknown> } = {}
      const t = createTask(async () => {
        await sleep(1)
        return await holder.t
      })
      holder.t = t as unknown as Promise<unknown>
      return (await rejection(Promise.resolve(t))) instanceof RuntimeError
    })
    expect(result).toBe(true)
  })

  it('a running loop cannot be closed or run twice', async () => {
    const { loop } = virtualLoop()
    const never = loop.createFuture<void>()
    const running = loop.runUntilComplete(never)
    expect(() => loop.close()).toThrow(RuntimeError)
    await expect(loop.runForever()).rejects.toThrow(RuntimeError)
    never.setResult()
    await running
    loop.close()
    expect(loop.isClosed()).toBe(true)
  })

  it('run() from inside a task is refused', async () => {
    const { result } = await runVirtual(async () => (await rejection(run(async () => 1))) instanceof RuntimeError)
    expect(result).toBe(true)
  })
})
