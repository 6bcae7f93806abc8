/** A task's life after awaiting a foreign promise directly (see /tmp/runtime-bugs/BUGS.md, B11). */
import { describe, expect, it } from 'vitest'
import { createTask, getRunningLoop, sleep } from '../../../src/main/runtime/index'
import { ts } from '../cpython'

describe('after a foreign await (pending runtime fixes)', () => {
  it('a task that awaited a foreign promise directly can still sleep and create tasks afterwards', async () => {
    const lines = await ts(async (log) => {
      const t = createTask(async () => {
        await new Promise<void>((resolve) => setImmediate(resolve)) // a foreign promise, like fetch or fs
        let loopFound = 'yes'
        try {
          getRunningLoop()
        } catch (e) {
          loopFound = `no: ${(e as Error).message}`
        }
        log('after the foreign await, running loop found:', loopFound)
        await sleep(10)
        const child = createTask(async () => 'child value')
        return await child
      })
      log('task returned', await t)
    })
    expect(lines).toEqual(['0 after the foreign await, running loop found: yes', '10 task returned child value', '10 end null'])
  })
})
