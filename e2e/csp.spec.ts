import type { AddressInfo } from 'node:net'
import type { Response } from '@playwright/test'
import { WebSocketServer } from 'ws'
import { contentSecurityPolicy } from '../src/shared/csp'
import { expect, test } from './fixtures/index'
import { ui } from './ui'

// The one CSP (src/shared/csp.ts) as a real Chromium enforces it: the app loads without a single
// violation, and what the policy forbids is refused while the host's own socket still opens.

/** The little of the page's globals this spec uses (the Node type check has no DOM library). */
interface PageGlobals {
  cspViolations: string[]
  inlineRan?: boolean
  document: {
    createElement(tag: 'script'): { textContent: string }
    head: { append(node: unknown): void }
    addEventListener(type: 'securitypolicyviolation', listener: (e: { effectiveDirective: string; blockedURI: string }) => void): void
  }
}

/** Runs in the page: tries each thing the policy must refuse, and our own socket as a control. */
async function probe({ otherPort, own }: { otherPort: number; own: string | null }) {
  const open = (url: string) =>
    new Promise<string>((done) => {
      const ws = new WebSocket(url)
      ws.onopen = () => (ws.close(), done('open'))
      ws.onerror = () => done('refused')
    })
  const other = await open(`ws://127.0.0.1:${otherPort}/ipc`)
  const ownSocket = own ? await open(own) : null
  const fetched = await fetch('https://example.com/').then(() => 'fetched', () => 'refused')
  const w = globalThis as unknown as PageGlobals
  const script = w.document.createElement('script')
  script.textContent = 'window.inlineRan = true'
  w.document.head.append(script)
  let evaluated = 'ran'
  try {
    new Function('return 1')()
  } catch {
    evaluated = 'refused'
  }
  await new Promise((r) => setTimeout(r, 100))
  const violations = [...new Set(w.cspViolations.map((v) => v.split(' ')[0]))].sort()
  return { other, ownSocket, fetched, inline: w.inlineRan ? 'ran' : 'refused', evaluated, violations }
}

test.describe('content security policy', () => {
  // The fixture has loaded the page already: reload, recording violations from the first byte.
  let response: Response | null = null
  test.beforeEach(async ({ page }) => {
    await page.addInitScript(() => {
      const w = globalThis as unknown as PageGlobals
      w.cspViolations = []
      w.document.addEventListener('securitypolicyviolation', (e) => w.cspViolations.push(`${e.effectiveDirective} ${e.blockedURI}`))
    })
    response = await page.reload()
    await expect(ui(page).runButton('run-non-coroutine')).toBeVisible()
  })

  test('the app loads with no violation, under the meta tag the build wrote and (browser host) the port-limited header', async ({ app, page, saveScreenshot }) => {
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).cspViolations)).toEqual([])
    await expect(page.locator('meta[http-equiv="Content-Security-Policy"]')).toHaveAttribute('content', contentSecurityPolicy({ kind: 'meta' }))
    if (app.web) expect(response?.headers()['content-security-policy']).toBe(contentSecurityPolicy({ kind: 'web', port: app.web.port }))
    await saveScreenshot('loaded-under-csp')
  })

  test('a socket to another local port, a foreign fetch, inline script and eval are refused; our own socket opens', async ({ app, page }) => {
    // A live socket server on another port of 127.0.0.1: only the policy can keep the page from it.
    const other = new WebSocketServer({ host: '127.0.0.1', port: 0 })
    await new Promise((r) => other.once('listening', r))
    const otherPort = (other.address() as AddressInfo).port
    const own = app.web ? `ws://127.0.0.1:${app.web.port}/ipc?token=${app.web.token}` : null
    try {
      expect(await page.evaluate(probe, { otherPort, own })).toEqual({
        other: 'refused',
        ownSocket: app.web ? 'open' : null,
        fetched: 'refused',
        inline: 'refused',
        evaluated: 'refused',
        violations: ['connect-src', 'script-src', 'script-src-elem'],
      })
      expect(other.clients.size).toBe(0)
    } finally {
      other.close()
    }
  })
})
