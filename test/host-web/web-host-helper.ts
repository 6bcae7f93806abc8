import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach } from 'vitest'
import WebSocket from 'ws'
import type { EventName, Result } from '../../src/shared/contract'
import { startWebHost } from '../../src/main/host-web/server'
import type { WebHost } from '../../src/main/host-web/server'

export interface Fixture {
  host: WebHost
  root: string
  calls: { channel: unknown; payload: unknown }[]
  emit: (event: EventName, payload: unknown) => void
}

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

/** A web host over a temp folder of static files, with a dispatcher that records its calls. */
export async function startFixture(dispatch?: (channel: unknown, payload: unknown) => Promise<Result<unknown>>): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'lw-web-'))
  const root = join(dir, 'renderer')
  mkdirSync(join(root, 'assets'), { recursive: true })
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>Loopwatch</title>')
  writeFileSync(join(root, 'assets', 'app-1.js'), 'console.log(1)')
  writeFileSync(join(root, 'assets', 'app-1.css'), 'body{}')
  writeFileSync(join(dir, 'secret.txt'), 'outside the root')
  const calls: Fixture['calls'] = []
  const listeners = new Set<(e: EventName, p: unknown) => void>()
  const host = await startWebHost({
    staticDir: root,
    port: 0,
    dispatch:
      dispatch ??
      (async (channel, payload) => {
        calls.push({ channel, payload })
        return { ok: true, value: { echoed: channel } }
      }),
    subscribe: (l) => {
      listeners.add(l)
      return () => listeners.delete(l)
    },
  })
  cleanups.push(async () => {
    await host.close()
    rmSync(dir, { recursive: true, force: true })
  })
  return { host, root, calls, emit: (e, p) => listeners.forEach((l) => l(e, p)) }
}

/** Opens a socket; resolves with it when open, or rejects with the HTTP status it was refused with. */
export function connect(host: WebHost, opts: { token?: string | null; origin?: string | null } = {}): Promise<WebSocket> {
  const token = opts.token === undefined ? host.token : opts.token
  const origin = opts.origin === undefined ? `http://127.0.0.1:${host.port}` : opts.origin
  const url = `ws://127.0.0.1:${host.port}/ipc${token === null ? '' : `?token=${encodeURIComponent(token)}`}`
  const ws = new WebSocket(url, origin === null ? {} : { origin })
  cleanups.push(() => ws.terminate())
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws))
    ws.once('unexpected-response', (_req, res) => reject(new Error(`refused ${res.statusCode}`)))
    ws.once('error', reject)
  })
}

/** The next JSON frame the socket receives. */
export function nextFrame(ws: WebSocket): Promise<Record<string, unknown>> {
  return new Promise((resolve) => ws.once('message', (data) => resolve(JSON.parse(String(data)))))
}
