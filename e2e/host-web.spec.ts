import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { expect, test } from './fixtures/index'

// The browser host's own defences, checked from a real Chromium: the WebSocket wants this start's
// token and our Origin, and answers malformed frames without acting on them.
test.describe('browser host security', () => {
  test.beforeEach(({ loopwatchHost }) => {
    test.skip(loopwatchHost !== 'web', 'browser-host checks: the Electron window has no WebSocket')
  })

  /** Tries a WebSocket from the page; 'open' or 'refused'. */
  const tryConnect = (url: string) =>
    new Promise<'open' | 'refused'>((done) => {
      const ws = new WebSocket(url)
      ws.onopen = () => {
        ws.close()
        done('open')
      }
      ws.onerror = () => done('refused')
    })

  test('a wrong or missing token is refused; the right one connects', async ({ app, page }) => {
    const web = app.web!
    const base = `ws://127.0.0.1:${web.port}/ipc`
    expect(await page.evaluate(tryConnect, `${base}?token=${web.token}`)).toBe('open')
    expect(await page.evaluate(tryConnect, `${base}?token=wrong-${web.token}`)).toBe('refused')
    expect(await page.evaluate(tryConnect, base)).toBe('refused')
  })

  test('an old link shows the token message, from the live host’s 401, and stops retrying', async ({ app, page, saveScreenshot }) => {
    const web = app.web!
    // What a person sees when they open the address with a stale token (a fresh load, not a hash change).
    await page.goto('about:blank')
    const sockets: string[] = []
    page.on('websocket', (ws) => sockets.push(ws.url()))
    const verdict = page.waitForResponse((r) => new URL(r.url()).pathname === '/ipc/token')
    await page.goto(`${web.origin}/#token=stale-token`)
    // The client's token check reached the running host, which refused this token.
    const check = await verdict
    expect(check.url()).toBe(`${web.origin}/ipc/token?token=stale-token`)
    expect(check.status()).toBe(401)
    expect(check.headers()['cache-control']).toBe('no-store')
    const alert = page.getByRole('alert')
    await expect(alert.getByRole('heading', { name: 'This link is old: Loopwatch refused its token' })).toBeVisible()
    await expect(alert).toContainText('Open the URL the host printed')
    await expect(alert).toContainText('HTTP 401')
    await expect(page.getByRole('banner').getByRole('status')).toHaveText('refused: this link is old — not retrying')
    await saveScreenshot('old-token')
    // Not retrying: past two backoff periods (250 ms, 500 ms) there was still only the one attempt.
    await page.waitForTimeout(1_500)
    expect(sockets).toEqual([`ws://127.0.0.1:${web.port}/ipc?token=stale-token`])
  })

  test('a host that went away is shown as unreachable, and the page keeps trying', async ({ app, page, saveScreenshot }) => {
    const connection = page.getByRole('banner').getByRole('status')
    await expect(page.getByRole('banner')).toContainText('no run yet')
    await expect(connection).toHaveCount(0)
    await app.web!.stop()
    await expect(connection).toHaveText('disconnected: Loopwatch is not reachable — retrying')
    await saveScreenshot('unreachable')
  })

  test('a page from another origin is refused even with the right token; our origin, same request, connects', async ({ app, page }) => {
    const web = app.web!
    const url = `ws://127.0.0.1:${web.port}/ipc?token=${web.token}`
    const foreign = createServer((_req, res) => res.end('<!doctype html><title>elsewhere</title>'))
    await new Promise<void>((done) => foreign.listen(0, '127.0.0.1', done))
    try {
      const { port } = foreign.address() as AddressInfo
      await page.goto(`http://127.0.0.1:${port}/`)
      expect(await page.evaluate(tryConnect, url)).toBe('refused')
    } finally {
      foreign.close()
    }
    // The positive control: the very same request from a page of our origin is accepted.
    await page.goto(`${web.origin}/`)
    expect(await page.evaluate(tryConnect, url)).toBe('open')
  })

  test('malformed frames get an error reply and change nothing', async ({ app, page, api }) => {
    const web = app.web!
    const replies = await page.evaluate(
      async ({ url, frames }) => {
        const ws = new WebSocket(url)
        await new Promise((done) => (ws.onopen = done))
        const out: unknown[] = []
        for (const frame of frames) {
          // Events may arrive between replies: wait for the next frame that is a reply.
          const reply = new Promise((done) => {
            ws.onmessage = (m) => {
              const f = JSON.parse(String(m.data))
              if ('id' in f) done(f)
            }
          })
          ws.send(frame)
          out.push(await reply)
        }
        ws.close()
        return out
      },
      {
        url: `ws://127.0.0.1:${web.port}/ipc?token=${web.token}`,
        frames: [
          'this is not json',
          '[1, 2, 3]',
          '{"channel": "daemons:list"}',
          '{"id": 5, "channel": "daemons:explode"}',
          '{"id": 6, "channel": "daemon:start", "payload": {"id": "heartbeat", "config": {"workers": "many"}}}',
          '{"id": 7, "channel": "daemon:start", "payload": {"id": "heartbeat", "extra": true}}',
        ],
      },
    )
    expect(replies).toEqual([
      expect.objectContaining({ id: null, ok: false, error: expect.objectContaining({ code: 'bad_request' }) }),
      expect.objectContaining({ id: null, ok: false, error: expect.objectContaining({ code: 'bad_request' }) }),
      expect.objectContaining({ id: null, ok: false, error: expect.objectContaining({ code: 'bad_request' }) }),
      expect.objectContaining({ id: 5, ok: false, error: expect.objectContaining({ code: 'unknown_channel' }) }),
      expect.objectContaining({ id: 6, ok: false, error: expect.objectContaining({ code: 'bad_request' }) }),
      expect.objectContaining({ id: 7, ok: false, error: expect.objectContaining({ code: 'bad_request' }) }),
    ])
    expect((await api.call('daemons:list')).filter((d) => d.running)).toEqual([])
  })

  test('static files carry the CSP and cannot reach outside the renderer folder', async ({ app, page }) => {
    const web = app.web!
    const index = await page.request.get(`${web.origin}/`)
    expect(index.headers()['content-security-policy']).toContain("script-src 'self'")
    for (const path of ['/..%2f..%2fpackage.json', '/%2e%2e/%2e%2e/package.json']) {
      const res = await page.request.get(`${web.origin}${path}`)
      expect(res.status(), path).toBeGreaterThanOrEqual(400)
    }
  })
})
