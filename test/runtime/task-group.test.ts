import { describe, expect, it } from 'vitest'
import { CancelledError, TaskGroupError, createTask, getRunningLoop, sleep, taskGroup } from '../../src/main/runtime/index'
import type { Task } from '../../src/main/runtime/index'
import { cancelSourceOf, rejection, runVirtual } from './support'

describe('taskGroup', () => {
  it('returns the body result once every child has finished', async () => {
    const { result } = await runVirtual(async () => {
      const got: number[] = []
      const r = await taskGroup(async (tg) => {
        for (const ms of [300, 100]) tg.createTask(async () => got.push(await sleep(ms, ms)))
        return 'body done'
      })
      return [r, got, getRunningLoop().time()]
    })
    expect(result).toEqual(['body done', [100, 300], 300])
  })

  it('the first failing child cancels its siblings (source sibling) and the body', async () => {
    const { result } = await runVirtual(async (s) => {
      let sibling!: Task<unknown>
      const e = await rejection(
        taskGroup(async (tg) => {
          sibling = tg.createTask(() => sleep(5000))
          tg.createTask(async () => {
            await sleep(100)
            throw new Error('child failed')
          })
          try {
            await sleep(10_000)
          } catch (err) {
            s.say(`body got ${(err as CancelledError).name} from ${(err as CancelledError).source}`)
            throw err
          }
        }),
      )
      return { e, siblingSource: cancelSourceOf(sibling), lines: s.lines }
    })
    expect(result.e).toBeInstanceOf(TaskGroupError)
    expect((result.e as TaskGroupError).errors.map((x) => (x as Error).message)).toEqual(['child failed'])
    expect(result.siblingSource).toBe('sibling')
    expect(result.lines).toEqual(['100 body got CancelledError from sibling'])
  })

  it("TaskGroupError holds the children's errors in the order they failed, then the body's", async () => {
    const group = (bodyMs: number) =>
      taskGroup(async (tg) => {
        tg.createTask(async () => {
          await sleep(200)
          throw new Error('second')
        })
        tg.createTask(async () => {
          await sleep(100)
          throw new Error('first')
        })
        tg.createTask(async () => {
          try {
            await sleep(1000)
          } finally {
            throw new Error('cleanup also failed') // eslint-disable-line no-unsafe-finally
          }
        })
        await sleep(bodyMs)
        throw new Error('body')
      })
    const messages = (e: unknown) => (e as TaskGroupError).errors.map((x) => (x as Error).message)
    const { result } = await runVirtual(async () => [messages(await rejection(group(50))), messages(await rejection(group(150)))])
    // CPython 3.12 prints the same for this program:
    // body fails first → siblings cancelled, one cleanup fails; a child fails first → the body is cancelled
    expect(result).toEqual([
      ['cleanup also failed', 'body'],
      ['first', 'cleanup also failed'],
    ])
  })

  it("a task group cancelled from outside cancels its children and re-raises the CancelledError", async () => {
    const { result } = await runVirtual(async () => {
      let child!: Task<unknown>
      const t = createTask(() =>
        taskGroup(async (tg) => {
          child = tg.createTask(() => sleep(5000))
          await sleep(5000)
        }),
      )
      await sleep(100)
      t.cancel()
      const e = await rejection(Promise.resolve(t))
      return { e: e instanceof CancelledError, child: child.state, t: t.state }
    })
    expect(result).toEqual({ e: true, child: 'cancelled', t: 'cancelled' })
  })

  it('a failing child makes the group throw even after the body returned', async () => {
    const { result } = await runVirtual(async () => {
      const e = await rejection(
        taskGroup(async (tg) => {
          tg.createTask(async () => {
            await sleep(100)
            throw new RangeError('late')
          })
          return 'returned early'
        }),
      )
      return [(e as TaskGroupError).errors[0] instanceof RangeError, getRunningLoop().time()]
    })
    expect(result).toEqual([true, 100])
  })

  it('createTask on a finished group is refused', async () => {
    const { result } = await runVirtual(async () => {
      let saved: { createTask: (c: () => Promise<void>) => unknown } | null = null
      await taskGroup(async (tg) => {
        saved = tg
      })
      try {
        saved!.createTask(async () => {})
        return 'accepted'
      } catch (e) {
        return (e as Error).name
      }
    })
    expect(result).toBe('RuntimeError')
  })
})
