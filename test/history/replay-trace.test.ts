import { describe, expect, it } from 'vitest'
import { TaskMonitor } from '../../src/main/monitor/index'
import { createScenarioRun, getScenario } from '../../src/main/scenarios/index'
import { runLoopLabel } from '../../src/shared/snapshots'
import type { OpenedHistory } from '../../src/main/history'
import { manualTimers } from '../monitor/monitor-helper'
import { open, tempDataDir } from './helpers'

interface TraceEvent { name: string; cat?: string; ph: string; pid: number; tid: number; ts?: number; dur?: number; args?: Record<string, unknown> }

async function recordRun(h: OpenedHistory, id: string) {
  const runId = h.startRun({ scenario: id, params: {}, clock: 'virtual' })
  const label = runLoopLabel(runId)
  const monitor = new TaskMonitor({ timers: manualTimers(), emit: (d) => h.recordDelta(d) })
  const run = createScenarioRun(getScenario(id)!, {}, { clock: 'virtual', outDir: tempDataDir() })
  monitor.attach(run.loop, { label, runId, rate: null })
  const removeRecorder = h.recorder(run.loop, runId)
  const result = await run.start()
  removeRecorder()
  monitor.detach(label)
  monitor.flushNow()
  h.endRun(runId, { outcome: result.outcome, error: result.error })
  return runId
}

describe('trace export with the recorded stream: states as slices', () => {
  it('parses back as Chrome Trace Event JSON: every task a track, its life a slice, each state stretch a slice nested in it', async () => {
    const h = open()
    const runId = await recordRun(h, 'graceful-cancel')
    const doc = JSON.parse(await h.exportRun(runId, 'trace')) as { displayTimeUnit: string; traceEvents: TraceEvent[] }
    expect(doc.displayTimeUnit).toBe('ms')
    const ev = doc.traceEvents
    expect(ev.every((e) => e.pid === runId && typeof e.ph === 'string' && typeof e.name === 'string')).toBe(true)
    const tasks = h.getRun(runId)!.tasks
    expect(tasks.map((t) => t.name).sort()).toEqual(['db_operation', 'main'])
    for (const t of tasks) {
      // Its own track, named for it.
      expect(ev.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.tid === t.id).map((e) => e.args?.['name'])).toEqual([`${t.name} #${t.id}`])
      const life = ev.filter((e) => e.ph === 'X' && e.cat === 'task' && e.tid === t.id)
      expect(life).toHaveLength(1)
      const states = ev.filter((e) => e.ph === 'X' && e.cat === 'state' && e.tid === t.id)
      expect(states.length).toBeGreaterThan(0)
      // Nested: each state slice lies inside the task's slice (the viewers stack it under it).
      for (const s of states) {
        expect(s.ts!).toBeGreaterThanOrEqual(life[0]!.ts!)
        expect(s.ts! + s.dur!).toBeLessThanOrEqual(life[0]!.ts! + life[0]!.dur!)
      }
    }
    // db_operation: five 1 s waits woken for an instant, then 1 s of cancelling, in µs.
    const db = tasks.find((t) => t.name === 'db_operation')!
    const slices = ev.filter((e) => e.cat === 'state' && e.tid === db.id).map((e) => [e.name, e.ts, e.dur])
    expect(slices).toEqual([
      ...[0, 1, 2, 3, 4].flatMap((s) => [['running', s * 1e6, 0], ['waiting', s * 1e6, 1e6]]),
      ['cancelling', 5e6, 1e6],
    ])
  })

  it('without a recorded stream the trace is as before: one slice per task, no state slices', async () => {
    const h = open()
    const runId = h.startRun({ scenario: 'plain', clock: 'virtual' })
    h.recordTask(runId, { taskId: 1, name: 'solo', parentId: null, createdAt: 0, startedAt: 0, endedAt: 5, state: 'done', cancelSource: null, cancelReason: null, errorName: null, errorMessage: null, stack: null })
    h.endRun(runId, { outcome: 'done' })
    const ev = (JSON.parse(await h.exportRun(runId, 'trace')) as { traceEvents: TraceEvent[] }).traceEvents
    expect(ev.filter((e) => e.ph === 'X').map((e) => [e.cat, e.name, e.ts, e.dur])).toEqual([['task', 'solo', 0, 5000]])
  })
})
