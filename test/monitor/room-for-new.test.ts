import { describe, expect, it } from 'vitest'
import { Event } from '../../src/main/runtime/index'
import { watchedLoop } from './monitor-helper'

describe('roomForNew: new tasks past the room a delta has are hidden, not read', () => {
  it('a delta with room for 2 of 5 new tasks creates 2, never sends the other 3, and a snapshot carries all 5', async () => {
    let room = 2
    const w = watchedLoop({ roomForNew: () => room })
    const ev = new Event()
    const tasks = Array.from({ length: 5 }, (_, i) => w.loop.createTask(async () => void (await ev.wait()), { name: `t${i}` }))
    await w.loop.runUntilComplete(async () => {
      await new Promise<void>((r) => w.loop.callSoon(r))
    })
    w.timers.advance(1000)
    expect(w.deltas.flatMap((d) => d.created.map((t) => t.name))).toEqual(['t0', 't1'])
    expect(w.monitor.hidden).toBe(4) // t2, t3, t4 and the main task
    // The room grows, but hidden tasks stay hidden: their changes and ends are not sent either.
    room = 100
    ev.set()
    await w.loop.runUntilComplete(async () => {
      for (const t of tasks) await t
    })
    w.timers.advance(1000)
    const named = new Set(w.deltas.flatMap((d) => [...d.created, ...d.changed, ...d.ended].map((t) => t.name)))
    expect([...named].filter((n) => n.startsWith('t')).sort()).toEqual(['t0', 't1'])
    expect(w.deltas.flatMap((d) => d.ended.map((t) => t.name)).sort()).toEqual(['t0', 't1'])
    expect(w.monitor.folded).toBe(0)
    // A snapshot (a fresh hub) carries every task, hidden ones read fresh, with their end.
    const snap = w.monitor.snapshot()
    const byName = new Map(snap.tasks.map((t) => [t.name, t]))
    for (let i = 0; i < 5; i++) expect(byName.get(`t${i}`)?.state).toBe('done')
  })

  it('hidden tasks that ended are evicted past maxTasks without being named in removed', async () => {
    const w = watchedLoop({ roomForNew: () => 1, maxTasks: 1 })
    const ev = new Event()
    const ts = Array.from({ length: 4 }, (_, i) => w.loop.createTask(async () => void (await ev.wait()), { name: `s${i}` }))
    await w.loop.runUntilComplete(async () => {
      await new Promise<void>((r) => w.loop.callSoon(r))
    })
    w.timers.advance(1000)
    expect(w.monitor.hidden).toBe(3) // s1, s2, s3 (the main task ended unseen and was evicted first)
    ev.set()
    await w.loop.runUntilComplete(async () => {
      for (const t of ts) await t
    })
    w.timers.advance(1000)
    w.timers.advance(1000)
    const created = w.deltas.flatMap((d) => d.created)
    expect(created.map((t) => t.name).filter((n) => n.startsWith('s'))).toEqual(['s0'])
    // Only tasks a delta created are named in removed; the view is back within maxTasks.
    const removed = w.deltas.flatMap((d) => d.removed)
    expect(removed).toContain(ts[0]!.id)
    expect(removed.filter((id) => !created.some((t) => t.id === id))).toEqual([])
    expect(w.monitor.snapshot().tasks).toHaveLength(1)
  })
})
