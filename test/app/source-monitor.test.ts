import { describe, expect, it } from 'vitest'
import { EventLoop, VirtualClock, sleep } from '../../src/main/runtime/index'
import { TaskMonitor } from '../../src/main/monitor/index'
import { EXTERNAL_ID_BASE } from '../../src/main/sources/id-map'
import type { TaskDelta, TaskSnapshot } from '../../src/shared/snapshots'
import { manualTimers } from '../monitor/monitor-helper'
import { openApp } from '../ipc/app-helper'
import { fakeAgent } from './source-agents'

describe('a real TaskMonitor behind an agent', () => {
  it('its deltas (segments, parents, awaits, clocks) arrive translated, beside this app’s own tasks', async () => {
    const app = openApp()
    await app.core.hubReady
    // This app's own heartbeat tasks: their runtime ids come from the same counter as the agent's.
    await app.ok('daemon:start', { id: 'heartbeat', config: { workers: 2, intervalMs: 20 } })
    const agent = await fakeAgent(app.dataDir, 'monitored')
    const timers = manualTimers()
    const monitor = new TaskMonitor({ timers, emit: (delta) => agent.conn.send({ type: 'tasks:delta', delta }) })
    const loop = new EventLoop({ clock: new VirtualClock() })
    monitor.attach(loop, { label: 'main', runId: null, rate: null })
    await loop.runUntilComplete(async () => {
      const child = loop.createTask(async () => void (await sleep(50)), { name: 'child' })
      await sleep(10)
      await child
    })
    timers.advance(100)
    monitor.dispose()

    const ext = await app.until(() => {
      const mine = [...app.view().values()].filter((t) => t.loop === `${agent.sourceId}/main`)
      return mine.length === 2 && mine.every((t) => t.state === 'done') && mine
    })
    const byName = new Map(ext.map((t) => [t.name, t] as [string, TaskSnapshot]))
    const child = byName.get('child')!
    const main = ext.find((t) => t !== child)!
    expect(child.parentId).toBe(main.id)
    const own = [...app.view().values()].filter((t) => t.loop === 'daemons').map((t) => t.id)
    expect(own.length).toBeGreaterThan(0)
    for (const t of ext) expect(own).not.toContain(t.id)
    // Segments name the translated ids: the timeline draws them on the right rows.
    const segments = app.events.flatMap((e) => (e.event === 'tasks:delta' ? ((e.payload as TaskDelta).segments ?? []) : []))
    expect(segments.some((s) => s.taskId === child.id && s.segments.some((g) => g.state === 'waiting' && g.to - g.from === 50))).toBe(true)
    const clocks = app.events.flatMap((e) => (e.event === 'tasks:delta' ? (e.payload as TaskDelta).clocks : []))
    expect(clocks.some((c) => c.loop === `${agent.sourceId}/main` && c.rate === null)).toBe(true)
    // …and the history run holds them by the agent's own ids.
    const runId = app.core.sources.list()[0]!.runId!
    const run = await app.until(() => {
      const r = app.core.history.getRun(runId)
      return r?.tasks.length === 2 && r
    })
    expect(run.run.scenario).toBe('agent:monitored')
    const recorded = run.tasks.find((t) => t.name === 'child')!
    expect(recorded.id).toBeLessThan(EXTERNAL_ID_BASE) // the agent's own id, as its program knows it
    expect(recorded.state).toBe('done')
    expect(run.tasks.find((t) => t.id === recorded.parentId)?.state).toBe('done')
  })
})
