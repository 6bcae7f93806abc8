// Issue 11 §1 through the app: the `blocking` scenario's blocks are caught as slow steps and
// attributed to its blocker task; steps:slow lists them, steps:setThreshold changes what counts,
// task:get carries the task's timing. The blocks are real busy loops (step times are real ms).
import { describe, expect, it } from 'vitest'
import type { SlowStep, TaskDelta } from '../../src/shared/snapshots'
import { openApp } from '../ipc/app-helper'

describe('slow steps in the app', () => {
  it('catches each block of the blocking scenario and attributes it to the blocker, where it resumed and parked', async () => {
    const app = openApp()
    const run = await app.ok('scenario:start', { id: 'blocking', params: { blockMs: 30, blocks: 3, every: 2, workers: 2 }, clock: 'virtual' })
    await app.core.runs.settled()
    app.core.monitor.flushNow()
    const blocker = [...app.view().values()].find((t) => t.runId === run.runId && t.name === 'blocker')!
    const { thresholdMs, steps } = await app.ok('steps:slow')
    expect(thresholdMs).toBe(20)
    const mine = steps.filter((s) => s.taskId === blocker.id)
    expect(mine).toHaveLength(3)
    for (const s of mine) {
      expect(s.durationMs).toBeGreaterThanOrEqual(30)
      expect(s).toMatchObject({ loop: `run-${run.runId}`, runId: run.runId, taskName: 'blocker' })
      expect(s.resumedFrom).toMatch(/^sleep until /)
    }
    // The first two blocks park on the next round's sleep; the last one ends the task.
    expect(mine.map((s) => s.parkedOn === null)).toEqual([false, false, true])
    // The same records reached the window through tasks:delta.
    const streamed = app.events.filter((e) => e.event === 'tasks:delta').flatMap((e) => (e.payload as TaskDelta).slowSteps ?? [])
    expect(streamed.filter((s: SlowStep) => s.taskId === blocker.id).map((s) => s.seq)).toEqual(mine.map((s) => s.seq))

    const detail = await app.ok('task:get', { taskId: blocker.id })
    expect(detail.timing).toBeDefined()
    expect(detail.timing!.steps).toBe(1 + 3 * 2) // its first step, then one per sleep
    expect(detail.timing!.busyMs).toBeGreaterThanOrEqual(90)
    expect(detail.timing!.maxStepMs).toBeGreaterThanOrEqual(30)
    expect(detail.timing!.stepHist.reduce((a, b) => a + b, 0)).toBe(detail.timing!.steps)
  })

  it('sets the threshold from the window, and refuses a bad one with a typed error that changes nothing', async () => {
    const app = openApp()
    expect((await app.ok('steps:setThreshold', { thresholdMs: 1000 })).thresholdMs).toBe(1000)
    await app.ok('scenario:start', { id: 'blocking', params: { blockMs: 25, blocks: 1, every: 1, workers: 1 }, clock: 'virtual' })
    await app.core.runs.settled()
    expect((await app.ok('steps:slow')).steps).toEqual([]) // 25 ms is under 1000 ms
    for (const bad of [{ thresholdMs: 0 }, { thresholdMs: 'fast' }, { thresholdMs: 1e9 }, {}]) {
      const r = await app.call('steps:setThreshold', bad)
      expect(r).toMatchObject({ ok: false, error: { code: 'bad_request' } })
    }
    expect((await app.ok('steps:slow')).thresholdMs).toBe(1000)
  })
})
