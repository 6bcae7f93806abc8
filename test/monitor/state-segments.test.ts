import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { currentTask, sleep } from '../../src/main/runtime/index'
import { StateRecorder } from '../../src/main/monitor/state-recorder'
import { TaskMonitor } from '../../src/main/monitor/index'
import { createScenarioRun, getScenario } from '../../src/main/scenarios/index'
import { emptyHistory, historyLength, mergeSegments } from '../../src/shared/snapshots'
import type { StateHistory, StateSegment, TaskDelta } from '../../src/shared/snapshots'
import { manualTimers, watchedLoop } from './monitor-helper'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

/** Rebuilds each task's history from the deltas, as the renderer does. */
function replay(deltas: readonly TaskDelta[]): Map<number, StateHistory> {
  const out = new Map<number, StateHistory>()
  for (const d of deltas) {
    for (const a of d.segments ?? []) {
      let h = out.get(a.taskId)
      if (!h) out.set(a.taskId, (h = emptyHistory()))
      mergeSegments(h, a)
    }
  }
  return out
}

const states = (segs: readonly StateSegment[]) => segs.map((s) => s.state)

describe('TaskMonitor state segments', () => {
  it('graceful-cancel on a virtual clock: db_operation waits 1 s rounds woken for an instant, then cancels for 1 s', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loopwatch-segments-'))
    dirs.push(dir)
    const deltas: TaskDelta[] = []
    const monitor = new TaskMonitor({ timers: manualTimers(), emit: (d) => deltas.push(d) })
    const run = createScenarioRun(getScenario('graceful-cancel')!, {}, { clock: 'virtual', outDir: dir })
    monitor.attach(run.loop, { label: 'run-1', runId: 1, rate: null })
    expect((await run.start()).outcome).toBe('done')
    monitor.flushNow()

    // The whole run arrives in one batch: the segments are the only record of how it got there.
    expect(deltas).toHaveLength(1)
    const db = deltas[0]!.created.find((t) => t.name === 'db_operation')!
    const h = replay(deltas).get(db.id)!
    expect(h.skipped).toBe(0)
    expect(h.open).toBeNull()
    const segs = [...h.head, ...h.tail]
    const rounds = [0, 1000, 2000, 3000, 4000]
    expect(segs).toEqual([
      ...rounds.flatMap((at) => [
        { state: 'running', from: at, to: at },
        { state: 'waiting', from: at, to: at + 1000 },
      ]),
      { state: 'cancelling', from: 5000, to: 6000 },
    ])
    // Every segment starts where the one before it ended, and the last ends with the task.
    segs.slice(1).forEach((s, i) => expect(s.from).toBe(segs[i]!.to))
    expect(segs.at(-1)!.to).toBe(db.endedAt!.loop)
    // A full snapshot carries the same history.
    expect(monitor.snapshot().tasks.find((t) => t.id === db.id)!.history).toEqual(h)
  })

  it('sends only the segments closed since the previous delta, with where the task is now', async () => {
    const w = watchedLoop()
    let id = 0
    await w.loop.runUntilComplete(async () => {
      id = currentTask()!.id
      await sleep(1000)
      w.monitor.flushNow()
      await sleep(500)
      w.monitor.flushNow()
    })
    w.monitor.flushNow()
    const mine = w.deltas.map((d) => (d.segments ?? []).filter((a) => a.taskId === id))
    // Each flush runs inside the task's step, just after its sleep ended: it is running then.
    expect(mine[0]).toEqual([
      { taskId: id, first: 0, segments: [{ state: 'running', from: 0, to: 0 }, { state: 'waiting', from: 0, to: 1000 }], open: { state: 'running', from: 1000 } },
    ])
    expect(mine[1]).toEqual([
      { taskId: id, first: 2, segments: [{ state: 'running', from: 1000, to: 1000 }, { state: 'waiting', from: 1000, to: 1500 }], open: { state: 'running', from: 1500 } },
    ])
    expect(mine[2]).toEqual([{ taskId: id, first: 4, segments: [{ state: 'running', from: 1500, to: 1500 }], open: null }])
  })

  it('keeps the first 50 and the last 150 segments of a busy task and counts the gap', async () => {
    const w = watchedLoop()
    let id = 0
    await w.loop.runUntilComplete(async () => {
      id = currentTask()!.id
      for (let i = 0; i < 1000; i++) await sleep(10) // 2,000 segments: running, waiting, …
    })
    w.monitor.flushNow()
    const h = replay(w.deltas).get(id)!
    expect(h.head).toHaveLength(50)
    expect(h.tail).toHaveLength(150)
    expect(historyLength(h)).toBe(2001) // the last running instant closes with the task
    expect(h.skipped).toBe(2001 - 200)
    expect(h.head[0]).toEqual({ state: 'running', from: 0, to: 0 })
    expect(h.tail.at(-1)).toEqual({ state: 'running', from: 10_000, to: 10_000 })
    // The gap spans from the head's end to the tail's start.
    expect(h.head.at(-1)!.to).toBeLessThan(h.tail[0]!.from)
  })

  it('a receiver that keeps every delta rebuilds the same history the monitor keeps, whatever the batch sizes', async () => {
    const w = watchedLoop()
    let id = 0
    await w.loop.runUntilComplete(async () => {
      id = currentTask()!.id
      for (let i = 0; i < 400; i++) {
        await sleep(10)
        if (i % 37 === 0) w.monitor.flushNow()
      }
      await sleep(1)
    })
    const live = w.monitor.get(id)!.history!
    w.monitor.flushNow()
    expect(replay(w.deltas).get(id)).toEqual(w.monitor.get(id)!.history)
    expect(live.open).toBeNull()
  })

  it('caps the segments per delta and sends the rest with the next one', async () => {
    const w = watchedLoop({ maxSegmentsPerDelta: 10 })
    await w.loop.runUntilComplete(async () => {
      const kids = Array.from({ length: 5 }, () => w.loop.createTask(async () => {
        for (let i = 0; i < 5; i++) await sleep(10)
      }))
      for (const k of kids) await k
    })
    w.monitor.flushNow()
    const first = w.deltas.at(-1)!
    const sent = (first.segments ?? []).reduce((n, a) => n + a.segments.length, 0)
    expect(sent).toBeLessThanOrEqual(10 + 11) // the budget, plus one task's run that crossed it
    while (w.timers.pending() > 0) w.timers.advance(1000)
    const all = replay(w.deltas)
    for (const t of w.view().values()) {
      expect(all.get(t.id), t.name).toEqual(w.monitor.get(t.id)!.history)
    }
  })
})

describe('StateRecorder', () => {
  it('coalesces a state entered again into the segment it is in, and ignores pending before the first step', () => {
    const r = new StateRecorder({ head: 2, tail: 2 })
    r.enter('pending', 0)
    r.enter('running', 5)
    r.enter('running', 7)
    r.enter('waiting', 9)
    r.end(20)
    expect(r.history()).toEqual({
      head: [{ state: 'running', from: 5, to: 9 }, { state: 'waiting', from: 9, to: 20 }],
      skipped: 0,
      tail: [],
      open: null,
    })
  })

  it('a late receiver that missed segments counts them in its gap', () => {
    const h = emptyHistory()
    mergeSegments(h, { taskId: 1, first: 0, segments: [{ state: 'running', from: 0, to: 1 }], open: null }, { head: 1, tail: 2 })
    mergeSegments(h, { taskId: 1, first: 5, segments: [{ state: 'waiting', from: 9, to: 10 }], open: { state: 'running', from: 10 } }, { head: 1, tail: 2 })
    expect(h).toEqual({ head: [{ state: 'running', from: 0, to: 1 }], skipped: 4, tail: [{ state: 'waiting', from: 9, to: 10 }], open: { state: 'running', from: 10 } })
  })
})
