import { describe, expect, it } from 'vitest'
import { UsageError, parseCliArgs } from '../../src/main/cli/args'

describe('parseCliArgs', () => {
  it('reads a run with the virtual clock, JSON output and params', () => {
    expect(parseCliArgs(['graceful-cancel', '--virtual', '--json', '--params', '{"cancelAfter":2500}'])).toEqual({
      kind: 'run',
      id: 'graceful-cancel',
      clock: 'virtual',
      json: true,
      params: { cancelAfter: 2500 },
      dataDir: null,
      outDir: null,
      history: true,
      graceMs: 2000,
    })
  })

  it('runs in real time by default and scales the clock with --speed', () => {
    expect(parseCliArgs(['stats-daemon'])).toMatchObject({ clock: { speed: 1 } })
    expect(parseCliArgs(['stats-daemon', '--speed', '60'])).toMatchObject({ clock: { speed: 60 } })
  })

  it('reads the folders, --no-history and --grace', () => {
    expect(parseCliArgs(['users-csv', '--data-dir', 'd', '--out-dir', 'o', '--no-history', '--grace', '500'])).toMatchObject({
      dataDir: 'd',
      outDir: 'o',
      history: false,
      graceMs: 500,
    })
  })

  it('reads --list and --help', () => {
    expect(parseCliArgs(['--list'])).toEqual({ kind: 'list', json: false })
    expect(parseCliArgs(['--help'])).toEqual({ kind: 'help' })
  })

  it('refuses command lines it cannot run, saying why', () => {
    const cases: [string[], RegExp][] = [
      [[], /missing scenario id/],
      [['a', 'b'], /one scenario id expected/],
      [['x', '--virtual', '--speed', '2'], /exclude each other/],
      [['x', '--speed', '0'], /--speed must be a number above 0, got "0"/],
      [['x', '--speed', 'fast'], /--speed must be a number above 0/],
      [['x', '--params', '{oops'], /--params is not valid JSON/],
      [['x', '--params', '[1]'], /--params must be a JSON object/],
      [['x', '--frobnicate'], /Unknown option '--frobnicate'/],
      [['x', '--grace=-1'], /--grace must be a number of milliseconds/],
    ]
    for (const [argv, message] of cases) {
      expect(() => parseCliArgs(argv)).toThrow(UsageError)
      expect(() => parseCliArgs(argv)).toThrow(message)
    }
  })
})
