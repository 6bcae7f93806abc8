import { describe, expect, it } from 'vitest'
import type { Handlers } from '../../src/shared/contract'
import { AppError, dispatch } from '../../src/main/ipc/index'

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
})
