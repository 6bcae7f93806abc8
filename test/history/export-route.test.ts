import { request } from 'node:http'
import { describe, expect, it } from 'vitest'
import { AppCore } from '../../src/main/app/app-core'
import { startWebHost } from '../../src/main/host-web/server'
import type { WebHost } from '../../src/main/host-web/server'
import { createHandlers, dispatch } from '../../src/main/ipc/index'
import { afterEach } from 'vitest'
import { tempDataDir } from './helpers'
import { expectLockedDown } from '../shared/csp-helper'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

async function hostWithRun(lines: number): Promise<{ host: WebHost; core: AppCore; runId: number }> {
  const core = new AppCore({ dataDir: tempDataDir(), host: 'web' })
  const handlers = createHandlers(core)
  const host = await startWebHost({
    staticDir: tempDataDir(), port: 0, token: 'secret-token',
    dispatch: (c, p) => dispatch(handlers, c, p, () => {}), subscribe: core.events.subscribe.bind(core.events),
  })
  cleanups.push(async () => {
    await host.close()
    await core.close(500)
  })
  const runId = core.history.startRun({ scenario: 'exported', clock: 'virtual' })
  for (let i = 0; i < lines; i++) core.history.log(runId, { t: i, line: `line ${i}`, taskId: null, taskName: null, stream: 'stdout' })
  core.history.endRun(runId, { outcome: 'done' })
  return { host, core, runId }
}

interface Reply { status: number; headers: Record<string, string | string[] | undefined>; body: string; chunks: number }

function get(host: WebHost, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: host.port, path, method, headers }, (res) => {
      const parts: Buffer[] = []
      res.on('data', (b: Buffer) => parts.push(b))
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(parts).toString('utf8'), chunks: parts.length }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('the browser host streams exports over HTTP', () => {
  it('GET /export with the token streams the same file as the history builds, as an attachment', async () => {
    const { host, core, runId } = await hostWithRun(9000)
    for (const format of ['csv', 'json', 'trace'] as const) {
      const res = await get(host, `/export?runId=${runId}&format=${format}&token=secret-token`)
      expect(res.status).toBe(200)
      expect(res.headers['content-disposition']).toBe(`attachment; filename="loopwatch-run-${runId}.${format === 'trace' ? 'trace.json' : format}"`)
      expect(res.headers['content-type']).toBe(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8')
      expectLockedDown(String(res.headers['content-security-policy']))
      expect(res.body).toBe(await core.history.exportRun(runId, format))
      // Written page by page, not as one buffer.
      expect(res.chunks).toBeGreaterThan(1)
    }
    const doc = JSON.parse((await get(host, `/export?runId=${runId}&format=json&token=secret-token`)).body) as { logs: unknown[] }
    expect(doc.logs).toHaveLength(2000) // the cap: first and last 1,000
  })

  it('refuses like the WebSocket does: wrong or missing token, foreign Origin or Host, other methods, bad queries, unknown runs', async () => {
    const { host, runId } = await hostWithRun(3)
    const path = (q: string) => `/export?${q}`
    const ok = `runId=${runId}&format=csv`
    const cases: [string, Record<string, string>, string, number][] = [
      [path(`${ok}&token=secret-token`), {}, 'GET', 200],
      [path(`${ok}&token=wrong`), {}, 'GET', 401],
      [path(ok), {}, 'GET', 401],
      [path(`${ok}&token=secret-token`), { origin: 'http://evil.example' }, 'GET', 403],
      [path(`${ok}&token=secret-token`), { origin: `http://127.0.0.1:${host.port}` }, 'GET', 200],
      [path(`${ok}&token=secret-token`), { host: `evil.example:${host.port}` }, 'GET', 421],
      [path(`${ok}&token=secret-token`), {}, 'POST', 405],
      [path(`runId=abc&format=csv&token=secret-token`), {}, 'GET', 400],
      [path(`runId=${runId}&format=xml&token=secret-token`), {}, 'GET', 400],
      [path(`runId=${runId + 100}&format=csv&token=secret-token`), {}, 'GET', 404],
    ]
    for (const [p, headers, method, status] of cases) {
      const res = await get(host, p, headers, method)
      expect({ p, headers, method, status: res.status }).toEqual({ p, headers, method, status })
      if (status >= 400) expect(res.body.length).toBeLessThan(500)
    }
    const notFound = await get(host, path(`runId=${runId + 100}&format=csv&token=secret-token`))
    expect(JSON.parse(notFound.body)).toEqual({ code: 'not_found', message: `no run ${runId + 100} in the history` })
  })

  it('run:export in the browser host answers with the streamed download URL (no token in it)', async () => {
    const { host, core, runId } = await hostWithRun(2)
    const res = await dispatch(createHandlers(core), 'run:export', { runId, format: 'csv' })
    expect(res).toEqual({
      ok: true,
      value: { kind: 'download', filename: `loopwatch-run-${runId}.csv`, mime: 'text/csv; charset=utf-8', url: `/export?runId=${runId}&format=csv` },
    })
    expect((await get(host, `${(res as { value: { url: string } }).value.url}&token=secret-token`)).status).toBe(200)
  })
})
