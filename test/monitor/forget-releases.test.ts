import { queryObjects } from 'node:v8'
import { describe, expect, it } from 'vitest'
import { sleep } from '../../src/main/runtime/index'
import { StateRecorder } from '../../src/main/monitor/state-recorder'
import { watchedLoop } from './monitor-helper'

/** Live StateRecorder objects (one per task the monitor holds), counted after a full GC. */
const recorders = () => queryObjects(StateRecorder, { format: 'count' }) as number

describe('forget', () => {
  it('lets go of every task of a forgotten loop (nothing the view dropped stays reachable)', async () => {
    const before = recorders()
    const w = watchedLoop()
    await w.loop.runUntilComplete(async () => {
      const tasks = Array.from({ length: 2_000 }, () => w.loop.createTask(() => sleep(1)))
      for (const t of tasks) await t
    })
    w.timers.advance(20)
    // Ended tasks are held as columns, not recorders: the view still has each of them.
    const ids = w.monitor.snapshot().tasks.map((t) => t.id)
    expect(ids).toHaveLength(2_001)
    w.monitor.forget('run-1')
    for (const id of ids) expect(w.monitor.get(id)).toBeNull()
    // Before the next delta, too: a run forgotten is let go at once.
    expect(recorders() - before).toBeLessThan(10)
    w.timers.advance(20)
    expect(w.monitor.snapshot().tasks).toHaveLength(0)
    // The monitor itself is still alive (w is in scope): what it retains is what it leaks.
    expect(recorders() - before).toBeLessThan(10)
    expect(w.deltas.at(-1)!.removed).toHaveLength(2_001)
  })
})
