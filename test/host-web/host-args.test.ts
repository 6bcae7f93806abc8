import { describe, expect, it } from 'vitest'
import { DEFAULT_PORT, parseHostArgs } from '../../src/main/app/host-args'

describe('host command line', () => {
  it('reads port, data dir, grace and daemon rate', () => {
    expect(parseHostArgs(['--port', '0', '--data-dir', '/tmp/lw', '--grace-ms', '250', '--daemon-rate', '60'])).toEqual({
      port: 0,
      dataDir: '/tmp/lw',
      graceMs: 250,
      daemonRate: 60,
    })
  })
  it('defaults to the fixed port and the platform data dir', () => {
    expect(parseHostArgs([])).toMatchObject({ port: DEFAULT_PORT, dataDir: null })
  })
  it('ignores options it does not know (Electron passes its own)', () => {
    expect(parseHostArgs(['.', '--no-sandbox', '--port=7000']).port).toBe(7000)
  })
  it('names the option and the rule when a value is bad', () => {
    expect(() => parseHostArgs(['--port', 'http'])).toThrow('--port must be an integer from 0 to 65535, got "http"')
    expect(() => parseHostArgs(['--port', '70000'])).toThrow('--port')
    expect(() => parseHostArgs(['--grace-ms', '-1'])).toThrow('--grace-ms')
  })
})
