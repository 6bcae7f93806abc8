import { describe, expect, it } from 'vitest'
import { EventLoop, VirtualClock, sleep } from '../../src/main/runtime/index'
import { Throttle } from '../../src/main/monitor/index'
import { manualTimers, watchedLoop } from './monitor-helper'

describe('batching', () => {
  it('Throttle flushes at most 60 times in any second of constant marking', () => {
    const timers = manualTimers()
    const at: number[] = []
    const t = new Throttle(1000 / 60, () => at.push(timers.now()), timers)
    for (let ms = 0; ms < 3000; ms++) {
      t.mark()
      t.mark()
      timers.advance(1)
    }
    // Any 61 consecutive flushes span at least a second: no second holds more than 60.
    for (let i = 0; i + 60 < at.length; i++) expect(at[i + 60]! - at[i]!).toBeGreaterThanOrEqual(1000 - 1e-9)
    expect(at.length).toBeGreaterThanOrEqual(170)
  })

  it('Throttle flushes a lone mark on the next timer turn, not synchronously', () => {
    const timers = manualTimers()
    let flushes = 0
    const t = new Throttle(1000 / 60, () => flushes++, timers)
    t.mark()
    expect(flushes).toBe(0)
    timers.advance(0)
    expect(flushes).toBe(1)
  })

  it('coalesces a whole run of 10,000 tasks into one delta carrying each task once', async () => {
    // One delta however many tasks (unbounded here: delta-size.test.ts covers the default cut).
    const w = watchedLoop({ maxTasksPerDelta: Infinity })
    await w.loop.runUntilComplete(async () => {
      const tasks = Array.from({ length: 10_000 }, (_, i) => w.loop.createTask(async () => void (await sleep(i % 100)), { name: `w${i}` }))
      for (const t of tasks) await t
    })
    expect(w.deltas).toHaveLength(0)
    const started = performance.now()
    w.timers.advance(20)
    const flushMs = performance.now() - started
    expect(w.deltas).toHaveLength(1)
    const delta = w.deltas[0]!
    expect(delta.created).toHaveLength(10_001)
    expect(delta.changed).toHaveLength(0)
    expect(delta.created.filter((t) => t.state === 'done')).toHaveLength(10_001)
    // Cutting the batch is a walk over the dirty set, not per-change work.
    expect(flushMs).toBeLessThan(1000)
  })

  it('sends a delta only when something changed', async () => {
    const w = watchedLoop()
    await w.loop.runUntilComplete(async () => void (await sleep(5)))
    w.timers.advance(100)
    const count = w.deltas.length
    w.timers.advance(1000)
    w.monitor.flushNow()
    expect(w.deltas).toHaveLength(count)
  })

  it('splits a flood of log lines over several deltas instead of one huge message', () => {
    const w = watchedLoop({ maxLogsPerDelta: 100 })
    for (let i = 0; i < 250; i++) w.monitor.log('run-1', { t: i, line: `line ${i}`, taskId: null, taskName: null, stream: 'stdout' })
    w.timers.advance(1000)
    expect(w.deltas.map((d) => d.logs.length)).toEqual([100, 100, 50])
    expect(w.deltas.flatMap((d) => d.logs).map((l) => l.line)).toEqual(Array.from({ length: 250 }, (_, i) => `line ${i}`))
  })
})

describe('adaptive pacing', () => {
  it('spaces big batches further apart (never beyond 4 a second) and returns to 60 a second for small ones', async () => {
    const w = watchedLoop({ maxTasksPerDelta: Infinity }) // a flush is one delta here (see delta-size.test.ts)
    await w.loop.runUntilComplete(async () => {
      const tasks = Array.from({ length: 5_000 }, (_, i) => w.loop.createTask(async () => void (await sleep(i)), { name: `w${i}` }))
      w.monitor.flushNow() // a batch of 5,001 created tasks
      w.timers.advance(1)
      await sleep(1) // a few of them change
      w.timers.advance(50)
      expect(w.deltas).toHaveLength(1) // still waiting: 5,001 items → ~83 ms gap
      w.timers.advance(40)
      expect(w.deltas).toHaveLength(2)
      // That one carried every task's first step (pending → waiting): still big, so another long gap.
      expect(w.deltas[1]!.changed.length).toBeGreaterThan(4_000)
      await sleep(1)
      w.timers.advance(90)
      expect(w.deltas).toHaveLength(3)
      expect(w.deltas[2]!.changed.length + w.deltas[2]!.ended.length).toBeLessThan(10)
      await sleep(1) // after a small batch: back to the 60-a-second pace
      w.timers.advance(17)
      expect(w.deltas).toHaveLength(4)
      for (const t of tasks) t.cancel()
    })
  })
})

describe('detaching', () => {
  it('sends the last look at many finished loops in one paced delta, not one each', async () => {
    const w = watchedLoop()
    const labels = ['run-2', 'run-3', 'run-4', 'run-5']
    for (const [i, label] of labels.entries()) {
      const loop = new EventLoop({ clock: new VirtualClock() })
      w.monitor.attach(loop, { label, runId: i + 2, rate: null })
      await loop.runUntilComplete(async () => void (await sleep(10)))
      w.monitor.detach(label)
    }
    expect(w.deltas).toHaveLength(0)
    w.timers.advance(20)
    expect(w.deltas).toHaveLength(1)
    expect(w.deltas[0]!.created.map((t) => [t.loop, t.state])).toEqual(labels.map((l) => [l, 'done']))
  })
})
