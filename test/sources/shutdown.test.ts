// The app's graceful shutdown and connected processes: children (the app started them) are
// stopped; services are told the app is closing and left running, unless the user chooses.
import { afterEach, describe, expect, it } from 'vitest'
import { AgentConnection, hubLocator } from '../../src/agent/index'
import type { AgentIdentity } from '../../src/agent/index'
import { formatShutdownReport } from '../../src/main/app/app-shutdown'
import type { CommandMessage, HubMessageOf } from '../../src/shared/agent-protocol/index'
import { eventually } from '../hub/hub-helper'
import { openApp } from '../ipc/app-helper'

const opened: AgentConnection[] = []
afterEach(async () => {
  await Promise.all(opened.splice(0).map((c) => c.close({ code: 0, reason: 'test over' }, 200)))
})

/** A real AgentConnection with the given role, recording the commands and notices it receives. */
async function agent(dataDir: string, name: string, role: AgentIdentity['role']) {
  const commands: CommandMessage[] = []
  const notices: HubMessageOf<'notice'>[] = []
  const conn = new AgentConnection({
    identity: { name, pid: 5000 + opened.length, runtime: { kind: 'node', version: '22.0.0' }, clock: { kind: 'real' }, ...(role ? { role } : {}) },
    locate: hubLocator({ dataDir, env: {} }),
    backoff: { initialMs: 10, maxMs: 50 },
    onNotice: (n) => notices.push(n),
    onCommand: (c) => {
      commands.push(c)
      return { graceMs: c.type === 'stop' ? c.graceMs : 0, elapsedMs: 1, finished: [{ id: 1, name: 'main', state: 'cancelled' }], forced: [], cleanupErrors: [] }
    },
  })
  opened.push(conn)
  conn.start()
  await eventually(() => conn.status.state === 'connected')
  return { conn, sourceId: conn.sourceId!, commands, notices }
}

describe('app shutdown and connected processes', () => {
  it('stops a child, tells a service (a notice, no stop) and leaves it running, listing each in the report', async () => {
    const app = openApp()
    await app.core.hubReady
    const child = await agent(app.dataDir, 'my-program.ts', 'child')
    const service = await agent(app.dataDir, 'billing-service', 'service')
    const legacy = await agent(app.dataDir, 'old-agent', undefined) // a hello without role: a service
    expect(app.core.sources.list().map((s) => [s.name, s.role])).toEqual([
      ['my-program.ts', 'child'],
      ['billing-service', 'service'],
      ['old-agent', 'service'],
    ])
    const report = await app.ok('app:shutdown', { graceMs: 200 })
    expect(child.commands).toMatchObject([{ type: 'stop', graceMs: 200 }])
    expect(report.parts.filter((p) => p.kind === 'source')).toMatchObject([{ id: child.sourceId, state: 'stopped', report: { finished: [{ name: 'main' }] } }])
    expect(report.leftRunning).toEqual([
      { id: service.sourceId, title: expect.stringContaining('billing-service') },
      { id: legacy.sourceId, title: expect.stringContaining('old-agent') },
    ])
    for (const s of [service, legacy]) {
      expect(s.commands).toEqual([])
      await eventually(() => s.notices.length === 1)
      expect(s.notices[0]).toMatchObject({ type: 'notice', what: 'app-closing' })
      expect(s.conn.status.state).toBe('connected')
    }
    expect(app.core.sources.list().find((s) => s.id === service.sourceId)?.state).toBe('connected')
    expect(formatShutdownReport(report)).toContain('Left running (told the app is closing): billing-service')
  })

  it('stops services too when the user chooses (stopServices), and none is left running', async () => {
    const app = openApp()
    await app.core.hubReady
    const child = await agent(app.dataDir, 'my-program.ts', 'child')
    const service = await agent(app.dataDir, 'billing-service', 'service')
    const report = await app.ok('app:shutdown', { graceMs: 150, stopServices: true })
    expect(child.commands).toMatchObject([{ type: 'stop', graceMs: 150 }])
    expect(service.commands).toMatchObject([{ type: 'stop', graceMs: 150 }])
    expect(service.notices).toEqual([])
    expect(report.parts.filter((p) => p.kind === 'source').map((p) => p.id)).toEqual([child.sourceId, service.sourceId])
    expect(report.leftRunning).toEqual([])
    expect(await app.call('app:shutdown', { graceMs: 10, stopServices: 'yes' })).toMatchObject({ ok: false, error: { code: 'bad_request' } })
  })
})
