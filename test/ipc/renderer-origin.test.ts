import { describe, expect, it } from 'vitest'
import { isOwnRenderer } from '../../src/main/app/renderer-origin'

const index = '/opt/loopwatch/out/renderer/index.html'

describe('isOwnRenderer', () => {
  it('accepts our file:// index.html, with or without a hash', () => {
    expect(isOwnRenderer('file:///opt/loopwatch/out/renderer/index.html', index)).toBe(true)
    expect(isOwnRenderer('file:///opt/loopwatch/out/renderer/index.html#/history', index)).toBe(true)
  })
  it('refuses other pages, other files, other schemes and nothing', () => {
    expect(isOwnRenderer('https://evil.example/index.html', index)).toBe(false)
    expect(isOwnRenderer('file:///opt/loopwatch/out/renderer/other.html', index)).toBe(false)
    expect(isOwnRenderer('file:///tmp/index.html', index)).toBe(false)
    expect(isOwnRenderer('file://host/opt/loopwatch/out/renderer/index.html', index)).toBe(false)
    expect(isOwnRenderer('about:blank', index)).toBe(false)
    expect(isOwnRenderer(undefined, index)).toBe(false)
    expect(isOwnRenderer('not a url', index)).toBe(false)
  })
})
