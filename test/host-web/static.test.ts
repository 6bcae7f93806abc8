import { request } from 'node:http'
import { describe, expect, it } from 'vitest'
import { resolveStatic } from '../../src/main/host-web/static-files'
import { expectLockedDown } from '../shared/csp-helper'
import { startFixture } from './web-host-helper'

/** A raw GET, so paths reach the server exactly as written (fetch would normalise `..`). */
function get(port: number, path: string, method = 'GET', headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c) => (body += c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('browser host static files', () => {
  it('serves index.html at / with the locked-down, port-limited CSP header and no caching', async () => {
    const f = await startFixture()
    const res = await get(f.host.port, '/')
    expect(res.status).toBe(200)
    expect(res.body).toContain('<title>Loopwatch</title>')
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8')
    // The locked-down policy, its sockets limited to this host's own port (no ws://127.0.0.1:*).
    const csp = expectLockedDown(String(res.headers['content-security-policy']))
    expect(csp.get('connect-src')).toEqual(["'self'", `ws://127.0.0.1:${f.host.port}`, `ws://localhost:${f.host.port}`])
    expect(res.headers['cache-control']).toBe('no-store')
    expect(res.headers['x-content-type-options']).toBe('nosniff')
  })

  it('serves scripts and styles with their MIME types', async () => {
    const f = await startFixture()
    expect((await get(f.host.port, '/assets/app-1.js')).headers['content-type']).toBe('text/javascript; charset=utf-8')
    expect((await get(f.host.port, '/assets/app-1.css')).headers['content-type']).toBe('text/css; charset=utf-8')
  })

  it('refuses to leave its root however the path is spelled', async () => {
    const f = await startFixture()
    for (const path of ['/../secret.txt', '/assets/../../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/..%5csecret.txt', '/%00', '/%E0%A4%A']) {
      const res = await get(f.host.port, path)
      expect(res.status, path).toBeGreaterThanOrEqual(400)
      expect(res.body, path).not.toContain('outside the root')
    }
  })

  it('answers 404 for missing files and folders, and 405 for other methods', async () => {
    const f = await startFixture()
    expect((await get(f.host.port, '/nope.js')).status).toBe(404)
    expect((await get(f.host.port, '/assets')).status).toBe(404)
    expect((await get(f.host.port, '/', 'POST')).status).toBe(405)
  })

  it('refuses a foreign Host header (a DNS name rebound to 127.0.0.1) with 421', async () => {
    const f = await startFixture()
    expect((await get(f.host.port, '/', 'GET', { Host: `evil.example:${f.host.port}` })).status).toBe(421)
    expect((await get(f.host.port, '/', 'GET', { Host: `localhost:${f.host.port}` })).status).toBe(200)
  })

  it('resolves paths inside the root only', () => {
    expect(resolveStatic('/srv/r', '/')).toBe('/srv/r/index.html')
    expect(resolveStatic('/srv/r', '/a/b.js')).toBe('/srv/r/a/b.js')
    expect(resolveStatic('/srv/r', '/a/../../x')).toBeNull()
    expect(resolveStatic('/srv/r', '/%2e%2e/x')).toBeNull()
  })
})
