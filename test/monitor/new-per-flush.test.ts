// maxNewPerFlush: new tasks past a flush's share wait, in order, for the next flushes (the agent's
// bound on what a burst costs); one that ends while it waits is an unseen ended task like any other.
import { describe, expect, it } from 'vitest'
import { Event, createTask, sleep } from '../../src/main/runtime/index'
import { watchedLoop } from './monitor-helper'

describe('new tasks per flush (maxNewPerFlush)', () => {
  it('shows 3 new tasks a flush, in the order they came, until all 10 and main are shown; none is lost or shown twice', async () => {
    const w = watchedLoop({ maxNewPerFlush: 3 })
    await w.loop.runUntilComplete(async () => {
      const ev = new Event()
      const ts = Array.from({ length: 10 }, (_, i) => createTask(() => ev.wait(), { name: `t${i}` }))
      await sleep(0) // every one started and waits
      w.timers.advance(1_000) // the flushes come one after another, as the pacing allows
      ev.set()
      for (const t of ts) await t
    })
    const firstFour = w.deltas.slice(0, 4).map((d) => d.created.map((t) => t.name))
    expect(firstFour).toEqual([
      [w.deltas[0]!.created[0]!.name, 't0', 't1'],
      ['t2', 't3', 't4'],
      ['t5', 't6', 't7'],
      ['t8', 't9'],
    ])
    expect(firstFour[0]![0]).not.toMatch(/^t\d/) // main, new in the same first step
    w.timers.advance(1_000)
    const created = w.deltas.flatMap((d) => d.created.map((t) => t.id))
    expect(new Set(created).size).toBe(created.length)
    expect([...w.view().values()].filter((t) => t.name.startsWith('t')).every((t) => t.state === 'done')).toBe(true)
  })

  it('a waiting task that ends before its turn is folded past maxUnseenEndedPerDelta, and shown + folded = made', async () => {
    const folded: number[] = []
    const w = watchedLoop({ maxNewPerFlush: 3, maxUnseenEndedPerDelta: 2, onFolded: (n) => folded.push(n) })
    await w.loop.runUntilComplete(async () => {
      const ev = new Event()
      const ts = Array.from({ length: 10 }, (_, i) => createTask(() => ev.wait(), { name: `t${i}` }))
      await sleep(0)
      w.timers.advance(1) // the first flush: main, t0, t1
      for (const t of ts.slice(5)) t.cancel() // t5 … t9 end before their turn
      await sleep(0)
      w.timers.advance(1_000)
      ev.set()
      for (const t of ts) await t.then(() => {}, () => {})
    })
    w.timers.advance(1_000)
    const names = w.deltas.flatMap((d) => d.created.map((t) => t.name))
    // t5, t6, t7 (the oldest three of five ended unseen) were folded; t8 and t9 are shown ended.
    expect(folded.reduce((a, b) => a + b, 0)).toBe(3)
    expect(names.filter((n) => n.startsWith('t'))).toEqual(['t0', 't1', 't2', 't3', 't4', 't8', 't9'])
    expect(names.length + 3).toBe(11)
    expect(w.byName('t9')?.state).toBe('cancelled')
  })
})
