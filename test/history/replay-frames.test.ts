import { describe, expect, it } from 'vitest'
import type { Task } from '../../src/main/runtime/index'
import { TaskMonitor } from '../../src/main/monitor/index'
import { createScenarioRun, getScenario } from '../../src/main/scenarios/index'
import { runLoopLabel } from '../../src/shared/snapshots'
import type { TaskState } from '../../src/shared/snapshots'
import { ReplayIndex } from '../../src/renderer/src/state/replay-frames'
import type { OpenedHistory } from '../../src/main/history'
import { manualTimers } from '../monitor/monitor-helper'
import { open, tempDataDir } from './helpers'

interface Live {
  states: Map<number, TaskState>
  started: Set<number>
  ended: Set<number>
}

/**
 * Runs scenario `id` on the virtual clock, watched by a monitor whose deltas the history records,
 * and reads every task's state off the runtime itself at each of `times` (a callback the loop
 * runs at that loop time). Deltas are cut at those moments too, so the stream has several batches.
 */
async function recordScenario(h: OpenedHistory, id: string, params: Record<string, unknown>, times: number[], cutAt: number[] | null = null) {
  const runId = h.startRun({ scenario: id, params, clock: 'virtual' })
  const monitor = new TaskMonitor({ timers: manualTimers(), emit: (d) => h.recordDelta(d) })
  const run = createScenarioRun(getScenario(id)!, params, { clock: 'virtual', outDir: tempDataDir() })
  monitor.attach(run.loop, { label: runLoopLabel(runId), runId, rate: null })
  run.onRecord((rec) => monitor.log(runLoopLabel(runId), rec))
  const all = new Map<number, Task<unknown>>()
  run.loop.addInstrument({ taskCreated: (t) => void all.set(t.id, t) })
  const live = new Map<number, Live>()
  for (const t of times) {
    run.loop.callLater(t, () => {
      const seen: Live = { states: new Map(), started: new Set(), ended: new Set() }
      for (const task of all.values()) {
        seen.states.set(task.id, task.state)
        if (task.state !== 'pending') seen.started.add(task.id)
        if (task.done()) seen.ended.add(task.id)
      }
      live.set(t, seen)
      if (!cutAt) monitor.flushNow()
    })
  }
  for (const t of cutAt ?? []) run.loop.callLater(t, () => monitor.flushNow())
  const result = await run.start()
  monitor.flushNow()
  monitor.detach(runLoopLabel(runId))
  monitor.flushNow()
  h.endRun(runId, { outcome: result.outcome, error: result.error })
  return { runId, live, all }
}

async function readAll(h: OpenedHistory, runId: number) {
  const batches = []
  for (let from: number | null = 0; from !== null; ) {
    const page = h.events({ runId, from, limit: 4 })
    batches.push(...page.chunks.flatMap((c) => c.batches))
    from = page.next
  }
  return batches
}

describe('replay: the state at t rebuilt from the recorded stream', () => {
  it('graceful-cancel: at every sampled time each task exists, and is in the state, it was in live', async () => {
    const h = open()
    const times = [0.5, 500.5, 999.5, 1000.5, 2500.25, 4999.5, 5000.5, 5999.5]
    const { runId, live } = await recordScenario(h, 'graceful-cancel', {}, times)
    const replay = new ReplayIndex(await readAll(h, runId))
    // A delta is cut only when something changed since the last one.
    expect(replay.batchCount).toBeGreaterThanOrEqual(4)
    for (const t of times) {
      const want = live.get(t)!
      expect(want.states.size).toBeGreaterThan(0)
      const frame = replay.frame(t)
      expect(new Map(frame.tasks.map((x) => [x.id, x.state])), `states at ${t}`).toEqual(want.states)
      expect(new Set(frame.tasks.filter((x) => x.startedAt !== null).map((x) => x.id)), `started at ${t}`).toEqual(want.started)
      expect(new Set(frame.tasks.filter((x) => x.endedAt !== null).map((x) => x.id)), `ended at ${t}`).toEqual(want.ended)
    }
    // Mid-run something is still waiting (db_operation's sleeps); the cancel shows from 5 s on.
    expect(replay.frame(2500.25).tasks.some((x) => x.state === 'waiting')).toBe(true)
    expect(replay.frame(5500).tasks.find((x) => x.name === 'db_operation')?.state).toBe('cancelling')
  })

  it('load (200 tasks, failures and cancels): every sampled time matches the live states exactly', async () => {
    const h = open()
    const params = { tasks: 200, live: 50, sleeps: 3, minSleep: 100, maxSleep: 1000, failFraction: 0.1, cancelFraction: 0.1, seed: 7 }
    const times = Array.from({ length: 12 }, (_, i) => 137.77 + i * 411.13)
    const { runId, live, all } = await recordScenario(h, 'load', params, times)
    expect(all.size).toBeGreaterThan(200)
    const replay = new ReplayIndex(await readAll(h, runId))
    let compared = 0
    for (const t of times) {
      const want = live.get(t)
      if (!want) continue
      const frame = replay.frame(t)
      expect(new Map(frame.tasks.map((x) => [x.id, x.state])), `states at ${t}`).toEqual(want.states)
      // An await shown is one of the stretch t is in: a sleep it names ends after t, never before.
      const sleeps = frame.tasks.flatMap((x) => (x.awaiting?.kind === 'sleep' ? [x.awaiting.text] : []))
      expect(sleeps.length, `sleeps shown at ${t}`).toBeGreaterThan(0)
      for (const text of sleeps) expect(Number(/until ([\d.]+)\s*s/.exec(text)?.[1]) * 1000, `${text} at ${t}`).toBeGreaterThanOrEqual(t - 1)
      for (const x of frame.tasks) if (x.state !== 'waiting') expect(x.awaiting).toBeNull()
      compared++
    }
    expect(compared).toBeGreaterThanOrEqual(4)
    // And at the end, every task is in its final state.
    const end = replay.frame(replay.end)
    expect(end.tasks).toHaveLength(all.size)
    for (const x of end.tasks) expect(x.state).toBe(all.get(x.id)!.state)
  })

  it('with few batches (a virtual run sends a handful), states are still exact and an await is shown only from its own stretch', async () => {
    const h = open()
    const params = { tasks: 60, live: 60, sleeps: 3, minSleep: 100, maxSleep: 1000, seed: 11 }
    const times = Array.from({ length: 8 }, (_, i) => 90.5 + i * 260.25)
    const { runId, live } = await recordScenario(h, 'load', params, times, [50.5, 1200.5])
    const replay = new ReplayIndex(await readAll(h, runId))
    expect(replay.batchCount).toBeLessThanOrEqual(3)
    for (const t of times) {
      const want = live.get(t)
      if (!want) continue
      const frame = replay.frame(t)
      expect(new Map(frame.tasks.map((x) => [x.id, x.state])), `states at ${t}`).toEqual(want.states)
      for (const x of frame.tasks) {
        if (x.awaiting?.kind !== 'sleep') continue
        expect(Number(/until ([\d.]+)\s*s/.exec(x.awaiting.text)?.[1]) * 1000, `${x.name}: ${x.awaiting.text} at ${t}`).toBeGreaterThanOrEqual(t - 1)
      }
    }
  })

  it('a frame carries the history up to t only, and the lines printed by then', async () => {
    const h = open()
    const { runId } = await recordScenario(h, 'graceful-cancel', {}, [2500.5])
    const replay = new ReplayIndex(await readAll(h, runId))
    const frame = replay.frame(2500.5)
    for (const x of frame.tasks) {
      for (const s of [...x.history.head, ...x.history.tail]) expect(s.to).toBeLessThanOrEqual(2500.5)
      if (x.history.open) expect(x.history.open.from).toBeLessThanOrEqual(2500.5)
    }
    for (const l of frame.logs) expect(l.at ?? l.t).toBeLessThanOrEqual(2500.5)
    expect(replay.frame(replay.end).logs.length).toBeGreaterThan(frame.logs.length)
  })
})
