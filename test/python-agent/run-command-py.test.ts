// `loopwatch run program.py`: the Node CLI hands a .py file to CPython with the Python agent.
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { findPython, pythonCommand } from '../../src/main/cli/run-command'
import { appUrl } from '../../src/shared/agent-protocol/index'
import { eventually, startHub } from '../hub/hub-helper'
import { courseSources } from '../../src/main/scenarios/sources.generated'
import { DEBIAN_PYTHON, ROOT, compareTrace, missingModules, oracleDir, records } from './python-helper'

const dir = mkdtempSync(join(tmpdir(), 'lw-run-py-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const BIN = join(ROOT, 'bin/loopwatch.mjs')

function loopwatchRun(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, 'run', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, LOOPWATCH_APP: '', ...env } })
  return { status: r.status, out: r.stdout, err: r.stderr }
}

describe('findPython', () => {
  it('takes LOOPWATCH_PYTHON, else /usr/bin/python3, else python3 on PATH, else none', () => {
    expect(findPython({ LOOPWATCH_PYTHON: '/opt/py/bin/python3', PATH: '/bin' }, () => true)).toBe('/opt/py/bin/python3')
    expect(findPython({ PATH: '/a:/b' }, () => true)).toBe('/usr/bin/python3')
    expect(findPython({ PATH: '/a:/b' }, (p) => p === '/b/python3')).toBe('/b/python3')
    expect(findPython({ PATH: '/a:/b' }, () => false)).toBeNull()
  })
})

describe('pythonCommand', () => {
  it('runs the program as a child with its steps timed (slow steps, task:timing), before the file', () => {
    const cfg = { file: '/p/prog.py', name: 'prog.py', clock: 'real' as const, json: false, app: null, noApp: true, graceMs: 3000 }
    const { args } = pythonCommand(cfg, '/usr/bin/python3')
    expect(args.slice(0, 2)).toEqual(['-m', 'loopwatch_agent'])
    expect(args.indexOf('--step-timing')).toBeGreaterThan(1)
    expect(args.indexOf('--step-timing')).toBeLessThan(args.indexOf('/p/prog.py'))
    expect(args[args.indexOf('--role') + 1]).toBe('child')
  })
})

describe.skipIf(missingModules(DEBIAN_PYTHON, []) !== null)('loopwatch run program.py', () => {
  it('runs the course\'s graceful-cancel under CPython on virtual time; --json matches the oracle; exit 0', { timeout: 60_000 }, async () => {
    const file = join(dir, 'graceful_cancel.py')
    writeFileSync(file, courseSources['graceful-cancel']!.code + '\n')
    const r = loopwatchRun([file, '--virtual', '--json', '--no-app'])
    expect(r.status).toBe(0)
    const verdict = await compareTrace(join(oracleDir(), 'traces/graceful-cancel.jsonl'), r.out)
    expect(verdict.output).toMatch(/^OK /m)
    expect(records(r.out).at(-1)).toMatchObject({ t: 6000, exit: 0, outcome: 'done' })
  })

  it('passes the program\'s output and exit status through (a failing program: its traceback, exit 1)', { timeout: 60_000 }, () => {
    const file = join(dir, 'fails.py')
    writeFileSync(file, 'import asyncio\nasync def main():\n    print("before")\n    raise KeyError("k")\nasyncio.run(main())\n')
    const r = loopwatchRun([file, '--no-app'])
    expect(r.status).toBe(1)
    expect(r.out).toBe('before\n')
    expect(r.err).toMatch(/Traceback \(most recent call last\):\n {2}File ".*fails\.py", line 5, in <module>/)
    expect(r.err.trimEnd().split('\n').at(-1)).toBe("KeyError: 'k'")
    expect(r.err).not.toMatch(/loopwatch_agent|runpy/)
  })

  it('a .py program run with --app is a child source, as a TS program run so is (the app\'s graceful shutdown stops it)', { timeout: 60_000 }, async () => {
    const hub = await startHub()
    const file = join(dir, 'child.py')
    writeFileSync(file, 'import asyncio\nasync def main():\n    await asyncio.sleep(0.2)\n    print("over")\nasyncio.run(main())\n')
    // Not spawnSync: the hub in this process must answer while the run goes on.
    const child = spawn(process.execPath, [BIN, 'run', file, '--app', appUrl({ port: hub.port, token: hub.token })], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.setEncoding('utf8').on('data', (c: string) => void (out += c))
    const code = await new Promise<number | null>((done) => child.on('close', done))
    expect([code, out]).toEqual([0, 'over\n'])
    await eventually(() => hub.source('agent-1')?.state === 'exited', 10_000)
    expect(hub.source('agent-1')).toMatchObject({ name: 'child.py', role: 'child', runtime: { kind: 'python' }, exit: { code: 0, reason: 'finished' } })
  })

  it('says clearly when the chosen interpreter cannot be started', { timeout: 60_000 }, () => {
    const file = join(dir, 'ok.py')
    writeFileSync(file, 'print("hi")\n')
    const r = loopwatchRun([file, '--no-app'], { LOOPWATCH_PYTHON: join(dir, 'no-such-python') })
    expect(r.status).toBe(1)
    expect(r.err).toContain(`could not start ${join(dir, 'no-such-python')}`)
  })
})
