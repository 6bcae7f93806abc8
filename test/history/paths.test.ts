import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { defaultDataDir } from '../../src/main/paths'

describe('defaultDataDir', () => {
  it('follows XDG_CONFIG_HOME on Linux, like Electron userData', () => {
    expect(defaultDataDir('linux', { XDG_CONFIG_HOME: '/x/cfg' }, '/home/ana')).toBe(join('/x/cfg', 'loopwatch'))
  })

  it('falls back to ~/.config on Linux without XDG_CONFIG_HOME', () => {
    expect(defaultDataDir('linux', {}, '/home/ana')).toBe(join('/home/ana', '.config', 'loopwatch'))
  })

  it('uses Application Support on macOS', () => {
    expect(defaultDataDir('darwin', {}, '/Users/ana')).toBe(join('/Users/ana', 'Library', 'Application Support', 'loopwatch'))
  })

  it('uses APPDATA on Windows', () => {
    expect(defaultDataDir('win32', { APPDATA: 'C:\\Users\\ana\\AppData\\Roaming' }, 'C:\\Users\\ana')).toBe(
      join('C:\\Users\\ana\\AppData\\Roaming', 'loopwatch'),
    )
  })
})
