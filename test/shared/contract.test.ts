import { describe, expect, it } from 'vitest'
import { CHANNELS, isChannel, isEventName, parsePayload } from '../../src/shared/contract'
import { ipcUrl, tokenFromHash } from '../../src/shared/wire'

describe('contract payload validation', () => {
  it('accepts a well-formed scenario:start and keeps its fields', () => {
    const r = parsePayload('scenario:start', { id: 'users-csv', params: { seed: 1 }, clock: { speed: 10 } })
    expect(r).toEqual({ ok: true, value: { id: 'users-csv', params: { seed: 1 }, clock: { speed: 10 } } })
  })

  it('rejects a wrong type with a bad_request naming the field', () => {
    const r = parsePayload('task:cancel', { taskId: 'seven' })
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.error.code).toBe('bad_request')
    expect(r.error.details).toEqual([expect.objectContaining({ path: 'taskId' })])
  })

  it('rejects unknown keys instead of ignoring them', () => {
    const r = parsePayload('run:stop', { runId: 1, graceMs: 100, extra: true })
    expect(r.ok).toBe(false)
  })

  it('rejects a huge reason string', () => {
    const r = parsePayload('task:cancel', { taskId: 3, reason: 'x'.repeat(100_000) })
    expect(r.ok).toBe(false)
  })

  it('rejects negative, fractional and non-finite numbers where they make no sense', () => {
    expect(parsePayload('task:cancel', { taskId: 1.5 }).ok).toBe(false)
    expect(parsePayload('task:setDeadline', { taskId: 1, inMs: -5 }).ok).toBe(false)
    expect(parsePayload('task:setDeadline', { taskId: 1, inMs: Number.POSITIVE_INFINITY }).ok).toBe(false)
    expect(parsePayload('app:shutdown', { graceMs: Number.NaN }).ok).toBe(false)
  })

  it('accepts a null deadline, which clears it', () => {
    expect(parsePayload('task:setDeadline', { taskId: 4, inMs: null })).toEqual({ ok: true, value: { taskId: 4, inMs: null } })
  })

  it('lets commands without a payload be called with nothing, null or {}', () => {
    for (const p of [undefined, null, {}]) expect(parsePayload('scenarios:list', p).ok).toBe(true)
    expect(parsePayload('scenarios:list', { x: 1 }).ok).toBe(false)
  })

  it('only allows the three daemons and the two export formats', () => {
    expect(parsePayload('daemon:start', { id: 'rm-rf' }).ok).toBe(false)
    expect(parsePayload('run:export', { runId: 1, format: 'xml' }).ok).toBe(false)
  })

  it('knows its channels and events, and not inherited object keys', () => {
    expect(CHANNELS).toContain('task:setDeadline')
    expect(isChannel('toString')).toBe(false)
    expect(isChannel('__proto__')).toBe(false)
    expect(isEventName('tasks:delta')).toBe(true)
    expect(isEventName('constructor')).toBe(false)
  })
})

describe('wire helpers', () => {
  it('builds the WebSocket URL with the token escaped', () => {
    expect(ipcUrl({ host: '127.0.0.1:5000', protocol: 'http:' }, 'a b')).toBe('ws://127.0.0.1:5000/ipc?token=a%20b')
  })
  it('reads the token from the location hash', () => {
    expect(tokenFromHash('#token=abc123')).toBe('abc123')
    expect(tokenFromHash('')).toBeNull()
  })
})

describe('run ids', () => {
  it('are positive integers, as the history database numbers runs', () => {
    expect(parsePayload('history:get', { runId: 3 }).ok).toBe(true)
    expect(parsePayload('history:get', { runId: '3' }).ok).toBe(false)
    expect(parsePayload('history:get', { runId: 0 }).ok).toBe(false)
  })
})

describe('hostile params', () => {
  const bad = (r: ReturnType<typeof parsePayload>) => (r.ok ? 'accepted' : r.error.code)

  it('refuses __proto__, constructor and prototype keys anywhere in a payload instead of dropping them', () => {
    const payloads = [
      '{"id":"x","clock":"virtual","params":{"__proto__":{"polluted":1},"a":1}}',
      '{"id":"x","clock":"virtual","params":{"constructor":{"prototype":{"polluted":1}}}}',
      '{"id":"x","clock":"virtual","params":{"delays":[1,{"prototype":2}]}}',
      '{"id":"x","clock":"virtual","__proto__":{}}',
    ]
    for (const json of payloads) {
      const r = parsePayload('scenario:start', JSON.parse(json))
      expect(bad(r), json).toBe('bad_request')
      if (!r.ok) expect(r.error.message, json).toMatch(/the key "(__proto__|constructor|prototype)" is not allowed/)
    }
    expect(bad(parsePayload('daemon:start', JSON.parse('{"id":"stats","config":{"__proto__":null}}')))).toBe('bad_request')
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('refuses an array where an object is expected instead of reading it as {}', () => {
    expect(bad(parsePayload('scenario:start', { id: 'x', clock: 'virtual', params: [] }))).toBe('bad_request')
    expect(bad(parsePayload('daemon:start', { id: 'stats', config: [] }))).toBe('bad_request')
    for (const channel of ['app:snapshot', 'scenarios:list', 'runs:list', 'daemons:list', 'history:list'] as const) {
      expect(bad(parsePayload(channel, [])), channel).toBe('bad_request')
    }
    // The positive control: the same channels with an object or nothing.
    expect(parsePayload('daemon:start', { id: 'stats', config: {} }).ok).toBe(true)
    for (const channel of ['app:snapshot', 'history:list'] as const) expect(parsePayload(channel, undefined).ok, channel).toBe(true)
  })

  it('refuses values JSON cannot carry, cycles and deep nesting (Electron IPC can send all three)', () => {
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    let deep: unknown = 1
    for (let i = 0; i < 40; i++) deep = { a: deep }
    for (const params of [{ when: new Date() }, { m: new Map() }, { f: () => 1 }, { n: Number.NaN }, cyclic, deep]) {
      expect(bad(parsePayload('scenario:start', { id: 'x', clock: 'virtual', params: params as Record<string, unknown> }))).toBe('bad_request')
    }
  })

  it('refuses a 200,000-item list at once, with a reply of a few hundred bytes that quotes none of it', () => {
    const delays = Array.from({ length: 200_000 }, () => 'a')
    const t0 = performance.now()
    const r = parsePayload('scenario:start', { id: 'gather-random-sleep', clock: 'virtual', params: { delays } })
    const ms = performance.now() - t0
    expect(bad(r)).toBe('bad_request')
    expect(JSON.stringify(r).length).toBeLessThan(500)
    // Generous: the check reads the list's length, not its items (≈ 0.01 ms here).
    expect(ms).toBeLessThan(50)
  })

  it('keeps an error reply within a few KB when every issue quotes a huge input', () => {
    const huge = 'x'.repeat(500_000)
    const r = parsePayload('task:setDeadline', { taskId: huge, inMs: huge })
    expect(bad(r)).toBe('bad_request')
    expect(JSON.stringify(r).length).toBeLessThan(4_000)
  })
})
