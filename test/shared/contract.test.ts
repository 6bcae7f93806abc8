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
  it('drops a __proto__ key instead of letting it change the prototype', () => {
    const r = parsePayload('scenario:start', JSON.parse('{"id":"x","clock":"virtual","params":{"__proto__":{"polluted":1},"a":1}}'))
    expect(r).toEqual({ ok: true, value: { id: 'x', clock: 'virtual', params: { a: 1 } } })
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })
})
