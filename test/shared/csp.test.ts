import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { cspMeta } from '../../electron.vite.config'
import { contentSecurityPolicy } from '../../src/shared/csp'
import { expectLockedDown } from './csp-helper'

describe('the one Content-Security-Policy', () => {
  it('Electron: locked down, and may connect nowhere (it talks over IPC)', () => {
    const d = expectLockedDown(contentSecurityPolicy({ kind: 'electron' }))
    expect(d.get('connect-src')).toEqual(["'none'"])
  })

  it("browser host: sockets only to its own port, under the two names it answers to", () => {
    const d = expectLockedDown(contentSecurityPolicy({ kind: 'web', port: 41234 }))
    expect(d.get('connect-src')).toEqual(["'self'", 'ws://127.0.0.1:41234', 'ws://localhost:41234'])
  })

  it("meta tag: the same rules without the header-only frame-ancestors, and 'self' as the only socket source", () => {
    const meta = contentSecurityPolicy({ kind: 'meta' })
    const d = expectLockedDown(meta, { meta: true })
    expect(d.get('connect-src')).toEqual(["'self'"])
    // Same text as the header, less the dropped directive: one source, not a restatement.
    const header = contentSecurityPolicy({ kind: 'web', port: 1 }).replace("connect-src 'self' ws://127.0.0.1:1 ws://localhost:1", "connect-src 'self'")
    expect(`${meta}; frame-ancestors 'none'`).toBe(header)
  })

  it('the build writes the meta first in <head> from the same function; index.html itself never states a policy', async () => {
    const plugin = cspMeta()
    const hook = plugin.transformIndexHtml as () => unknown
    expect(await hook()).toEqual([
      { tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: contentSecurityPolicy({ kind: 'meta' }) }, injectTo: 'head-prepend' },
    ])
    const source = readFileSync(resolve('src/renderer/index.html'), 'utf8')
    expect(source).not.toMatch(/http-equiv=["']?Content-Security-Policy/i)
  })
})
