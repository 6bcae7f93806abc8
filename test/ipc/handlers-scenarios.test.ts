import { describe, expect, it } from 'vitest'
import { openHistory } from '../../src/main/history/index'
import { openApp } from './app-helper'

describe('scenario handlers', () => {
  it('lists the course programs in course order with form fields read off their schemas', async () => {
    const app = openApp()
    const list = await app.ok('scenarios:list')
    expect(list[0]!.id).toBe('run-non-coroutine')
    expect(list.map((s) => s.id)).toContain('graceful-cancel')
    for (const s of list) {
      expect(s.title).not.toBe('')
      expect(s.courseSource).not.toBe('')
      expect(s.params.map((p) => p.key).sort()).toEqual(Object.keys(s.defaults).sort())
    }
  })

  it('runs a scenario on the virtual clock: its tasks stream as deltas, its lines as logs, its outcome reaches history', async () => {
    const app = openApp()
    const run = await app.ok('scenario:start', { id: 'graceful-cancel', clock: 'virtual' })
    expect(run).toMatchObject({ scenarioId: 'graceful-cancel', status: 'running', clock: 'virtual' })
    await app.core.runs.settled()
    app.core.monitor.flushNow()
    const runs = await app.ok('runs:list')
    expect(runs.find((r) => r.runId === run.runId)?.status).toBe('done')
    const tasks = [...app.view().values()].filter((t) => t.runId === run.runId)
    expect(tasks.length).toBeGreaterThan(1)
    expect(tasks.every((t) => ['done', 'failed', 'cancelled'].includes(t.state))).toBe(true)
    const logs = app.events.filter((e) => e.event === 'tasks:delta').flatMap((e) => (e.payload as { logs: { runId: number }[] }).logs)
    expect(logs.some((l) => l.runId === run.runId)).toBe(true)
    expect(app.events.some((e) => e.event === 'runs:changed')).toBe(true)

    const detail = await app.ok('history:get', { runId: run.runId })
    expect(detail.run).toMatchObject({ runId: run.runId, scenario: 'graceful-cancel', outcome: 'done' })
    expect(detail.logs.length).toBe(logs.filter((l) => l.runId === run.runId).length)
    const listed = await app.ok('history:list')
    expect(listed.map((r) => r.runId)).toContain(run.runId)
  })

  it('shows a scenario’s uncaught error as a failed run, not a crash', async () => {
    const app = openApp()
    const run = await app.ok('scenario:start', { id: 'run-non-coroutine', clock: 'virtual' })
    await app.core.runs.settled()
    const after = (await app.ok('runs:list')).find((r) => r.runId === run.runId)!
    expect(after.status).toBe('failed')
    expect(after.error?.name).toBe('TypeError')
  })

  it('refuses an unknown scenario and invalid params with typed errors and writes no history', async () => {
    const app = openApp()
    expect(await app.call('scenario:start', { id: 'nope', clock: 'virtual' })).toMatchObject({ ok: false, error: { code: 'not_found' } })
    const bad = await app.call('scenario:start', { id: 'graceful-cancel', params: { noSuchField: 1 }, clock: 'virtual' })
    expect(bad).toMatchObject({ ok: false, error: { code: 'bad_request', details: [{ path: 'noSuchField' }] } })
    expect(await app.ok('history:list')).toEqual([])
    expect(await app.ok('runs:list')).toEqual([])
  })

  it('exports a finished run: the browser host answers with its streamed download URL', async () => {
    const app = openApp()
    const run = await app.ok('scenario:start', { id: 'awaitables', clock: 'virtual' })
    await app.core.runs.settled()
    const csv = await app.ok('run:export', { runId: run.runId, format: 'csv' })
    expect(csv).toEqual({ kind: 'download', filename: `loopwatch-run-${run.runId}.csv`, mime: 'text/csv; charset=utf-8', url: `/export?runId=${run.runId}&format=csv` })
    const json = await app.ok('run:export', { runId: run.runId, format: 'json' })
    expect(json).toMatchObject({ kind: 'download', filename: `loopwatch-run-${run.runId}.json`, mime: 'application/json; charset=utf-8' })
  })

  it('answers not_found for a run the history does not have', async () => {
    const app = openApp()
    expect(await app.call('history:get', { runId: 999 })).toMatchObject({ ok: false, error: { code: 'not_found' } })
    expect(await app.call('run:export', { runId: 999, format: 'csv' })).toMatchObject({ ok: false, error: { code: 'not_found' } })
    expect(await app.call('run:stop', { runId: 999, graceMs: 10 })).toMatchObject({ ok: false, error: { code: 'not_found' } })
  })

  it('stops a live real-time run gracefully and records it as cancelled', async () => {
    const app = openApp()
    const run = await app.ok('scenario:start', { id: 'workers-heartbeat', params: { iterations: 1000 }, clock: { speed: 1 } })
    await app.until(() => [...app.view().values()].some((t) => t.runId === run.runId && t.state === 'waiting'))
    const report = await app.ok('run:stop', { runId: run.runId, graceMs: 200 })
    expect(report.forced).toEqual([])
    expect(report.finished.length).toBeGreaterThan(0)
    await app.core.runs.settled()
    expect((await app.ok('runs:list'))[0]?.status).toBe('cancelled')
    expect((await app.ok('history:get', { runId: run.runId })).run.outcome).toBe('cancelled')
  })
})

describe('closing the app', () => {
  it('stops a live run and records its outcome before history closes', async () => {
    const app = openApp()
    const run = await app.ok('scenario:start', { id: 'workers-heartbeat', params: { iterations: 1000 }, clock: { speed: 1 } })
    await app.until(() => [...app.view().values()].some((t) => t.runId === run.runId && t.state === 'waiting'))
    const report = await app.core.close(500)
    expect(report.parts.map((p) => p.kind)).toEqual(['run'])
    const reopened = openHistory(app.dataDir)
    try {
      expect(reopened.getRun(run.runId)?.run.outcome).toBe('cancelled')
      expect(reopened.interruptedAtOpen).toEqual([])
    } finally {
      reopened.close()
    }
  })
})
