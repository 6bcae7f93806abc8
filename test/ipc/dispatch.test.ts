import { describe, expect, it } from 'vitest'
import type { Handlers } from '../../src/shared/contract'
import { AppError, dispatch } from '../../src/main/ipc/index'
import { openApp } from './app-helper'

/** Handlers that record what they were given; each test overrides the ones it needs. */
function fakeHandlers(overrides: Partial<Handlers> = {}): { handlers: Handlers; seen: unknown[] } {
  const seen: unknown[] = []
  const handler = (p: unknown) => {
    seen.push(p)
    return 'handled' as never
  }
  const handlers = new Proxy({} as Handlers, { get: (_t, key: string) => (overrides as Record<string, unknown>)[key] ?? handler })
  return { handlers, seen }
}

const quiet = () => {}

describe('dispatch', () => {
  it('passes the validated payload to the channel handler and wraps its value', async () => {
    const { handlers, seen } = fakeHandlers()
    expect(await dispatch(handlers, 'task:cancel', { taskId: 4, reason: 'enough' }, quiet)).toEqual({ ok: true, value: 'handled' })
    expect(seen).toEqual([{ taskId: 4, reason: 'enough' }])
  })

  it('answers unknown_channel for names outside the contract, including Object.prototype keys', async () => {
    const { handlers, seen } = fakeHandlers()
    for (const channel of ['task:kill', 'constructor', '__proto__', 42, null]) {
      const r = await dispatch(handlers, channel, {}, quiet)
      expect(r).toMatchObject({ ok: false, error: { code: 'unknown_channel' } })
    }
    expect(seen).toEqual([])
  })

  it('answers bad_request for a payload that fails its schema, without calling the handler', async () => {
    const { handlers, seen } = fakeHandlers()
    const r = await dispatch(handlers, 'task:setDeadline', { taskId: 1, inMs: 'soon' }, quiet)
    expect(r).toMatchObject({ ok: false, error: { code: 'bad_request', details: [{ path: 'inMs' }] } })
    expect(seen).toEqual([])
  })

  it('keeps the code and message of a deliberate AppError', async () => {
    const { handlers } = fakeHandlers({
      'task:cancel': () => {
        throw new AppError('not_found', 'no task #99')
      },
    })
    expect(await dispatch(handlers, 'task:cancel', { taskId: 99 }, quiet)).toEqual({ ok: false, error: { code: 'not_found', message: 'no task #99' } })
  })

  it('turns an unexpected throw or rejection into internal and logs it', async () => {
    const logged: string[] = []
    const { handlers } = fakeHandlers({
      'runs:list': async () => {
        throw new TypeError('boom')
      },
    })
    const r = await dispatch(handlers, 'runs:list', undefined, (channel) => logged.push(channel))
    expect(r).toEqual({ ok: false, error: { code: 'internal', message: 'TypeError: boom' } })
    expect(logged).toEqual(['runs:list'])
  })

  it('maps the history module’s coded errors onto the contract’s codes', async () => {
    const err = Object.assign(new Error('no run with id 5 in the history'), { code: 'run-not-found' })
    const { handlers } = fakeHandlers({
      'history:get': () => {
        throw err
      },
    })
    expect(await dispatch(handlers, 'history:get', { runId: 5 }, quiet)).toMatchObject({ ok: false, error: { code: 'not_found' } })
  })

  it('refuses [] where a payload or its object is expected, and prototype keys, without calling the handler', async () => {
    const { handlers, seen } = fakeHandlers()
    const refused: [string, unknown][] = [
      ['daemons:list', []],
      ['app:snapshot', []],
      ['daemon:start', { id: 'heartbeat', config: [] }],
      ['scenario:start', { id: 'users-csv', clock: 'virtual', params: [] }],
      ['scenario:start', JSON.parse('{"id":"users-csv","clock":"virtual","params":{"__proto__":{"x":1}}}')],
      ['daemon:start', JSON.parse('{"id":"jobs","config":{"workers":2,"constructor":1}}')],
    ]
    for (const [channel, payload] of refused) {
      expect(await dispatch(handlers, channel, payload, quiet), channel).toMatchObject({ ok: false, error: { code: 'bad_request' } })
    }
    expect(seen).toEqual([])
  })

  it('bounds the error reply whatever the handler echoed: message and details within a few KB', async () => {
    const issues = Array.from({ length: 200_000 }, (_, i) => ({ path: `delays.${i}`, message: `must be a number of milliseconds, got "${'a'.repeat(50)}"` }))
    const { handlers } = fakeHandlers({
      'scenario:start': () => {
        throw new AppError('bad_request', issues.map((i) => `${i.path}: ${i.message}`).join('; '), issues)
      },
    })
    const r = await dispatch(handlers, 'scenario:start', { id: 'gather-random-sleep', clock: 'virtual', params: {} }, quiet)
    expect(r).toMatchObject({ ok: false, error: { code: 'bad_request' } })
    expect(JSON.stringify(r).length).toBeLessThan(8_000)
    if (r.ok) return
    const details = r.error.details as { path: string; message: string }[]
    expect(details.slice(0, 2).map((d) => d.path)).toEqual(['delays.0', 'delays.1'])
    expect(details.at(-1)?.message).toBe('… and 199980 more issues')
  })

  it('answers a real scenario whose params schema reports thousands of bad items in a few KB, starting nothing', async () => {
    const app = openApp()
    const delays = Array.from({ length: 9_000 }, () => 'a'.repeat(40))
    const r = await app.call('scenario:start', { id: 'gather-random-sleep', clock: 'virtual', params: { delays } })
    expect(r).toMatchObject({ ok: false, error: { code: 'bad_request' } })
    expect(JSON.stringify(r).length).toBeLessThan(8_000)
    expect(await app.ok('runs:list')).toEqual([])
  })
})
