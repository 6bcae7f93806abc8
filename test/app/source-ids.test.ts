import { createServer } from 'node:net'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { AppCore } from '../../src/main/app/app-core'
import { EXTERNAL_ID_BASE, SourceIdMap } from '../../src/main/sources/id-map'
import { translateDelta } from '../../src/main/sources/translate'
import type { SourceInfo } from '../../src/shared/snapshots'
import { RawAgent, delta, snapshot } from '../hub/hub-helper'
import { openApp } from '../ipc/app-helper'
import { fakeAgent } from './source-agents'

describe('external task ids', () => {
  it('maps (source, local id) both ways, never reusing an id, and stays within its bound', () => {
    const ids = new SourceIdMap(3)
    const a1 = ids.global('agent-1', 1)
    expect(a1).toBe(EXTERNAL_ID_BASE)
    expect(ids.global('agent-1', 1)).toBe(a1)
    const b1 = ids.global('agent-2', 1)
    expect(b1).not.toBe(a1)
    expect(ids.local(b1)).toEqual({ sourceId: 'agent-2', localId: 1 })
    ids.global('agent-2', 2)
    ids.global('agent-2', 3) // past the bound: the oldest mapping goes
    expect(ids.size).toBe(3)
    expect(ids.local(a1)).toBeNull()
    expect(ids.forgetSource('agent-2').sort()).toHaveLength(3)
    expect(ids.global('agent-1', 1)).toBeGreaterThan(b1) // a fresh id, never the old one
  })

  it('rewrites every id of a delta: tasks, references, segments, logs, clocks and removed', () => {
    const ids = new SourceIdMap()
    const d = translateDelta(
      delta(5, {
        created: [snapshot(8, { parentId: 7, awaiting: { kind: 'task', text: 'task #7', taskId: 7 } }), snapshot(7)],
        ended: [snapshot(9, { state: 'cancelled', cancel: { source: 'program', reason: null, at: { loop: 1, wall: 1 }, by: { id: 7, name: 'task-7' } } })],
        segments: [{ taskId: 7, first: 0, segments: [{ state: 'running', from: 0, to: 1 }], open: null }],
        logs: [{ seq: 1, loop: 'main', runId: null, taskId: 8, taskName: 'task-8', t: 0, wall: 0, stream: 'stdout', line: 'hi' }],
        clocks: [{ loop: 'main', now: 3, wall: 3, rate: 1 }],
      }).delta,
      { sourceId: 'agent-3', ids, runId: 12 },
    )
    const g = (local: number) => ids.peek('agent-3', local)
    expect(d.created.map((t) => [t.id, t.loop, t.runId, t.parentId, t.awaiting?.taskId])).toEqual([
      [g(8), 'agent-3/main', 12, g(7), g(7)],
      [g(7), 'agent-3/main', 12, null, undefined],
    ])
    expect(d.ended[0]?.cancel?.by).toEqual({ id: g(7), name: 'task-7' })
    expect(d.segments?.[0]?.taskId).toBe(g(7))
    expect(d.logs[0]).toMatchObject({ taskId: g(8), loop: 'agent-3/main', runId: 12 })
    expect(d.clocks[0]?.loop).toBe('agent-3/main')
    const gone = g(8)
    const r = translateDelta(delta(6, { removed: [8, 99] }).delta, { sourceId: 'agent-3', ids, runId: 12 })
    expect(r.removed).toEqual([gone])
    expect(ids.peek('agent-3', 8)).toBeUndefined()
  })
})

describe('the hub in the app core', () => {
  it('a hub that cannot start is logged, and the app works without it', async () => {
    const busy = createServer()
    await new Promise<void>((done) => busy.listen({ host: '127.0.0.1', port: 0 }, done))
    const port = (busy.address() as { port: number }).port
    const dataDir = mkdtempSync(join(tmpdir(), 'lw-app-'))
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    const core = new AppCore({ dataDir, host: 'web', hub: { port } })
    try {
      expect(await core.hubReady).toBeNull()
      expect(errors.mock.calls.some((c) => String(c[0]).includes('agent hub did not start'))).toBe(true)
      expect(core.snapshot().sources).toEqual([])
    } finally {
      errors.mockRestore()
      await core.close(200)
      busy.close()
      rmSync(dataDir, { recursive: true, force: true })
    }
  })

  it('sends the sources list again when a source’s task count changes', async () => {
    const app = openApp()
    await app.core.hubReady
    const a = await fakeAgent(app.dataDir, 'counter')
    a.create(snapshot(1), snapshot(2))
    const listed = await app.until(() => {
      const last = app.events.filter((e) => e.event === 'sources:changed').at(-1)?.payload as SourceInfo[] | undefined
      return last?.[0]?.taskCount === 2 && last
    })
    expect(listed[0]).toMatchObject({ name: 'counter', state: 'connected' })
  })
})

describe('hub behaviour the app relies on', () => {
  // A stop that failed (refused, or timed out) used to leave the source "stopping" for good.
  it('a stop that fails (here: never answered) leaves the source connected, not stopping', async () => {
    const app = openApp()
    const hub = (await app.core.hubReady)!
    const { sourceId } = await RawAgent.hello(hub, { name: 'deaf' })
    const outcome = await hub.sendCommand(sourceId, { type: 'stop', graceMs: 0 }, { timeoutMs: 50 })
    expect(outcome).toMatchObject({ ok: false, error: { code: 'command_timeout' } })
    expect(hub.source(sourceId)?.state).toBe('connected')
  })

  it('a graceful shutdown does not wait past its grace (plus a 2 s margin) for a process that never answers its stop', async () => {
    const app = openApp()
    const hub = (await app.core.hubReady)!
    const { sourceId } = await RawAgent.hello(hub, { name: 'deaf', role: 'child' })
    const started = performance.now()
    const report = await app.ok('app:shutdown', { graceMs: 200 })
    expect(performance.now() - started).toBeLessThan(200 + 2_000 + 1_500)
    const part = report.parts.find((p) => p.kind === 'source')
    expect(part).toMatchObject({ id: sourceId, state: 'stopped', report: { finished: [], cleanupErrors: [{ message: expect.stringMatching(/did not answer|timed out|timeout/i) }] } })
    expect(hub.source(sourceId)?.state).toBe('connected')
  })
})
