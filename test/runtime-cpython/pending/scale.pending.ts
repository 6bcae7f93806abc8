/** Scale cases where the runtime still fails its contract (see /tmp/runtime-bugs/BUGS.md, B9). */
import { describe, expect, it } from 'vitest'
import type { Task } from '../../../src/main/runtime/index'
import { createTask, sleep } from '../../../src/main/runtime/index'
import { b, ts } from '../cpython'

describe('scale (pending runtime fixes)', () => {
  it('cancelling the top of a 10k-task await chain reaches the bottom task without stack overflow', async () => {
    const lines = await ts(async (log) => {
      const chain: Task<number>[] = []
      for (let i = 0; i < 10_000; i++) {
        const p = chain[i - 1] ?? null
        chain.push(
          createTask(async () => {
            if (p === null) {
              await sleep(1000)
              return 0
            }
            return (await p) + 1
          }),
        )
      }
      await sleep(10)
      let outcome = 'cancel returned'
      try {
        chain[chain.length - 1]!.cancel()
      } catch (e) {
        outcome = `cancel threw ${e instanceof Error ? e.name : String(e)}`
      }
      log(outcome)
      await sleep(10)
      log('bottom cancelled', b(chain[0]!.cancelled()), 'top cancelled', b(chain[chain.length - 1]!.cancelled()))
    })
    expect(lines).toEqual(['10 cancel returned', '20 bottom cancelled True top cancelled True', '20 end null'])
  })
})
