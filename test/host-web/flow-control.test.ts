import { describe, expect, it } from 'vitest'
import type WebSocket from 'ws'
import type { Result } from '../../src/shared/contract'
import { FLOW_LIMITS } from '../../src/main/host-web/ws-bridge'
import { connect, startFixture } from './web-host-helper'

/** Collects the replies a socket receives (events left out), by id. */
function replies(ws: WebSocket): Map<unknown, Record<string, unknown>> {
  const got = new Map<unknown, Record<string, unknown>>()
  ws.on('message', (data) => {
    const f = JSON.parse(String(data)) as Record<string, unknown>
    if ('id' in f) got.set(f.id, f)
  })
  return got
}

async function until(check: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 5_000
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 5))
  }
}

/** A dispatcher whose answers wait until the test releases them. */
function gatedDispatch() {
  const calls: { channel: unknown; release: () => void }[] = []
  const dispatch = (channel: unknown) =>
    new Promise<Result<unknown>>((resolve) => calls.push({ channel, release: () => resolve({ ok: true, value: { channel, n: calls.length } }) }))
  return { calls, dispatch }
}

describe('browser host flow control', () => {
  it(`answers busy beyond ${FLOW_LIMITS.maxInFlight} requests in flight on one socket, and serves it again once they are answered`, async () => {
    const gate = gatedDispatch()
    const f = await startFixture(gate.dispatch)
    const ws = await connect(f.host)
    const got = replies(ws)
    const n = FLOW_LIMITS.maxInFlight + 5
    for (let i = 0; i < n; i++) ws.send(JSON.stringify({ id: i, channel: 'task:get', payload: { taskId: i + 1 } }))
    await until(() => got.size === 5, 'the busy replies')
    for (let i = FLOW_LIMITS.maxInFlight; i < n; i++) expect(got.get(i)).toMatchObject({ ok: false, error: { code: 'busy' } })
    expect(gate.calls).toHaveLength(FLOW_LIMITS.maxInFlight)
    for (const c of gate.calls) c.release()
    await until(() => got.size === n, 'the answers')
    expect(got.get(0)).toMatchObject({ ok: true })
    ws.send(JSON.stringify({ id: 'again', channel: 'task:get', payload: { taskId: 1 } }))
    await until(() => gate.calls.length === FLOW_LIMITS.maxInFlight + 1, 'the next request to run')
  })

  it('builds one snapshot for identical concurrent requests from several sockets, and sends it to each with its own id', async () => {
    let builds = 0
    const f = await startFixture(async (channel) => {
      builds++
      return { ok: true, value: { channel, tasks: Array.from({ length: 3_000 }, (_, i) => ({ id: i })) } }
    })
    const sockets = await Promise.all([connect(f.host), connect(f.host), connect(f.host)])
    const got = sockets.map(replies)
    for (const [k, ws] of sockets.entries()) for (let i = 0; i < 10; i++) ws.send(JSON.stringify({ id: `${k}-${i}`, channel: 'app:snapshot' }))
    await until(() => got.every((g) => g.size === 10), 'every reply')
    expect(builds).toBe(1)
    const reply = got[2]!.get('2-9') as { ok: boolean; value: { tasks: unknown[] } }
    expect(reply.ok).toBe(true)
    expect(reply.value.tasks).toHaveLength(3_000)
  })

  it('never serialises an answer for a socket that closed while it was being built', async () => {
    const gate = gatedDispatch()
    let serialised = 0
    const f = await startFixture(async (channel, payload) => {
      await new Promise<void>((r) => gate.calls.push({ channel, release: r }))
      return { ok: true, value: { toJSON: () => ++serialised, channel, payload } }
    })
    const ws = await connect(f.host)
    ws.send(JSON.stringify({ id: 1, channel: 'app:snapshot' }))
    ws.send(JSON.stringify({ id: 2, channel: 'task:get', payload: { taskId: 1 } }))
    await until(() => gate.calls.length === 2, 'both requests to be dispatched')
    const closed = new Promise((r) => ws.once('close', r))
    ws.close()
    await closed
    // The host has seen the close once it holds no connection any more.
    for (let open = 1; open > 0; ) {
      open = await new Promise<number>((r) => f.host.server.getConnections((_e, n) => r(n)))
      if (open > 0) await new Promise((r) => setTimeout(r, 5))
    }
    for (const c of gate.calls) c.release()
    // Both answers have settled (and been dropped) after a few turns of the event loop.
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r))
    expect(serialised).toBe(0)
  })

  it('refuses a frame with keys other than id, channel and payload (including __proto__)', async () => {
    const f = await startFixture()
    const ws = await connect(f.host)
    const got = replies(ws)
    ws.send('{"id":1,"channel":"runs:list","__proto__":{"x":1}}')
    ws.send('{"id":2,"channel":"runs:list","extra":true}')
    ws.send('{"id":3,"channel":"runs:list"}')
    await until(() => got.size === 3, 'three replies')
    expect(got.get(1)).toMatchObject({ ok: false, error: { code: 'bad_request' } })
    expect(got.get(2)).toMatchObject({ ok: false, error: { code: 'bad_request' } })
    expect(got.get(3)).toMatchObject({ ok: true })
    expect(f.calls).toEqual([{ channel: 'runs:list', payload: undefined }])
  })

  it(`refuses a WebSocket beyond ${FLOW_LIMITS.maxSockets} open ones with 503, and accepts one again when a socket closes`, async () => {
    const f = await startFixture()
    const open = await Promise.all(Array.from({ length: FLOW_LIMITS.maxSockets }, () => connect(f.host)))
    await expect(connect(f.host)).rejects.toThrow('refused 503')
    const closed = new Promise((r) => open[0]!.once('close', r))
    open[0]!.close()
    await closed
    // The host frees the place once it has seen the close: from then on a new socket fits.
    let again: WebSocket | null = null
    const end = Date.now() + 5_000
    while (!again && Date.now() < end) again = await connect(f.host).catch(() => null)
    expect(again).not.toBeNull()
  })
})
