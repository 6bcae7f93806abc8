// The agent ships a bounded share of what a busy process does, and says what it left out.
import { afterEach, describe, expect, it } from 'vitest'
import { AGENT_UNSEEN_ENDED_PER_DELTA, watch } from '../../src/agent/watch'
import type { Watcher } from '../../src/agent/watch'
import { createTask, run, sleep } from '../../src/main/runtime/index'
import { appUrl } from '../../src/shared/agent-protocol/index'
import { eventually, startHub } from '../hub/hub-helper'

let watcher: Watcher | null = null
afterEach(async () => {
  await watcher?.close()
  watcher = null
})

describe('watch() under a flood of short tasks', () => {
  it('sends a bounded number of tasks no delta showed and reports the rest to the hub as dropped', { timeout: 30_000 }, async () => {
    const hub = await startHub()
    const states: string[] = []
    // One delta a second: however slow a loaded machine runs the tasks, more than the budget's 1,000
    // end between two deltas (at 10 a second a slow enough machine never needed to fold).
    watcher = watch({ app: appUrl(hub), deltasPerSecond: 1, onStatus: (s) => states.push(s.state) })
    await eventually(() => watcher!.connection.status.state === 'connected')
    const total = 30_000
    await run(async () => {
      // Short-lived, a few hundred at a time: most end before a delta can show them.
      for (let r = 0; r < 100; r++) {
        const tasks = Array.from({ length: total / 100 }, (_, i) => createTask(async () => i, { name: `t${r}-${i}` }))
        for (const t of tasks) await t
      }
      await sleep(300) // real time: deltas go out meanwhile
      await createTask(async () => {}, { name: 'last' })
    })
    await eventually(() => hub.tasks('agent-1').some((t) => t.task.name === 'last'), 10_000)
    const folded = watcher.monitor.folded
    expect(folded).toBeGreaterThan(0)
    await eventually(() => hub.source('agent-1')!.dropped === folded, 5_000)
    // What the hub holds plus what it was told it missed covers every task of the run.
    const shown = hub.tasks('agent-1').filter((t) => t.task.name.startsWith('t')).length
    expect(shown).toBeLessThanOrEqual(total)
    expect(shown + folded).toBeGreaterThanOrEqual(total)
    expect(states.filter((s) => s === 'waiting')).toEqual([])
    expect(AGENT_UNSEEN_ENDED_PER_DELTA).toBeLessThan(total)
  })
})
