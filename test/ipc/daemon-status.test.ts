// Through the app core and the handlers, as the window drives it: cancel every heartbeat worker
// with task:cancel, and the daemon reads stopped (daemons:changed says so) and daemon:start works.
import { describe, expect, it } from 'vitest'
import type { DaemonInfo } from '../../src/shared/snapshots'
import { openApp } from './app-helper'

describe('daemon status over the handlers', () => {
  it('all heartbeat workers cancelled from the window → daemons:changed says not running, and daemon:start works again', async () => {
    const app = openApp()
    await app.ok('daemon:start', { id: 'heartbeat', config: { workers: 2, intervalMs: 20 } })
    const workers = await app.until(() => {
      const ws = [...app.view().values()].filter((t) => t.loop === 'daemons' && /^worker-/.test(t.name) && t.state === 'waiting')
      return ws.length === 2 && ws
    })
    const changesBefore = app.events.filter((e) => e.event === 'daemons:changed').length
    for (const w of workers) await app.ok('task:cancel', { taskId: w.id, reason: 'from the window' })

    const announced = await app.until(() =>
      app.events
        .slice()
        .reverse()
        .filter((e) => e.event === 'daemons:changed')
        .map((e) => (e.payload as DaemonInfo[]).find((d) => d.id === 'heartbeat')!)
        .find((d) => !d.running),
    )
    expect(app.events.filter((e) => e.event === 'daemons:changed').length).toBeGreaterThan(changesBefore)
    expect(announced.ended).toMatchObject({ by: 'tasks', why: 'all 2 tasks ended: 2 cancelled by user (from the window)' })
    expect((await app.ok('daemons:list')).find((d) => d.id === 'heartbeat')).toMatchObject({ running: false })

    const started = await app.ok('daemon:start', { id: 'heartbeat', config: { workers: 1, intervalMs: 20 } })
    expect(started).toMatchObject({ id: 'heartbeat', running: true, ended: null })
  })
})
