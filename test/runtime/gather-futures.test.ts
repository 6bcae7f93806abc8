/** gather over futures only (its path without a map): order, a future given twice, cancellation. */
import { describe, expect, it } from 'vitest'
import { createTask, gather, sleep } from '../../src/main/runtime/index'
import { runVirtual } from './support'

describe('gather of futures', () => {
  it('a task given twice is awaited once and its result appears at both places, in input order', async () => {
    const { result } = await runVirtual(async () => {
      let runs = 0
      const a = createTask(async () => {
        runs++
        await sleep(20)
        return 'a'
      })
      const b = createTask(() => sleep(10, 'b'))
      const results = await gather([a, b, a])
      return { results, runs }
    })
    expect(result).toEqual({ results: ['a', 'b', 'a'], runs: 1 })
  })

  it('cancelling a gather with a repeated task cancels each child once and raises CancelledError', async () => {
    const { result } = await runVirtual(async () => {
      const a = createTask(() => sleep(1000))
      const b = createTask(() => sleep(1000))
      const g = gather([a, a, b])
      await sleep(1)
      g.cancel()
      const outcome = await g.then(
        () => 'resolved',
        (e: unknown) => (e as Error).name,
      )
      return { outcome, a: [a.cancelled(), a.cancelling()], b: [b.cancelled(), b.cancelling()] }
    })
    expect(result).toEqual({ outcome: 'CancelledError', a: [true, 1], b: [true, 1] })
  })
})
