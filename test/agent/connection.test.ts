import { execFile } from 'node:child_process'
import { createServer } from 'node:net'
import { promisify } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'
import { AgentConnection, CommandFailure, hubLocator } from '../../src/agent/index'
import type { AgentIdentity, ConnectionOptions, ConnectionStatus } from '../../src/agent/index'
import { AgentHub } from '../../src/main/hub/index'
import { appUrl } from '../../src/shared/agent-protocol/index'
import type { Timers } from '../../src/main/monitor/throttle'
import { LOOP_MAIN, delta, eventually, snapshot, startHub, tempDir } from '../hub/hub-helper'

const identity: AgentIdentity = { name: 'my-program', pid: process.pid, runtime: { kind: 'node', version: process.versions.node }, clock: { kind: 'virtual' } }
const log = (line: string) => ({ type: 'log', stream: 'stdout', line, wall: 1, taskId: null }) as const

const open: AgentConnection[] = []
function connection(opts: Partial<ConnectionOptions> & Pick<ConnectionOptions, 'locate'>): AgentConnection {
  const c = new AgentConnection({ identity, onCommand: () => null, backoff: { initialMs: 10, maxMs: 50 }, ...opts })
  open.push(c)
  return c
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()))
})

describe('agent connection', () => {
  it('finds the hub through agent.json, says hello, and its messages reach the source', async () => {
    const dataDir = await tempDir()
    const hub = await startHub({ dataDir })
    const conn = connection({ locate: hubLocator({ dataDir, env: {} }) })
    conn.start()
    await eventually(() => conn.status.state === 'connected')
    conn.send(LOOP_MAIN)
    conn.send(delta(1, { created: [snapshot(1, { name: 'worker' })] }))
    await eventually(() => hub.tasks('agent-1').length === 1)
    expect(hub.source('agent-1')).toMatchObject({ name: 'my-program', pid: process.pid, clock: { kind: 'virtual' }, runtime: { kind: 'node' } })
    expect(conn.sourceId).toBe('agent-1')
  })

  it('connects to an explicit tcp:// URL, given as an option or in LOOPWATCH_APP, and refuses a non-loopback one', async () => {
    const hub = await startHub()
    const url = appUrl({ port: hub.port, token: hub.token })
    expect(hubLocator({ app: url })()).toEqual({ ok: true, address: { host: '127.0.0.1', port: hub.port, token: hub.token }, from: 'url' })
    expect(hubLocator({ env: { LOOPWATCH_APP: url }, dataDir: '/nonexistent' })()).toMatchObject({ ok: true, from: 'url' })
    expect(hubLocator({ app: 'tcp://10.0.0.5:4000?token=x' })()).toMatchObject({ ok: false, message: expect.stringContaining('loopback') })
    expect(hubLocator({ app: 'http://127.0.0.1:4000?token=x' })()).toMatchObject({ ok: false, message: expect.stringContaining('tcp://') })
    expect(hubLocator({ app: 'tcp://127.0.0.1:4000' })()).toMatchObject({ ok: false, message: expect.stringContaining('token') })
    const conn = connection({ locate: hubLocator({ env: { LOOPWATCH_APP: url } }) })
    conn.start()
    await eventually(() => conn.status.state === 'connected')
  })

  it('answers commands through its handler, passing a CommandFailure’s code to the hub', async () => {
    const hub = await startHub()
    const seen: unknown[] = []
    const conn = connection({
      locate: hubLocator({ app: appUrl(hub) }),
      onCommand: (c) => {
        seen.push(c)
        if (c.type === 'cancel') return snapshot(1, { state: 'cancelling' })
        throw new CommandFailure('no_deadlines', 'this agent has no deadlines')
      },
    })
    conn.start()
    await eventually(() => conn.status.state === 'connected')
    conn.send(LOOP_MAIN)
    conn.send(delta(1, { created: [snapshot(1)] }))
    await eventually(() => hub.tasks('agent-1').length === 1)
    expect(await hub.sendCommand('agent-1', { type: 'cancel', taskId: 1, reason: 'user' })).toEqual({ ok: true, value: snapshot(1, { state: 'cancelling' }) })
    expect(await hub.sendCommand('agent-1', { type: 'deadline:set', taskId: 1, inMs: 5 })).toEqual({ ok: false, error: { code: 'no_deadlines', message: 'this agent has no deadlines' } })
    expect(seen).toEqual([
      { type: 'cancel', id: 1, taskId: 1, reason: 'user' },
      { type: 'deadline:set', id: 2, taskId: 1, inMs: 5 },
    ])
  })

  it('says bye with its exit code on close, and the source shows exited', async () => {
    const hub = await startHub()
    const conn = connection({ locate: hubLocator({ app: appUrl(hub) }) })
    conn.start()
    await eventually(() => conn.status.state === 'connected')
    await conn.close({ code: 0, reason: 'finished' })
    await eventually(() => hub.source('agent-1')?.state !== 'connected')
    expect(hub.source('agent-1')).toMatchObject({ state: 'exited', exit: { code: 0, reason: 'finished' } })
    expect(conn.status).toEqual({ state: 'closed' })
  })

  it('buffers while no app runs, drops and counts beyond its bound, and reports the count when the app starts', async () => {
    const dataDir = await tempDir()
    const conn = connection({ locate: hubLocator({ dataDir }), buffer: { maxLines: 5 } })
    conn.start()
    for (let i = 0; i < 8; i++) conn.send(log(`line ${i}`))
    expect(conn.dropped).toBe(3)
    const hub = await startHub({ dataDir })
    await eventually(() => (hub.source('agent-1')?.dropped ?? 0) > 0 && hub.logs('agent-1').length === 5)
    expect(hub.source('agent-1')?.dropped).toBe(3)
    expect(hub.logs('agent-1').map((l) => l.line)).toEqual(['line 0', 'line 1', 'line 2', 'line 3', 'line 4'])
    expect(conn.dropped).toBe(0)
  })

  it('reconnects to a restarted hub (new port, new token) and reports what it dropped meanwhile', async () => {
    const dataDir = await tempDir()
    const first = await AgentHub.start({ dataDir })
    const statuses: ConnectionStatus['state'][] = []
    const conn = connection({ locate: hubLocator({ dataDir }), buffer: { maxLines: 5 }, onStatus: (s) => statuses.push(s.state) })
    conn.start()
    await eventually(() => conn.status.state === 'connected')
    await first.close()
    await eventually(() => conn.status.state === 'waiting')
    for (let i = 0; i < 8; i++) conn.send(log(`while away ${i}`))
    const second = await startHub({ dataDir })
    expect(second.port).not.toBe(first.port)
    await eventually(() => second.logs('agent-1').length === 5)
    expect(second.source('agent-1')).toMatchObject({ name: 'my-program', state: 'connected', dropped: 3 })
    expect(statuses).toContain('waiting')
    expect(statuses.at(-1)).toBe('connected')
  })

  it('sends its snapshot instead of the superseded outbox after a reconnect', async () => {
    const dataDir = await tempDir()
    const first = await AgentHub.start({ dataDir })
    const conn = connection({
      locate: hubLocator({ dataDir }),
      snapshot: () => [LOOP_MAIN, delta(1, { created: [snapshot(1, { state: 'waiting' })] })],
    })
    conn.start()
    await eventually(() => conn.status.state === 'connected')
    await first.close()
    await eventually(() => conn.status.state === 'waiting')
    // A change to a task the new hub never saw: sent as is, it would be an unknown_task error.
    conn.send(delta(2, { changed: [snapshot(1, { state: 'running' })] }))
    const second = await startHub({ dataDir })
    await eventually(() => second.tasks('agent-1').length === 1)
    expect(second.tasks('agent-1')[0]?.task.state).toBe('waiting')
    expect(second.source('agent-1')?.errors).toBe(0)
  })

  it('backs off exponentially up to its maximum while the app is absent, and starts over after a welcome', async () => {
    const delays: number[] = []
    const queue: (() => void)[] = []
    const timers: Timers = {
      now: () => 0,
      setTimeout: (fn, ms) => {
        delays.push(ms)
        queue.push(fn)
        return queue.length
      },
      clearTimeout: () => undefined,
    }
    let where: ReturnType<ConnectionOptions['locate']> = { ok: false, message: 'no agent.json' }
    const conn = connection({ locate: () => where, timers, backoff: { initialMs: 100, factor: 2, maxMs: 1_000 } })
    conn.start()
    for (let i = 0; i < 5; i++) queue.shift()?.()
    expect(delays).toEqual([100, 200, 400, 800, 1_000, 1_000])
    const hub = await startHub()
    where = { ok: true, address: { host: '127.0.0.1', port: hub.port, token: hub.token }, from: 'url' }
    queue.shift()?.()
    await eventually(() => conn.status.state === 'connected')
    await hub.close()
    await eventually(() => delays.length === 7)
    expect(delays.at(-1)).toBe(100)
  })

  it('stops for good when the hub refuses its protocol version, keeping the hub’s message', async () => {
    let serverSideClosed = false
    const server = createServer((s) => {
      s.on('close', () => (serverSideClosed = true)).resume()
      s.write('{"type":"refused","code":"version_mismatch","message":"the agent speaks protocol 1; this app speaks protocol 2","protocol":2}\n')
      s.end()
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const port = (server.address() as { port: number }).port
    let attempts = 0
    const retries: number[] = []
    const conn = connection({
      timers: { now: () => 0, setTimeout: (_fn, ms) => retries.push(ms), clearTimeout: () => undefined },
      locate: () => {
        attempts++
        return { ok: true, address: { host: '127.0.0.1', port, token: 't' }, from: 'url' }
      },
    })
    conn.start()
    await eventually(() => conn.status.state === 'refused')
    expect(conn.status).toMatchObject({ code: 'version_mismatch', message: expect.stringContaining('protocol 2') })
    await eventually(() => serverSideClosed)
    await new Promise<void>((r) => setImmediate(r))
    expect(attempts).toBe(1)
    expect(retries).toEqual([])
    server.close()
  })
})

describe('agent connection in a program of its own', () => {
  it('does not keep a finished program alive, with or without an app to talk to', async () => {
    const hub = await startHub()
    const program = (app: string) => `
      import { AgentConnection, hubLocator } from ${JSON.stringify(new URL('../../src/agent/index.ts', import.meta.url).pathname)}
      const conn = new AgentConnection({ identity: { name: 'p', pid: process.pid, runtime: { kind: 'node', version: process.version }, clock: { kind: 'real' } },
        locate: hubLocator({ app: ${JSON.stringify(app)} }), onCommand: () => null })
      conn.start()
      for (let i = 0; i < 100; i++) conn.send({ type: 'log', stream: 'stdout', line: 'x', wall: 1, taskId: null })
      setTimeout(() => console.log('done'), 50)`
    for (const app of [appUrl(hub), 'tcp://127.0.0.1:1?token=nobody-listens']) {
      const t0 = Date.now()
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', program(app)], { timeout: 10_000 })
      expect(stdout.trim()).toBe('done')
      expect(Date.now() - t0).toBeLessThan(8_000)
    }
  })
})
