import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { WsClient } from '../../src/renderer/src/transport/ws-client'

/** A stand-in for the browser's WebSocket: records sends, lets the test open, answer and drop it. */
class FakeSocket {
  static OPEN = 1
  static all: FakeSocket[] = []
  readyState = 0
  sent: string[] = []
  onopen: (() => void) | null = null
  onmessage: ((e: { data: string }) => void) | null = null
  onclose: ((e: { code: number; reason: string }) => void) | null = null
  constructor(readonly url: string) {
    FakeSocket.all.push(this)
  }
  send(text: string) {
    this.sent.push(text)
  }
  close() {
    this.drop(1000)
  }
  open() {
    this.readyState = FakeSocket.OPEN
    this.onopen?.()
  }
  receive(frame: unknown) {
    this.onmessage?.({ data: JSON.stringify(frame) })
  }
  drop(code = 1006) {
    this.readyState = 3
    this.onclose?.({ code, reason: '' })
  }
}

/** The token checks the client asked for, and what the fake host answers (a status, or unreachable). */
let tokenChecks: string[] = []
let tokenAnswer: number | 'unreachable' = 204

beforeEach(() => {
  FakeSocket.all = []
  tokenChecks = []
  tokenAnswer = 204
  vi.useFakeTimers()
  vi.stubGlobal('WebSocket', FakeSocket)
  vi.stubGlobal('fetch', async (url: string) => {
    tokenChecks.push(url)
    if (tokenAnswer === 'unreachable') throw new TypeError('Failed to fetch')
    return { status: tokenAnswer }
  })
})
afterEach(() => {
  vi.useRealTimers()
  vi.unstubAllGlobals()
})

describe('WsClient', () => {
  it('holds requests until the socket opens, then matches replies by id', async () => {
    const client = new WsClient({ url: 'ws://127.0.0.1:1/ipc?token=t' })
    const reply = client.invoke('daemons:list')
    const socket = FakeSocket.all[0]!
    expect(socket.sent).toEqual([])
    socket.open()
    const frame = JSON.parse(socket.sent[0]!) as { id: number; channel: string }
    expect(frame.channel).toBe('daemons:list')
    socket.receive({ id: frame.id, ok: true, value: [] })
    await expect(reply).resolves.toEqual({ ok: true, value: [] })
  })

  it('delivers events to their listeners until unsubscribed', () => {
    const client = new WsClient({ url: 'ws://x/ipc' })
    const socket = FakeSocket.all[0]!
    socket.open()
    const seen: unknown[] = []
    const off = client.on('runs:changed', (runs) => seen.push(runs))
    socket.receive({ event: 'runs:changed', payload: [] })
    off()
    socket.receive({ event: 'runs:changed', payload: [] })
    expect(seen).toHaveLength(1)
  })

  it('answers requests in flight with an error when the connection drops, and reconnects', async () => {
    const states: string[] = []
    const client = new WsClient({ url: 'ws://x/ipc', onState: (s, info) => states.push(`${s}${info.reconnect ? '*' : ''}`) })
    FakeSocket.all[0]!.open()
    const reply = client.invoke('daemons:list')
    FakeSocket.all[0]!.drop()
    await expect(reply).resolves.toMatchObject({ ok: false, error: { code: 'internal' } })
    vi.advanceTimersByTime(300)
    expect(FakeSocket.all).toHaveLength(2)
    FakeSocket.all[1]!.open()
    expect(states).toEqual(['connecting', 'open', 'closed', 'connecting*', 'open*'])
  })

  it('ignores frames that are not JSON or answer nothing it asked', () => {
    const client = new WsClient({ url: 'ws://x/ipc' })
    const socket = FakeSocket.all[0]!
    socket.open()
    expect(() => socket.onmessage?.({ data: 'not json' })).not.toThrow()
    expect(() => socket.receive({ id: 999, ok: true, value: 1 })).not.toThrow()
    client.close()
  })

  it('asks the token check after a failed handshake, and stops retrying when the host refuses the token (401)', async () => {
    tokenAnswer = 401
    const states: { state: string; problem?: string; status?: number }[] = []
    new WsClient({ url: 'ws://127.0.0.1:9/ipc?token=old', onState: (state, info) => states.push({ state, problem: info.problem, status: info.status }) })
    FakeSocket.all[0]!.drop()
    await vi.runAllTimersAsync()
    expect(tokenChecks).toEqual(['http://127.0.0.1:9/ipc/token?token=old'])
    expect(states.at(-1)).toEqual({ state: 'refused', problem: 'token', status: 401 })
    vi.advanceTimersByTime(60_000)
    expect(FakeSocket.all).toHaveLength(1)
  })

  it('keeps retrying when the host is unreachable, saying so', async () => {
    tokenAnswer = 'unreachable'
    const states: { state: string; problem?: string }[] = []
    new WsClient({ url: 'ws://127.0.0.1:9/ipc?token=t', onState: (state, info) => states.push({ state, problem: info.problem }) })
    FakeSocket.all[0]!.drop()
    await vi.advanceTimersByTimeAsync(300)
    expect(states).toContainEqual({ state: 'closed', problem: 'unreachable' })
    expect(states.map((s) => s.state)).not.toContain('refused')
    expect(FakeSocket.all).toHaveLength(2)
  })

  it('does not ask the token check when a live connection drops; only when the next handshake fails', async () => {
    new WsClient({ url: 'ws://x/ipc?token=t' })
    FakeSocket.all[0]!.open()
    FakeSocket.all[0]!.drop()
    await vi.advanceTimersByTimeAsync(0)
    expect(tokenChecks).toEqual([])
    await vi.advanceTimersByTimeAsync(300)
    FakeSocket.all[1]!.drop()
    await vi.advanceTimersByTimeAsync(0)
    expect(tokenChecks).toHaveLength(1)
  })
})
