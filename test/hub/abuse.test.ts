import { describe, expect, it } from 'vitest'
import { MAX_LINE_BYTES } from '../../src/shared/agent-protocol/index'
import { realTimers } from '../../src/main/monitor/throttle'
import { RawAgent, eventually, startHub } from './hub-helper'

describe('hub against a hostile agent', () => {
  it('answers each garbage line with one short typed error and disconnects at the bad-message limit', async () => {
    const hub = await startHub({ limits: { maxBadMessages: 6 } })
    const { agent, sourceId } = await RawAgent.hello(hub)
    const garbage = ['not json', '[1,2,3]', '{}', `{"type":"${'x'.repeat(100_000)}"}`, '{"type":"log","line":42}', '\u0000\u00ff{']
    for (const line of garbage) agent.write(`${line}\n`)
    const answers = []
    for (let i = 0; i < garbage.length + 1; i++) answers.push(await agent.next())
    expect(answers.map((a) => a.type === 'error' && [a.code, a.fatal])).toEqual([
      ['bad_json', false],
      ['bad_json', false],
      ['bad_message', false],
      ['bad_message', false],
      ['bad_message', false],
      ['bad_json', false],
      ['too_many_errors', true],
    ])
    for (const a of answers) expect(a.type === 'error' && a.message.length).toBeLessThanOrEqual(300)
    expect(await agent.closedWithin()).toBe(true)
    expect(hub.source(sourceId)?.errors).toBe(6)
  })

  it('disconnects a 100 MB line once it passes the line limit, with the hub’s memory bounded', async () => {
    const hub = await startHub()
    const { agent, sourceId } = await RawAgent.hello(hub)
    const other = await RawAgent.hello(hub)
    const chunk = Buffer.alloc(256 << 10, 0x61)
    global.gc?.()
    const before = process.memoryUsage()
    let peak = 0
    let sent = 0
    agent.write('{"type":"log","stream":"stdout","wall":1,"taskId":null,"line":"')
    while (sent < 100 << 20 && !agent.closed) {
      const ok = agent.socket.write(chunk)
      sent += chunk.length
      const m = process.memoryUsage()
      peak = Math.max(peak, m.heapUsed + m.arrayBuffers - before.heapUsed - before.arrayBuffers)
      if (!ok) await new Promise<void>((r) => (agent.closed ? r() : agent.socket.once('drain', r).once('close', r)))
    }
    expect(await agent.closedWithin()).toBe(true)
    console.log(`100 MB line: the hub hung up after ${(sent / 2 ** 20).toFixed(1)} MB were written; peak heap+buffers growth ${(peak / 2 ** 20).toFixed(1)} MB`)
    expect(agent.lines).toMatchObject([{ type: 'error', code: 'line_too_long', fatal: true }])
    // Far less than 100 MB got in before the hub hung up; what it held is the line bound plus chunks.
    expect(sent).toBeLessThan(40 << 20)
    expect(peak).toBeLessThan(MAX_LINE_BYTES + (32 << 20))
    expect(hub.logs(sourceId)).toEqual([])
    expect(await other.agent.ping(1)).toEqual([])
  })

  it('discards lines over the inbound budget with one rate_limited warning, then disconnects a flood', async () => {
    // A frozen clock: the buckets never refill, so the budget is exactly the burst.
    const hub = await startHub({
      timers: { ...realTimers, now: () => 0 },
      limits: { budget: { messageBurst: 50 }, maxDiscardedInARow: 200 },
    })
    const flooder = await RawAgent.hello(hub)
    const healthy = await RawAgent.hello(hub)
    const log = { type: 'log', stream: 'stdout', wall: 1, taskId: null }
    for (let i = 0; i < 60; i++) flooder.agent.send({ ...log, line: `line ${i}` })
    expect(await flooder.agent.next()).toMatchObject({ type: 'error', code: 'rate_limited', fatal: false })
    for (let i = 0; i < 200; i++) flooder.agent.send({ ...log, line: 'more' })
    expect(await flooder.agent.next()).toMatchObject({ type: 'error', code: 'flood', fatal: true })
    expect(await flooder.agent.closedWithin()).toBe(true)
    expect(hub.logs(flooder.sourceId)).toHaveLength(50)
    expect(hub.source(flooder.sourceId)?.discarded).toBe(200)
    expect(await healthy.agent.ping(1)).toEqual([])
  })

  it('disconnects an agent that does not read what the hub sends, once the unsent bytes pass the bound', async () => {
    const hub = await startHub({ limits: { maxOutboundBytes: 64 << 10, budget: { messageBurst: 1e6, messagesPerSecond: 1e6 } } })
    const { agent, sourceId } = await RawAgent.hello(hub)
    agent.socket.pause()
    // 300,000 pings ask for ~8 MB of pongs: more than the kernel's buffers and the bound together.
    const pings = Buffer.from(Array.from({ length: 300_000 }, (_, i) => `{"type":"ping","id":${i}}\n`).join(''))
    agent.socket.write(pings)
    await eventually(() => hub.source(sourceId)?.state === 'lost', 15_000)
    expect(hub.connections().open).toBe(0)
  })

  it('closes at once the connections beyond the handshake limit', async () => {
    const hub = await startHub({ limits: { maxHandshakes: 2 } })
    const a = await RawAgent.connect(hub.port)
    const b = await RawAgent.connect(hub.port)
    const c = await RawAgent.connect(hub.port)
    expect(await c.closedWithin()).toBe(true)
    expect(c.lines).toEqual([])
    expect(a.closed || b.closed).toBe(false)
  })
})
