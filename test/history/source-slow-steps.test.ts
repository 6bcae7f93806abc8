// A connected process's run in the history names its tasks by the process's own ids (its task
// rows keep them): its slow steps must name the same ids, not the app-wide ones the window uses
// live, or a slow-step row names a task the run's task list does not have.
import { describe, expect, it } from 'vitest'
import type { SlowStep, TaskDelta } from '../../src/shared/snapshots'
import { EXTERNAL_ID_BASE } from '../../src/main/sources/id-map'
import { openApp } from '../ipc/app-helper'
import { RawAgent, LOOP_MAIN, delta, snapshot } from '../hub/hub-helper'

const step = (seq: number, taskId: number, taskName: string, durationMs: number): SlowStep => ({
  seq,
  loop: 'main',
  runId: null,
  taskId,
  taskName,
  durationMs,
  at: { loop: 100 * seq, wall: 1_700_000_000_000 + 100 * seq },
  resumedFrom: 'sleep 0.01 s',
  parkedOn: null,
})

describe('a connected process’s slow steps in its history run', () => {
  it('history:get lists them under the task id its task rows show (the process’s own)', async () => {
    const app = openApp()
    const hub = (await app.core.hubReady)!
    const { agent } = await RawAgent.hello(hub, { name: 'svc' })
    agent.send(LOOP_MAIN)
    agent.send(delta(1, { created: [snapshot(17, { name: 'crunch' }), snapshot(3, { name: 'refresher' })] }))
    const live = await app.until(() => [...app.view().values()].find((t) => t.name === 'crunch'))
    expect(live.id).toBeGreaterThanOrEqual(EXTERNAL_ID_BASE)
    agent.send(delta(2, { slowSteps: [step(1, 17, 'crunch', 52.5), step(2, 3, 'refresher', 31)] }))
    await app.until(() => app.events.some((e) => e.event === 'tasks:delta' && ((e.payload as TaskDelta).slowSteps?.length ?? 0) > 0))

    const runId = live.runId!
    expect(runId).not.toBeNull()
    const detail = await app.ok('history:get', { runId })
    const rows = new Map(detail.tasks.map((t) => [t.name, t.id]))
    expect(rows).toEqual(new Map([['crunch', 17], ['refresher', 3]]))
    expect(detail.slowSteps.map((s) => [s.taskName, s.taskId, s.durationMs])).toEqual([
      ['crunch', rows.get('crunch'), 52.5],
      ['refresher', rows.get('refresher'), 31],
    ])
    // Every slow step names a task of the run's own list.
    expect(detail.slowSteps.every((s) => detail.tasks.some((t) => t.id === s.taskId))).toBe(true)
  })
})
