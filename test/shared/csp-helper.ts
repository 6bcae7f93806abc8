import { expect } from 'vitest'

/** A policy's directives by name, each with its sources (the text browsers parse, CSP3 §2.2). */
export function parseCsp(policy: string): Map<string, string[]> {
  const directives = new Map<string, string[]>()
  for (const part of policy.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/)
    if (!name) continue
    expect(directives.has(name), `directive ${name} given twice (browsers ignore the second)`).toBe(false)
    directives.set(name.toLowerCase(), sources)
  }
  return directives
}

/**
 * The rules every delivered policy keeps: nothing by default, scripts from the app only (no
 * inline, no eval), no plugins, no <base>, no form posts; `frame-ancestors 'none'` unless it is
 * the meta variant (browsers ignore it there).
 */
export function expectLockedDown(policy: string, opts: { meta?: boolean } = {}): Map<string, string[]> {
  const d = parseCsp(policy)
  expect(d.get('default-src')).toEqual(["'none'"])
  expect(d.get('script-src')).toEqual(["'self'"])
  expect(d.get('object-src')).toEqual(["'none'"])
  expect(d.get('base-uri')).toEqual(["'none'"])
  expect(d.get('form-action')).toEqual(["'none'"])
  if (opts.meta) expect(d.has('frame-ancestors')).toBe(false)
  else expect(d.get('frame-ancestors')).toEqual(["'none'"])
  for (const [name, sources] of d) {
    for (const s of sources) expect(s, `${name} ${s}`).not.toMatch(/\*|unsafe-eval|^https?:$|^ws:$/)
  }
  return d
}
