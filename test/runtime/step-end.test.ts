/**
 * Where a task step ends (issue 13): once V8's microtask queue is empty and the nextTicks its
 * microtasks queued have run. The loop runs that queue to empty itself after each step, so code a
 * step started — promise jobs at any depth, and process.nextTick callbacks — runs inside that
 * step, with that task current, before the next task's step begins.
 */
import { describe, expect, it } from 'vitest'
import { createTask, currentTask, gather, sleep } from '../../src/main/runtime/index'
import { runVirtual } from './support'

describe('the end of a task step', () => {
  it("a nextTick queued late in a step runs inside that step, before the next task's step", async () => {
    const { lines } = await runVirtual(async (s) => {
      const a = createTask(
        async () => {
          await sleep(0)
          await null // the nextTick below is queued a microtask into the step, not at its start
          await null
          process.nextTick(() => s.say(`tick from A sees ${currentTask()?.name}`))
          await sleep(0)
          s.say('A resumes')
        },
        { name: 'A' },
      )
      const b = createTask(
        async () => {
          await sleep(0)
          s.say('B step')
        },
        { name: 'B' },
      )
      await gather([a, b])
    })
    expect(lines).toEqual(['0 tick from A sees A', '0 B step', '0 A resumes'])
  })

  it('a promise chain a step starts finishes inside it, however deep, before the next task runs', async () => {
    const { lines } = await runVirtual(async (s) => {
      const deep = async (n: number): Promise<number> => (n === 0 ? 0 : 1 + (await deep(n - 1)))
      const a = createTask(
        async () => {
          await sleep(0)
          void deep(50).then((d) => s.say(`chain of ${d} done in ${currentTask()?.name}`))
          await sleep(0)
        },
        { name: 'A' },
      )
      const b = createTask(
        async () => {
          await sleep(0)
          s.say(`B step in ${currentTask()?.name}`)
        },
        { name: 'B' },
      )
      await gather([a, b])
    })
    expect(lines).toEqual(['0 chain of 50 done in A', '0 B step in B'])
  })
})
