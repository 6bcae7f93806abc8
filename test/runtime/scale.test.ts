import { describe, expect, it } from 'vitest'
import { createTask, gather, sleep } from '../../src/main/runtime/index'
import { runVirtual } from './support'

describe('scale', () => {
  it('runs 100k tasks to completion without overflowing the stack', async () => {
    const { result } = await runVirtual(async () => {
      const ts = Array.from({ length: 100_000 }, (_, i) => createTask(() => sleep(i % 100, i)))
      let sum = 0
      for (const t of ts) sum += await t
      return sum
    })
    expect(result).toBe((100_000 * 99_999) / 2)
  })

  it('a 10k-deep chain of tasks awaiting tasks settles', async () => {
    const { result } = await runVirtual(async () => {
      const depth = (n: number): Promise<number> => (n === 0 ? sleep(1, 0) as unknown as Promise<number> : createTask(() => depth(n - 1)).then((v) => v + 1))
      return await depth(10_000)
    })
    expect(result).toBe(10_000)
  })

  it('nested async calls inside one task settle as deep as plain JavaScript allows (3k; 10k overflows natively)', async () => {
    const { result } = await runVirtual(async () => {
      const depth = async (n: number): Promise<number> => (n === 0 ? await sleep(1, 0) : (await depth(n - 1)) + 1)
      return await depth(3_000)
    })
    expect(result).toBe(3_000)
  })

  it('cancelling 100k waiting tasks at once finishes, each seeing its CancelledError', async () => {
    const { result } = await runVirtual(async () => {
      let seen = 0
      const ts = Array.from({ length: 100_000 }, () =>
        createTask(async () => {
          try {
            await sleep(60_000)
          } catch (e) {
            seen++
            throw e
          }
        }),
      )
      await sleep(1)
      for (const t of ts) t.cancel()
      await gather(ts, { returnExceptions: true })
      return [seen, ts.every((t) => t.cancelled())]
    })
    expect(result).toEqual([100_000, true])
  })

  it('a long ready queue of sleep(0) yields drains', async () => {
    const { result } = await runVirtual(async () => {
      let n = 0
      const ts = Array.from({ length: 1000 }, () =>
        createTask(async () => {
          for (let i = 0; i < 100; i++) {
            n++
            await sleep(0)
          }
        }),
      )
      await gather(ts)
      return n
    })
    expect(result).toBe(100_000)
  })
})
