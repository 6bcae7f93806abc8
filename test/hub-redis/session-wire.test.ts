// AgentSession over a SessionWire that is not a socket (what the Redis transport gives it): one
// message at a time, the same handshake, bounds and errors as over TCP.
import { describe, expect, it } from 'vitest'
import { AgentSession } from '../../src/main/hub/agent-session'
import type { SessionHost, SessionWire } from '../../src/main/hub/agent-session'
import { DEFAULT_HUB_LIMITS } from '../../src/main/hub/limits'
import { SourceRecord } from '../../src/main/hub/source-state'
import { MAX_LINE_BYTES } from '../../src/shared/agent-protocol/index'
import type { HubMessage } from '../../src/shared/agent-protocol/index'
import { hello } from '../hub/hub-helper'

function memoryWire() {
  const sent: HubMessage[] = []
  const wire = {
    ended: false,
    destroyed: false,
    pendingBytes: 0,
    get writable() {
      return !this.ended && !this.destroyed
    },
    write: (line: string) => void sent.push(JSON.parse(line) as HubMessage),
    end() {
      this.ended = true
    },
    destroy() {
      this.destroyed = true
    },
  } satisfies SessionWire & Record<string, unknown>
  return { wire, sent }
}

function host(): SessionHost & { changes: unknown[]; endedCount: number } {
  const h = {
    token: 'tok',
    limits: DEFAULT_HUB_LIMITS,
    timers: { now: () => 0, setTimeout: () => 0, clearTimeout: () => undefined },
    changes: [] as unknown[],
    endedCount: 0,
    admit: (_s: AgentSession, hi: Parameters<SessionHost['admit']>[1]) => ({ ok: true as const, source: new SourceRecord('agent-1', hi, 0, DEFAULT_HUB_LIMITS) }),
    emit: (c: unknown) => void h.changes.push(c),
    ended: () => void h.endedCount++,
  }
  return h
}

describe('AgentSession over a message wire', () => {
  it('welcomes a hello given as one message, answers a bad one with its typed error, and ends lost when the wire closes', () => {
    const { wire, sent } = memoryWire()
    const h = host()
    const s = new AgentSession(wire, h)
    s.receiveLine(JSON.stringify(hello('tok')), 100)
    expect(sent[0]).toMatchObject({ type: 'welcome', sourceId: 'agent-1' })
    s.receiveLine('{"type":"ping","id":3}', 22)
    expect(sent[1]).toEqual({ type: 'pong', id: 3 })
    s.receiveLine('nope', 4)
    expect(sent[2]).toMatchObject({ type: 'error', code: 'bad_json', fatal: false })
    expect(s.source!.errors).toBe(1)
    s.peerClosed()
    expect(s.source!.state).toBe('lost')
    expect(h.endedCount).toBe(1)
    expect(wire.destroyed).toBe(true)
  })

  it('a message over the line bound ends it as a TCP line would (line_too_long, fatal), without reading it', () => {
    const { wire, sent } = memoryWire()
    const s = new AgentSession(wire, host())
    s.receiveLine(JSON.stringify(hello('tok')), 100)
    s.receiveLine('x', MAX_LINE_BYTES + 1)
    expect(sent[1]).toMatchObject({ type: 'error', code: 'line_too_long', fatal: true })
    expect(wire.ended).toBe(true)
    expect(s.phase).toBe('closing')
  })

  it('a wrong token is refused; a wire that does not drain is destroyed without a last line', () => {
    const a = memoryWire()
    new AgentSession(a.wire, host()).receiveLine(JSON.stringify(hello('other')), 100)
    expect(a.sent[0]).toMatchObject({ type: 'refused', code: 'bad_token' })
    const b = memoryWire()
    const s = new AgentSession(b.wire, host())
    s.receiveLine(JSON.stringify(hello('tok')), 100)
    b.wire.pendingBytes = DEFAULT_HUB_LIMITS.maxOutboundBytes + 1
    s.receiveLine('{"type":"ping","id":1}', 22)
    expect(b.sent.length).toBe(1)
    expect(b.wire.destroyed).toBe(true)
  })
})
