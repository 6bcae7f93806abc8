import { describe, expect, it } from 'vitest'
import { AGENT_PROTOCOL_VERSION, MAX_LINE_BYTES } from '../../src/shared/agent-protocol/index'
import { RawAgent, eventually, hello, startHub } from './hub-helper'

describe('hub handshake', () => {
  it('welcomes a hello with the right token and shows the source with its name, pid, runtime and clock', async () => {
    const hub = await startHub()
    const agent = await RawAgent.connect(hub.port)
    agent.send(hello(hub.token, { name: 'my-service', pid: 777, clock: { kind: 'scaled', rate: 60 }, runtime: { kind: 'python', version: '3.11.7' } }))
    expect(await agent.next()).toEqual({ type: 'welcome', protocol: AGENT_PROTOCOL_VERSION, sourceId: 'agent-1', limits: { maxLineBytes: MAX_LINE_BYTES } })
    expect(hub.sources()).toMatchObject([
      { id: 'agent-1', name: 'my-service', pid: 777, state: 'connected', clock: { kind: 'scaled', rate: 60 }, runtime: { kind: 'python', version: '3.11.7' } },
    ])
  })

  it('refuses a wrong token and shows nothing', async () => {
    const hub = await startHub()
    const changes: unknown[] = []
    hub.onChange((c) => changes.push(c))
    const agent = await RawAgent.connect(hub.port)
    agent.send(hello(`${hub.token.slice(0, -1)}x`))
    expect(await agent.next()).toMatchObject({ type: 'refused', code: 'bad_token' })
    expect(await agent.closedWithin()).toBe(true)
    expect(hub.sources()).toEqual([])
    expect(changes).toEqual([])
  })

  it('refuses a missing token and shows nothing', async () => {
    const hub = await startHub()
    const agent = await RawAgent.connect(hub.port)
    const { token: _token, ...noToken } = hello(hub.token)
    agent.send(noToken)
    expect(await agent.next()).toMatchObject({ type: 'refused', code: 'bad_hello' })
    const empty = await RawAgent.connect(hub.port)
    empty.send(hello(''))
    expect(await empty.next()).toMatchObject({ type: 'refused', code: 'bad_token' })
    expect(hub.sources()).toEqual([])
  })

  it('refuses another protocol version with a message naming both versions', async () => {
    const hub = await startHub()
    const agent = await RawAgent.connect(hub.port)
    // A future hello may look different: the version is read before the rest is checked.
    agent.send({ type: 'hello', protocol: 7, token: hub.token, somethingNew: true })
    const refused = await agent.next()
    expect(refused).toMatchObject({ type: 'refused', code: 'version_mismatch', protocol: AGENT_PROTOCOL_VERSION })
    expect(refused.type === 'refused' && refused.message).toContain('protocol 7')
    expect(refused.type === 'refused' && refused.message).toContain(`protocol ${AGENT_PROTOCOL_VERSION}`)
    expect(await agent.closedWithin()).toBe(true)
    expect(hub.sources()).toEqual([])
  })

  it('refuses a first line that is not a hello, and a hello line longer than 4 KiB', async () => {
    const hub = await startHub()
    const ping = await RawAgent.connect(hub.port)
    ping.send({ type: 'ping', id: 1 })
    expect(await ping.next()).toMatchObject({ type: 'refused', code: 'bad_hello' })
    const long = await RawAgent.connect(hub.port)
    long.write(`{"type":"hello","name":"${'x'.repeat(5000)}`)
    expect(await long.next()).toMatchObject({ type: 'refused', code: 'line_too_long' })
    expect(await long.closedWithin()).toBe(true)
  })

  it('disconnects a connection that sends no hello within the hello timeout', async () => {
    const hub = await startHub({ limits: { helloTimeoutMs: 100 } })
    const agent = await RawAgent.connect(hub.port)
    expect(await agent.next()).toMatchObject({ type: 'refused', code: 'hello_timeout' })
    expect(await agent.closedWithin()).toBe(true)
    await eventually(() => hub.connections().open === 0)
  })

  it('answers a second hello on an open connection with an error, not a new source', async () => {
    const hub = await startHub()
    const { agent } = await RawAgent.hello(hub)
    agent.send(hello(hub.token))
    expect(await agent.ping(1)).toMatchObject([{ type: 'error', code: 'bad_message', fatal: false }])
    expect(hub.sources()).toHaveLength(1)
  })

  it('refuses a hello when every kept source is connected, and forgets the oldest ended one to make room', async () => {
    const hub = await startHub({ limits: { maxSources: 2 } })
    const a = await RawAgent.hello(hub)
    await RawAgent.hello(hub)
    const third = await RawAgent.connect(hub.port)
    third.send(hello(hub.token))
    expect(await third.next()).toMatchObject({ type: 'refused', code: 'too_many_sources' })
    a.agent.socket.end()
    await a.agent.done
    const fourth = await RawAgent.hello(hub)
    expect(fourth.sourceId).toBe('agent-3')
    expect(hub.sources().map((s) => s.id)).toEqual(['agent-2', 'agent-3'])
  })
})
