import { describe, expect, it } from 'vitest'
import { openApp } from './app-helper'

/** Starts the heartbeat daemon fast and waits until its workers are parked in their sleep. */
async function heartbeat(app: ReturnType<typeof openApp>, workers = 2) {
  await app.ok('daemon:start', { id: 'heartbeat', config: { workers, intervalMs: 20 } })
  return app.until(() => {
    const ws = [...app.view().values()].filter((t) => t.loop === 'daemons' && /^worker-/.test(t.name) && t.state === 'waiting')
    return ws.length === workers && ws
  })
}

describe('task handlers', () => {
  it('cancels a live heartbeat worker: it ends cancelled with source user and the reason', async () => {
    const app = openApp()
    const [worker] = await heartbeat(app)
    const snap = await app.ok('task:cancel', { taskId: worker!.id, reason: 'from the test' })
    expect(snap.cancel).toMatchObject({ source: 'user', reason: 'from the test' })
    const ended = await app.until(() => {
      const t = app.view().get(worker!.id)
      return t?.state === 'cancelled' && t
    })
    expect(ended.cancel?.source).toBe('user')
    expect(ended.endedAt).not.toBeNull()
  })

  it('puts a runtime deadline on a task, which then sees a deadline cancellation', async () => {
    const app = openApp()
    const [worker] = await heartbeat(app)
    const snap = await app.ok('task:setDeadline', { taskId: worker!.id, inMs: 60 })
    expect(snap.deadline).not.toBeNull()
    const ended = await app.until(() => {
      const t = app.view().get(worker!.id)
      return t?.state === 'cancelled' && t
    })
    expect(ended.cancel?.source).toBe('deadline')
    expect(ended.deadline?.at.loop).toBe(snap.deadline!.at.loop)
  })

  it('clears a deadline with null, and the task keeps running', async () => {
    const app = openApp()
    const [worker] = await heartbeat(app, 1)
    await app.ok('task:setDeadline', { taskId: worker!.id, inMs: 80 })
    const cleared = await app.ok('task:setDeadline', { taskId: worker!.id, inMs: null })
    expect(cleared.deadline).toBeNull()
    await new Promise((r) => setTimeout(r, 200))
    expect(app.core.monitor.get(worker!.id)?.state).not.toBe('cancelled')
  })

  it('answers unknown task ids with not_found and ended tasks with invalid_state, changing nothing', async () => {
    const app = openApp()
    const [worker] = await heartbeat(app, 1)
    expect(await app.call('task:cancel', { taskId: 987654 })).toMatchObject({ ok: false, error: { code: 'not_found' } })
    expect(await app.call('task:setDeadline', { taskId: 987654, inMs: 5 })).toMatchObject({ ok: false, error: { code: 'not_found' } })
    await app.ok('task:cancel', { taskId: worker!.id })
    await app.until(() => app.core.monitor.get(worker!.id)?.state === 'cancelled')
    expect(await app.call('task:cancel', { taskId: worker!.id })).toMatchObject({ ok: false, error: { code: 'invalid_state' } })
    expect(await app.call('task:setDeadline', { taskId: worker!.id, inMs: 5 })).toMatchObject({ ok: false, error: { code: 'invalid_state' } })
  })

  it('survives garbage from a renderer: wrong types, huge strings, unknown channels', async () => {
    const app = openApp()
    const junk: [string, unknown][] = [
      ['task:cancel', { taskId: { $gt: 0 } }],
      ['task:cancel', { taskId: 1, reason: 'x'.repeat(1_000_000) }],
      ['scenario:start', { id: 'x'.repeat(1_000_000), clock: 'virtual' }],
      ['scenario:start', { id: 'graceful-cancel', clock: { speed: -1 } }],
      ['app:shutdown', {}],
      ['constructor', {}],
      ['history:get', null],
      ['daemon:start', { id: 'heartbeat', config: { workers: 10_000 } }],
    ]
    for (const [channel, payload] of junk) {
      const r = await app.call(channel, payload)
      expect(r.ok, channel).toBe(false)
      if (!r.ok) expect(['bad_request', 'unknown_channel'], channel).toContain(r.error.code)
    }
    expect((await app.ok('daemons:list')).every((d) => !d.running)).toBe(true)
    expect(await app.ok('runs:list')).toEqual([])
  })

  it('returns task details: logs, await chain and children', async () => {
    const app = openApp()
    const [worker] = await heartbeat(app, 1)
    await app.until(() => (app.core.monitor.get(worker!.id)?.logCount ?? 0) >= 2)
    const detail = await app.ok('task:get', { taskId: worker!.id })
    expect(detail.task.id).toBe(worker!.id)
    expect(detail.logs[0]?.line).toMatch(/heartbeat/)
    expect(detail.awaitChain[0]?.kind).toBe('sleep')
  })
})

describe('graceful app shutdown', () => {
  it('stops running daemons and live runs with one grace period, streaming progress, then reports', async () => {
    const app = openApp()
    await heartbeat(app, 2)
    await app.ok('daemon:start', { id: 'jobs', config: { workers: 2, jobMs: 5, produceEveryMs: 2 } })
    const run = await app.ok('scenario:start', { id: 'workers-heartbeat', params: { iterations: 1000 }, clock: { speed: 1 } })
    const report = await app.ok('app:shutdown', { graceMs: 1000 })
    expect(report.parts.map((p) => p.id).sort()).toEqual([String(run.runId), 'heartbeat', 'jobs'].sort())
    expect(report.totals.forced).toBe(0)
    expect(report.totals.finished).toBeGreaterThanOrEqual(4)
    const phases = app.events.filter((e) => e.event === 'shutdown:progress').map((e) => (e.payload as { phase: string }).phase)
    expect(phases[0]).toBe('started')
    expect(phases.at(-1)).toBe('done')
    expect((await app.ok('daemons:list')).every((d) => !d.running)).toBe(true)
    expect((await app.ok('app:snapshot')).shutdown?.report?.totals).toEqual(report.totals)
    // The app stays usable: a new run can start.
    await app.ok('scenario:start', { id: 'awaitables', clock: 'virtual' })
  })
})
