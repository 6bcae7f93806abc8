// Ended tasks are held as columns once every delta carried them (see EndedColumns): what the
// window reads of them afterwards must be what the deltas showed.
import { queryObjects } from 'node:v8'
import { describe, expect, it } from 'vitest'
import { currentTask, gather, sleep } from '../../src/main/runtime/index'
import type { Task } from '../../src/main/runtime/index'
import { StateRecorder } from '../../src/main/monitor/state-recorder'
import { emptyHistory, mergeSegments } from '../../src/shared/snapshots'
import type { StateHistory, TaskDelta } from '../../src/shared/snapshots'
import { watchedLoop } from './monitor-helper'

const recorders = () => queryObjects(StateRecorder, { format: 'count' }) as number

/** Every task's history as a receiver of the deltas rebuilds it. */
function histories(deltas: TaskDelta[]): Map<number, StateHistory> {
  const all = new Map<number, StateHistory>()
  for (const d of deltas)
    for (const a of d.segments ?? []) {
      if (!all.has(a.taskId)) all.set(a.taskId, emptyHistory())
      mergeSegments(all.get(a.taskId)!, a)
    }
  return all
}

describe('ended tasks held as columns', () => {
  it('keeps no StateRecorder object per ended task once the deltas carried it, and reads each back as they showed it', async () => {
    const before = recorders()
    const w = watchedLoop()
    await w.loop.runUntilComplete(async () => {
      currentTask()!.name = 'main'
      const tasks = Array.from({ length: 2_000 }, (_, i) => w.loop.createTask(() => sleep(1 + (i % 3)), i % 2 === 0 ? { name: `w${i}` } : {}))
      for (const t of tasks) await t
    })
    w.monitor.flushNow()
    expect(w.view().size).toBe(2_001)
    // What the view holds is the monitor's and must stay reachable; 2,001 recorders were held before.
    expect(recorders() - before).toBeLessThan(10)
    const hist = histories(w.deltas)
    for (const shown of w.view().values()) {
      const got = w.monitor.get(shown.id)!
      const { history, ...snap } = got
      expect(snap).toEqual(shown)
      expect(history).toEqual(hist.get(shown.id))
    }
    const full = w.monitor.snapshot().tasks
    expect(full.map((t) => t.id)).toEqual([...w.view().keys()].sort((a, b) => a - b))
    for (const t of full) expect(t.history).toEqual(hist.get(t.id))
  })

  it('reads back names, cancel reasons, errors, deadlines, parents and printed lines of ended tasks', async () => {
    const w = watchedLoop()
    let ids: Record<string, number> = {}
    let mainId = 0
    await w.loop.runUntilComplete(async () => {
      currentTask()!.name = 'main'
      mainId = currentTask()!.id
      const named = w.loop.createTask(() => sleep(1), { name: 'named' })
      const cancelled = w.loop.createTask(() => sleep(100), { name: 'cancelled' })
      const byProgram = w.loop.createTask(() => sleep(100))
      const failed = w.loop.createTask(async () => {
        await sleep(1)
        throw new RangeError('out of range')
      })
      const deadlined = w.loop.createTask(() => sleep(100), { name: 'deadlined' })
      const printer = w.loop.createTask(() => sleep(1), { name: 'printer' })
      deadlined.setDeadline(w.loop.time() + 5)
      w.monitor.touch(deadlined.id)
      await sleep(0)
      w.monitor.flushNow()
      cancelled.cancel('no longer needed')
      ;(byProgram as Task<unknown>).cancel()
      w.monitor.log('run-1', { t: 0, line: 'hello', taskId: printer.id, taskName: 'printer', stream: 'stdout' })
      await Promise.allSettled([named, cancelled, byProgram, failed, deadlined, printer].map((t) => t))
      ids = { named: named.id, cancelled: cancelled.id, byProgram: byProgram.id, failed: failed.id, deadlined: deadlined.id, printer: printer.id }
      failed.exception()
    })
    w.monitor.flushNow()
    const view = w.view()
    for (const id of Object.values(ids)) {
      const { history: _h, ...snap } = w.monitor.get(id)!
      expect(snap).toEqual(view.get(id))
      expect(snap.parentId).toBe(mainId)
    }
    expect(w.monitor.get(ids['cancelled']!)).toMatchObject({ state: 'cancelled', cancel: { source: 'program', reason: 'no longer needed', by: { id: mainId, name: 'main' } } })
    expect(w.monitor.get(ids['failed']!)?.error).toMatchObject({ name: 'RangeError', message: 'out of range' })
    expect(w.monitor.get(ids['deadlined']!)).toMatchObject({ state: 'cancelled', cancel: { source: 'deadline' }, deadline: { at: { loop: 5 } } })
    expect(w.monitor.get(ids['byProgram']!)?.name).toBe(`Task-${ids['byProgram']}`)
    expect(w.monitor.logsOf(ids['printer']!).map((l) => l.line)).toEqual(['hello'])
    expect(w.monitor.childrenOf(mainId)).toEqual(Object.values(ids).sort((a, b) => a - b))
    expect(w.monitor.loopOf(ids['named']!)?.info.label).toBe('run-1')
  })

  it('reads back the cancel chain of an ended task (where its cancellation began, and the way it came)', async () => {
    const w = watchedLoop()
    let mainId = 0
    await w.loop
      .runUntilComplete(async () => {
        currentTask()!.name = 'main'
        mainId = currentTask()!.id
        const child = w.loop.createTask(() => sleep(100), { name: 'child' })
        child.setDeadline(w.loop.time() + 5)
        await gather([child, w.loop.createTask(() => sleep(100), { name: 'other' })])
      })
      .catch(() => undefined)
    w.monitor.flushNow()
    const shown = w.view().get(mainId)!
    expect(shown.cancel?.cause?.origin).toMatchObject({ name: 'child', source: 'deadline' })
    const { history: _h, ...snap } = w.monitor.get(mainId)!
    expect(snap).toEqual(shown)
  })

  it('sends a line an ended task printed after the deltas carried its end, with its log count, and keeps its history', async () => {
    const w = watchedLoop()
    let id = 0
    await w.loop.runUntilComplete(async () => {
      const t = w.loop.createTask(() => sleep(2), { name: 'late' })
      id = t.id
      await t
    })
    w.monitor.flushNow()
    const historyBefore = w.monitor.get(id)!.history
    w.monitor.log('run-1', { t: 3, line: 'after the end', taskId: id, taskName: 'late', stream: 'stderr' })
    w.monitor.flushNow()
    const last = w.deltas.at(-1)!
    expect(last.changed.map((s) => [s.name, s.state, s.logCount])).toEqual([['late', 'done', 1]])
    expect(last.logs.map((l) => l.line)).toEqual(['after the end'])
    expect(last.segments ?? []).toEqual([])
    expect(w.monitor.get(id)).toMatchObject({ state: 'done', logCount: 1, history: historyBefore })
    expect(w.monitor.logsOf(id).map((l) => l.line)).toEqual(['after the end'])
  })

  it('evicts ended tasks held as columns oldest first, naming each in removed once', async () => {
    const w = watchedLoop({ maxTasks: 3 })
    const ended: number[] = []
    await w.loop.runUntilComplete(async () => {
      currentTask()!.name = 'main'
      for (let i = 0; i < 8; i++) {
        const t = w.loop.createTask(() => sleep(1), { name: `t${i}` })
        await sleep(0)
        w.monitor.flushNow() // shown live
        await t
        ended.push(t.id)
        w.monitor.flushNow() // its end shown, then held as columns
      }
    })
    w.monitor.flushNow()
    const removed = w.deltas.flatMap((d) => d.removed)
    expect(removed).toEqual(ended.slice(0, removed.length))
    expect(new Set(removed).size).toBe(removed.length)
    const held = w.monitor.snapshot().tasks.map((t) => t.name)
    expect(held).toHaveLength(3)
    expect(held).toEqual(['main', 't6', 't7'])
    for (const id of removed) expect(w.monitor.get(id)).toBeNull()
  })
})
