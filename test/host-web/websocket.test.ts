import { request } from 'node:http'
import type { IncomingMessage } from 'node:http'
import { describe, expect, it } from 'vitest'
import { checkUpgrade } from '../../src/main/host-web/server'
import { connect, nextFrame, startFixture } from './web-host-helper'

describe('browser host WebSocket', () => {
  it('accepts our origin with the right token and answers a request by id', async () => {
    const f = await startFixture()
    const ws = await connect(f.host)
    ws.send(JSON.stringify({ id: 7, channel: 'scenarios:list' }))
    expect(await nextFrame(ws)).toEqual({ id: 7, ok: true, value: { echoed: 'scenarios:list' } })
    expect(f.calls).toEqual([{ channel: 'scenarios:list', payload: undefined }])
  })

  it('refuses a wrong token with 401 and a missing one too', async () => {
    const f = await startFixture()
    await expect(connect(f.host, { token: 'nope' })).rejects.toThrow('refused 401')
    await expect(connect(f.host, { token: null })).rejects.toThrow('refused 401')
    await expect(connect(f.host, { token: f.host.token.slice(0, -1) })).rejects.toThrow('refused 401')
  })

  it('refuses a foreign or missing Origin with 403 even with the right token', async () => {
    const f = await startFixture()
    await expect(connect(f.host, { origin: 'http://evil.example' })).rejects.toThrow('refused 403')
    await expect(connect(f.host, { origin: `http://127.0.0.1:${f.host.port + 1}` })).rejects.toThrow('refused 403')
    await expect(connect(f.host, { origin: null })).rejects.toThrow('refused 403')
  })

  it('gives every malformed frame an error reply and dispatches none of them', async () => {
    const f = await startFixture()
    const ws = await connect(f.host)
    const bad: [string | Buffer, unknown][] = [
      ['not json', null],
      ['[1,2]', null],
      ['{"channel":"scenarios:list"}', null],
      ['{"id":{},"channel":"scenarios:list"}', null],
      ['{"id":3,"channel":42}', 3],
      [Buffer.from([1, 2, 3]), null],
    ]
    for (const [frame, id] of bad) {
      ws.send(frame)
      const reply = await nextFrame(ws)
      expect(reply).toMatchObject({ id, ok: false, error: { code: 'bad_request' } })
    }
    expect(f.calls).toEqual([])
    // The socket is still usable afterwards.
    ws.send(JSON.stringify({ id: 'x', channel: 'runs:list' }))
    expect(await nextFrame(ws)).toMatchObject({ id: 'x', ok: true })
  })

  it('sends app events to every connected socket as { event, payload }', async () => {
    const f = await startFixture()
    const a = await connect(f.host)
    const b = await connect(f.host)
    const frames = Promise.all([nextFrame(a), nextFrame(b)])
    f.emit('runs:changed', [])
    expect(await frames).toEqual([
      { event: 'runs:changed', payload: [] },
      { event: 'runs:changed', payload: [] },
    ])
  })

  it('closes a socket that sends a frame over the size limit', async () => {
    const f = await startFixture()
    const ws = await connect(f.host)
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)))
    ws.send(JSON.stringify({ id: 1, channel: 'x', payload: 'y'.repeat(2 << 20) }))
    expect(await closed).toBe(1009)
    expect(f.calls).toEqual([])
  })

  it('answers the token check with 204 for the right token and 401 for a wrong or missing one', async () => {
    const f = await startFixture()
    const check = (q: string) => fetch(`http://127.0.0.1:${f.host.port}/ipc/token${q}`).then((r) => r.status)
    expect(await check(`?token=${f.host.token}`)).toBe(204)
    expect(await check('?token=nope')).toBe(401)
    expect(await check('')).toBe(401)
  })

  it('answers the token check only to GET from our Host and, when one is sent, our Origin; never cached', async () => {
    const f = await startFixture()
    const ours = `http://127.0.0.1:${f.host.port}`
    /** Status and headers of a raw HTTP request (fetch may not set Host). */
    const ask = (method: string, headers: Record<string, string>, token = f.host.token) =>
      new Promise<{ status: number; headers: IncomingMessage['headers'] }>((done, fail) => {
        const req = request({ host: '127.0.0.1', port: f.host.port, path: `/ipc/token?token=${token}`, method, headers }, (res) => {
          res.resume()
          done({ status: res.statusCode ?? 0, headers: res.headers })
        })
        req.on('error', fail)
        req.end()
      })
    // The positive controls: the right token, no Origin (a same-origin GET) or ours.
    expect((await ask('GET', {})).status).toBe(204)
    const good = await ask('GET', { origin: ours })
    expect(good.status).toBe(204)
    expect(good.headers['cache-control']).toBe('no-store')
    for (const method of ['POST', 'PUT', 'DELETE', 'HEAD']) {
      const r = await ask(method, { origin: ours })
      expect(r.status, method).toBe(405)
      if (method !== 'HEAD') expect(r.headers.allow, method).toBe('GET')
    }
    expect((await ask('GET', { origin: 'http://evil.example' })).status).toBe(403)
    expect((await ask('GET', { origin: 'null' })).status).toBe(403)
    expect((await ask('GET', { host: `evil.example:${f.host.port}` })).status).toBe(421)
    const wrong = await ask('GET', { origin: ours }, 'nope')
    expect(wrong.status).toBe(401)
    expect(wrong.headers['cache-control']).toBe('no-store')
  })

  it('prints a URL carrying the token in its hash', async () => {
    const f = await startFixture()
    expect(f.host.url).toBe(`http://127.0.0.1:${f.host.port}/#token=${f.host.token}`)
    expect(f.host.token.length).toBeGreaterThanOrEqual(32)
  })
})

describe('checkUpgrade', () => {
  const req = (url: string, headers: Record<string, string>) => ({ url, headers }) as unknown as IncomingMessage
  const ok = { host: '127.0.0.1:4000', origin: 'http://127.0.0.1:4000' }
  it('accepts our host, origin, path and token', () => {
    expect(checkUpgrade(req('/ipc?token=t0k', ok), 't0k', 4000)).toBeNull()
  })
  it('refuses a rebound Host, another path, a foreign origin and a wrong token, each with its status', () => {
    expect(checkUpgrade(req('/ipc?token=t0k', { ...ok, host: 'evil.example:4000' }), 't0k', 4000)?.status).toBe(421)
    expect(checkUpgrade(req('/other?token=t0k', ok), 't0k', 4000)?.status).toBe(404)
    expect(checkUpgrade(req('/ipc?token=t0k', { ...ok, origin: 'http://evil.example' }), 't0k', 4000)?.status).toBe(403)
    expect(checkUpgrade(req('/ipc?token=nope', ok), 't0k', 4000)?.status).toBe(401)
  })
})
