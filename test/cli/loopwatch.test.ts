import { describe, expect, it } from 'vitest'
import { COMMANDS, loopwatch } from '../../src/main/cli/loopwatch'

async function run(args: string[]) {
  const out: string[] = []
  const err: string[] = []
  const status = await loopwatch(args, { out: (l) => out.push(l), err: (l) => err.push(l) })
  return { status, out: out.join('\n'), err: err.join('\n') }
}

describe('the loopwatch command', () => {
  it('lists its commands on --help (exit 0) and with none (exit 2, on stderr)', async () => {
    const help = await run(['--help'])
    expect(help.status).toBe(0)
    for (const name of Object.keys(COMMANDS)) expect(help.out).toMatch(new RegExp(`^  ${name} `, 'm'))
    const none = await run([])
    expect(none).toMatchObject({ status: 2, out: '' })
    expect(none.err).toMatch(/^usage: loopwatch <command>/)
  })

  it('refuses an unknown command, and a prototype key is not a command', async () => {
    expect(await run(['rn'])).toMatchObject({ status: 2, err: expect.stringMatching(/^loopwatch: unknown command "rn"/) })
    expect((await run(['constructor'])).status).toBe(2)
  })

  it('serve refuses an unknown option or a bad value with its usage, before starting anything', async () => {
    const typo = await run(['serve', '--prot', '80'])
    expect(typo.status).toBe(2)
    expect(typo.err).toMatch(/^loopwatch serve: Unknown option '--prot'/)
    expect(typo.err).toMatch(/usage: loopwatch serve \[--port N\]/)
    const bad = await run(['serve', '--port', 'http'])
    expect(bad).toMatchObject({ status: 2, err: expect.stringContaining('--port must be an integer from 0 to 65535, got "http"') })
  })

  it('scenario runs the scenario CLI: the course output, exit 0', async () => {
    const { status, out } = await run(['scenario', 'wait-for-timeout', '--virtual', '--no-history'])
    expect(status).toBe(0)
    expect(out).toBe('  1.000s  [main]  Problems with traffic_jams service')
  })

  it('run refuses a missing file, a file of another kind, and clashing options, with its usage (exit 2)', async () => {
    const none = await run(['run'])
    expect(none.status).toBe(2)
    expect(none.err).toMatch(/^loopwatch run: which file\?/)
    expect(none.err).toContain('usage: loopwatch run <file>')
    expect(await run(['run', 'package.json'])).toMatchObject({ status: 2, err: expect.stringMatching(/^loopwatch run: package.json: not a .ts, .mts, .js, .mjs file/) })
    expect(await run(['run', 'nowhere.ts'])).toMatchObject({ status: 2, err: expect.stringMatching(/^loopwatch run: nowhere.ts: no such file/) })
    expect((await run(['run', 'bin/loopwatch.mjs', '--virtual', '--speed', '2'])).err).toMatch(/--virtual and --speed exclude each other/)
    expect((await run(['run', 'bin/loopwatch.mjs', '--speed', '0'])).err).toMatch(/--speed takes a number above 0/)
    expect((await run(['run', '--help'])).status).toBe(0)
  })
})

