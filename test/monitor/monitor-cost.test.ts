// What makes watching cheap must not make it lie: a busy task's capped history, eviction of tasks
// no delta showed, and snapshots that stay as the delta carried them.
import { queryObjects } from 'node:v8'
import { describe, expect, it } from 'vitest'
import { Event, currentTask, sleep } from '../../src/main/runtime/index'
import { StateRecorder } from '../../src/main/monitor/state-recorder'
import { emptyHistory, historyLength, mergeSegments } from '../../src/shared/snapshots'
import type { TaskSnapshot } from '../../src/shared/snapshots'
import { watchedLoop } from './monitor-helper'

describe('StateRecorder under load', () => {
  it('a task that changed 10,000 times between two takes hands out its head, its last 150 and the right gap', () => {
    const r = new StateRecorder()
    const h = emptyHistory()
    r.enter('running', 0)
    r.enter('waiting', 1)
    for (const a of r.take(7)) mergeSegments(h, a)
    for (let i = 2; i < 10_002; i++) r.enter(i % 2 === 0 ? 'running' : 'waiting', i)
    const appends = r.take(7)
    for (const a of appends) mergeSegments(h, a)
    // 10,001 segments closed: the first 50, the last 150, and 9,801 counted between them.
    expect(historyLength(h)).toBe(10_001)
    expect(h.head).toHaveLength(50)
    expect(h.tail).toHaveLength(150)
    expect(h.skipped).toBe(10_001 - 200)
    expect(h.head[49]).toEqual({ state: 'waiting', from: 49, to: 50 })
    expect(h.tail[0]).toEqual({ state: 'waiting', from: 9_851, to: 9_852 })
    expect(h.tail[149]).toEqual({ state: 'running', from: 10_000, to: 10_001 })
    expect(h.open).toEqual({ state: 'waiting', from: 10_001 })
    expect(h).toEqual(r.history())
    // Within the protocol's bound for one append (head + tail), whatever the churn.
    for (const a of appends) expect(a.segments.length).toBeLessThanOrEqual(200)
  })

  it('segments handed out stay as they were when the ring wraps over their slots', () => {
    const r = new StateRecorder({ head: 1, tail: 3 })
    for (let i = 0; i < 6; i++) r.enter(i % 2 === 0 ? 'running' : 'waiting', i)
    const first = r.take(1)
    const copy = structuredClone(first)
    for (let i = 6; i < 40; i++) r.enter(i % 2 === 0 ? 'running' : 'waiting', i)
    expect(first).toEqual(copy)
    expect(r.history().tail).toEqual([
      { state: 'running', from: 36, to: 37 },
      { state: 'waiting', from: 37, to: 38 },
      { state: 'running', from: 38, to: 39 },
    ])
  })
})

describe('TaskMonitor eviction and snapshots', () => {
  it('an ended task evicted before any delta showed it is neither sent nor named in removed', async () => {
    const w = watchedLoop({ maxTasks: 3 })
    await w.loop.runUntilComplete(async () => {
      currentTask()!.name = 'main'
      for (let i = 0; i < 5; i++) await w.loop.createTask(async () => void (await sleep(1)), { name: `t${i}` })
    })
    w.monitor.flushNow()
    const sent = w.deltas.flatMap((d) => [...d.created, ...d.changed, ...d.ended].map((t) => t.name))
    expect(sent.sort()).toEqual(['main', 't3', 't4'])
    expect(w.deltas.flatMap((d) => d.removed)).toEqual([])
    expect(w.deltas.flatMap((d) => d.segments ?? []).map((a) => a.taskId)).not.toContain(undefined)
  })

  it('a task the UI saw live reaches it ended before it is removed', async () => {
    const w = watchedLoop({ maxTasks: 2 })
    let ids: number[] = []
    await w.loop.runUntilComplete(async () => {
      const kids = Array.from({ length: 3 }, (_, i) => w.loop.createTask(async () => void (await sleep(10)), { name: `k${i}` }))
      ids = kids.map((k) => k.id)
      await sleep(1)
      w.monitor.flushNow() // all three shown waiting
      for (const k of kids) await k
      w.monitor.flushNow()
    })
    const last = w.deltas.at(-1)!
    const endedBeforeRemoved = w.deltas.flatMap((d) => d.ended).map((t) => t.id)
    for (const id of w.deltas.flatMap((d) => d.removed)) expect(endedBeforeRemoved).toContain(id)
    expect(last.removed.length + w.deltas.slice(0, -1).flatMap((d) => d.removed).length).toBeGreaterThan(0)
    expect(ids.every((id) => endedBeforeRemoved.includes(id))).toBe(true)
  })

  it('a snapshot a delta carried does not change when the task changes later', async () => {
    const w = watchedLoop()
    await w.loop.runUntilComplete(async () => {
      currentTask()!.name = 'main'
      await sleep(1)
      w.monitor.flushNow()
      const seen = structuredClone(w.deltas.at(-1)!.created.find((t) => t.name === 'main')!)
      const carried = w.deltas.at(-1)!.created.find((t) => t.name === 'main')!
      currentTask()!.name = 'renamed'
      w.monitor.log('run-1', { t: 1, line: 'x', taskId: currentTask()!.id, taskName: 'renamed', stream: 'stdout' })
      await sleep(1)
      w.monitor.flushNow()
      expect(carried).toEqual(seen)
      expect(w.monitor.get(currentTask()!.id)).toMatchObject({ name: 'renamed', logCount: 1 })
    })
  })
})

describe('TaskMonitor folding of tasks no delta showed', () => {
  it('sends at most maxUnseenEndedPerDelta of them, folds the oldest and counts them', async () => {
    const folds: number[] = []
    const w = watchedLoop({ maxUnseenEndedPerDelta: 2, onFolded: (n) => folds.push(n) })
    await w.loop.runUntilComplete(async () => {
      currentTask()!.name = 'main'
      for (let i = 0; i < 5; i++) await w.loop.createTask(async () => {}, { name: `t${i}` })
      w.monitor.flushNow()
    })
    w.monitor.flushNow()
    expect(w.deltas[0]!.created.map((t) => t.name)).toEqual(['main', 't3', 't4'])
    expect(folds).toEqual([3])
    expect(w.monitor.folded).toBe(3)
    // Folded tasks are gone from the view too: nothing names them later.
    expect(w.monitor.snapshot().tasks.map((t) => t.name).sort()).toEqual(['main', 't3', 't4'])
  })

  it('never folds a task the UI saw live', async () => {
    const w = watchedLoop({ maxUnseenEndedPerDelta: 0 })
    await w.loop.runUntilComplete(async () => {
      const k = w.loop.createTask(async () => void (await sleep(5)), { name: 'seen' })
      await sleep(1)
      w.monitor.flushNow()
      await k
      w.monitor.flushNow()
    })
    expect(w.byName('seen')?.state).toBe('done')
    expect(w.monitor.folded).toBe(0)
  })
})

describe('TaskMonitor tail-segment budget', () => {
  it('busy tasks take turns within the tail budget, and every receiver still rebuilds the exact capped history', async () => {
    const w = watchedLoop({ maxTailSegmentsPerDelta: 20 })
    await w.loop.runUntilComplete(async () => {
      const kids = Array.from({ length: 4 }, (_, k) =>
        w.loop.createTask(async () => {
          for (let i = 0; i < 300; i++) {
            await sleep(1)
            if (k === 0 && i % 25 === 0) w.monitor.flushNow()
          }
        }),
      )
      for (const k of kids) await k
    })
    while (w.timers.pending() > 0) w.timers.advance(1000)
    w.monitor.flushNow()
    // A delta carries at most the budget plus the whole tail (≤ 150) of the task that crossed it.
    for (const d of w.deltas) {
      const tailSegs = (d.segments ?? []).filter((a) => a.first >= 50).reduce((n, a) => n + a.segments.length, 0)
      expect(tailSegs).toBeLessThanOrEqual(20 + 150)
    }
    const all = new Map<number, ReturnType<typeof emptyHistory>>()
    for (const d of w.deltas) for (const a of d.segments ?? []) {
      if (!all.has(a.taskId)) all.set(a.taskId, emptyHistory())
      mergeSegments(all.get(a.taskId)!, a)
    }
    for (const t of w.monitor.snapshot().tasks) expect(all.get(t.id) ?? emptyHistory(), t.name).toEqual(t.history)
  })
})

describe('a snapshot read between two deltas', () => {
  it('still reaches the next delta: a deadline set and read at once (task:get) is sent as a change', async () => {
    const w = watchedLoop()
    await w.loop.runUntilComplete(async () => {
      const t = w.loop.createTask(() => sleep(10_000), { name: 'request' })
      await sleep(1)
      w.monitor.flushNow() // shown waiting, no deadline
      t.setDeadline(w.loop.time() + 1_500)
      w.monitor.touch(t.id)
      expect(w.monitor.get(t.id)?.deadline?.at.loop).toBe(1_501) // what a command answers with
      w.monitor.flushNow()
      expect(w.deltas.at(-1)!.changed.map((s) => [s.name, s.deadline?.at.loop])).toEqual([['request', 1_501]])
      t.cancel()
    })
  })
})

describe('what the monitor keeps per live task', () => {
  it('holds no snapshot a delta carried (a live task keeps facts, not the object): the delta is its only holder', async () => {
    const w = watchedLoop()
    const ev = new Event()
    let id = 0
    let carried: WeakRef<TaskSnapshot> | null = null
    await w.loop.runUntilComplete(async () => {
      const t = w.loop.createTask(() => ev.wait(), { name: 'live' })
      id = t.id
      await sleep(1)
      w.monitor.flushNow()
      carried = new WeakRef(w.deltas.at(-1)!.created.find((s) => s.id === id)!)
      w.deltas.length = 0
    })
    // A turn of the host's loop, then a full GC (queryObjects collects before it counts).
    await new Promise((r) => setImmediate(r))
    queryObjects(StateRecorder, { format: 'count' })
    expect(carried!.deref()).toBeUndefined()
    // What it showed is still there to read and to send.
    expect(w.monitor.get(id)).toMatchObject({ name: 'live', state: 'waiting', awaiting: { kind: 'future', text: expect.stringMatching(/^wait Event-\d+$/) } })
    w.monitor.touch(id)
    w.monitor.flushNow()
    // Nothing it shows changed: re-read, it is not sent again.
    expect(w.deltas.flatMap((d) => [...d.created, ...d.changed, ...d.ended]).map((s) => s.id)).not.toContain(id)
  })

  it('tasks awaiting a future in the same words share one await description (100,000 on one Event hold one)', async () => {
    const w = watchedLoop()
    const ev = new Event()
    await w.loop.runUntilComplete(async () => {
      const tasks = Array.from({ length: 1_000 }, () => w.loop.createTask(() => ev.wait()))
      await sleep(1)
      w.monitor.flushNow()
      ev.set()
      for (const t of tasks) await t
    })
    const waiting = w.deltas[0]!.created.filter((s) => s.state === 'waiting' && s.name !== 'Task-1')
    expect(waiting).toHaveLength(1_000)
    expect(new Set(waiting.map((s) => s.awaiting)).size).toBe(1)
    expect(waiting[0]!.awaiting).toEqual({ kind: 'future', text: expect.stringMatching(/^wait Event-\d+$/), taskId: null })
  })
})

describe('a live task whose first segments are kept in the monitor\'s typed slots', () => {
  it('hands out the same exact history across the slots and its array, live, ended as columns and back', async () => {
    const w = watchedLoop()
    let id = 0
    await w.loop.runUntilComplete(async () => {
      const t = w.loop.createTask(async () => {
        for (let i = 0; i < 4; i++) await sleep(10) // running, waiting ×4: 8 closed segments, 3 of them in the slot
      }, { name: 'steps' })
      id = t.id
      await sleep(25)
      expect(w.monitor.get(id)!.history).toEqual({
        head: [
          { state: 'running', from: 0, to: 0 },
          { state: 'waiting', from: 0, to: 10 },
          { state: 'running', from: 10, to: 10 },
          { state: 'waiting', from: 10, to: 20 },
          { state: 'running', from: 20, to: 20 },
        ],
        skipped: 0,
        tail: [],
        open: { state: 'waiting', from: 20 },
      })
      await t
    })
    w.monitor.flushNow()
    const ended = w.monitor.get(id)!.history!
    expect(ended.head.map((s) => [s.state, s.from, s.to])).toEqual([
      ['running', 0, 0], ['waiting', 0, 10], ['running', 10, 10], ['waiting', 10, 20], ['running', 20, 20], ['waiting', 20, 30], ['running', 30, 30], ['waiting', 30, 40], ['running', 40, 40],
    ])
    // A line printed after its end brings it back from the columns as an entry: the same history.
    w.monitor.log('run-1', { t: 50, line: 'late', taskId: id, taskName: 'steps', stream: 'stdout' })
    expect(w.monitor.get(id)!.history).toEqual(ended)
    const rebuilt = emptyHistory()
    for (const d of w.deltas) for (const a of d.segments ?? []) if (a.taskId === id) mergeSegments(rebuilt, a)
    expect(rebuilt).toEqual(ended)
  })
})
