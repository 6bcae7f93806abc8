// `loopwatch run <file>` end to end: real child processes, programs in a temp dir outside the repo.
import { spawn, spawnSync } from 'node:child_process'
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { appUrl } from '../../src/shared/agent-protocol/index'
import { eventually, startHub } from '../hub/hub-helper'
import { compareTrace, oracleDir, repoRoot } from '../scenarios/helpers'
import { alive } from '../support/processes'

const dir = mkdtempSync(join(tmpdir(), 'lw-run-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const BIN = join(repoRoot, 'bin/loopwatch.mjs')
const TIMEOUT = 60_000

function program(name: string, text: string): string {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}

/** `loopwatch run …` as a process, to its end. */
function loopwatchRun(args: string[], opts: { npx?: boolean } = {}) {
  const [cmd, argv] = opts.npx ? ['npx', ['loopwatch', 'run', ...args]] : [process.execPath, [BIN, 'run', ...args]]
  const r = spawnSync(cmd as string, argv as string[], { cwd: repoRoot, encoding: 'utf8', timeout: TIMEOUT, env: { ...process.env, LOOPWATCH_APP: '' } })
  return { status: r.status, out: r.stdout, err: r.stderr }
}

/** Starts `loopwatch run …` and resolves once its stdout has a line matching `ready`. */
function startRun(args: string[], ready: RegExp) {
  const child = spawn(process.execPath, [BIN, 'run', ...args], { cwd: repoRoot, env: { ...process.env, LOOPWATCH_APP: '' } })
  let out = ''
  let err = ''
  child.stdout.setEncoding('utf8').on('data', (c: string) => void (out += c))
  child.stderr.setEncoding('utf8').on('data', (c: string) => void (err += c))
  const exited = new Promise<number | null>((done) => child.on('close', (code) => done(code)))
  return {
    child,
    ready: eventually(() => ready.test(out), 20_000),
    end: async () => ({ status: await exited, out, err }),
  }
}

describe('loopwatch run', () => {
  it('npx loopwatch run: a .ts file outside the repo imports loopwatch, top-level await works, the exit status is its own', { timeout: TIMEOUT }, () => {
    const file = program(
      'hello.ts',
      `import { createTask, gather, run, sleep } from 'loopwatch'
const names: string[] = ['a', 'b']
const results = await run(async () => gather(names.map((n, i) => createTask(async () => { await sleep(1000 * (i + 1)); return n.toUpperCase() }, { name: n }))))
console.log('got', results.join(','))
process.exitCode = 3
`,
    )
    const r = loopwatchRun([file, '--virtual', '--no-app'], { npx: true })
    expect(r.out).toBe('got A,B\n')
    expect(r.status).toBe(3)
  })

  it('a file outside the repo imports a package only the repo has (faker, csv-stringify); an unknown package fails naming it', { timeout: TIMEOUT }, () => {
    const file = program(
      'deps.ts',
      `import { run } from 'loopwatch'
import { Faker, en } from '@faker-js/faker'
import { stringify } from 'csv-stringify/sync'
const faker = new Faker({ locale: [en], seed: 1 })
await run(async () => console.log(stringify([[typeof faker.person.firstName(), 'ok']]).trim()))
`,
    )
    const r = loopwatchRun([file, '--no-app'])
    expect(r.err).toBe('')
    expect(r.out).toBe('string,ok\n')
    expect(r.status).toBe(0)
    const missing = program('missing.ts', `import 'no-such-package-xyz'\n`)
    const m = loopwatchRun([missing, '--no-app'])
    expect(m.status).toBe(1)
    expect(m.err).toContain("no-such-package-xyz")
  })

  // graceful-cancel.ts is the course port a learner opens (programs/course/); the others try each extension.
  for (const fixture of ['programs/course/graceful-cancel.ts', 'test/agent/programs/workers-heartbeat.mts', 'test/agent/programs/wait-for-timeout.mjs', 'test/agent/programs/wait-all-completed.js']) {
    const id = basename(fixture).replace(/\.[a-z]+$/, '')
    it(`--virtual --json: ${fixture}, a plain user program, prints what CPython prints (compare.py)`, { timeout: TIMEOUT }, () => {
      const file = join(dir, basename(fixture))
      copyFileSync(join(repoRoot, fixture), file)
      const r = loopwatchRun([file, '--virtual', '--json', '--no-app'])
      expect(r.err).toBe('')
      expect(r.status).toBe(0)
      const verdict = compareTrace(join(oracleDir, 'traces', `${id}.jsonl`), r.out)
      expect(verdict.report).toMatch(/^OK /m)
      expect(verdict.status).toBe(0)
      // Lines are attributed to the task that printed them.
      const lines = r.out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>).filter((rec) => 'line' in rec)
      expect(lines.every((rec) => typeof rec.task === 'string' && typeof rec.taskId === 'number')).toBe(true)
    })
  }

  it('a program that does not compile: file:line:col of the error, exit 1', { timeout: TIMEOUT }, () => {
    const file = program('broken.ts', `import { run } from 'loopwatch'\nconst x: number = 1\nconst y = (x +\n`)
    const r = loopwatchRun([file, '--no-app'])
    expect(r.status).toBe(1)
    expect(r.err).toContain(`loopwatch run: ${file} does not compile:`)
    expect(r.err).toMatch(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4:1: error: `))
  })

  it('a program that throws: its error, exit 1; one that never calls run: says so, exit 1', { timeout: TIMEOUT }, () => {
    const thrower = program('thrower.mjs', `import { run, sleep } from 'loopwatch'\nawait run(async () => { await sleep(5); throw new RangeError('out of beans') })\n`)
    const r = loopwatchRun([thrower, '--no-app'])
    expect(r.status).toBe(1)
    expect(r.err).toMatch(/^loopwatch run: the program threw RangeError: out of beans/m)
    const json = loopwatchRun([thrower, '--no-app', '--virtual', '--json'])
    expect(json.out.trim().split('\n').at(-1)).toBe('{"t":5,"exit":1,"outcome":"failed","error":"RangeError: out of beans"}')
    const idle = program('idle.js', `console.log('hello')\n`)
    const n = loopwatchRun([idle, '--no-app'])
    expect(n).toMatchObject({ status: 1, out: 'hello\n' })
    expect(n.err).toContain(`${idle} never called run()`)
  })

  it('Stop (SIGTERM) of a program on sleeps: graceful, its cleanup runs, exit 130', { timeout: TIMEOUT }, async () => {
    const file = program(
      'looper.ts',
      `import { CancelledError, run, sleep } from 'loopwatch'
await run(async () => {
  console.log('looping')
  try { for (;;) await sleep(50) } catch (e) { if (e instanceof CancelledError) console.log('cleaned up'); throw e }
})
`,
    )
    const run = startRun([file, '--no-app', '--grace-ms', '2000'], /looping/)
    await run.ready
    run.child.kill('SIGTERM')
    const r = await run.end()
    expect(r.out).toBe('looping\ncleaned up\n')
    expect(r.err).toContain('looper.ts stopped gracefully within its grace (exit 130)')
    expect(r.status).toBe(130)
  })

  it('Stop of a `while (true) {}`: killed after its grace, says so, and the child is gone', { timeout: TIMEOUT }, async () => {
    const file = program('spin.ts', `import { run } from 'loopwatch'\nawait run(async () => { console.log('pid', process.pid); for (;;) {} })\n`)
    const run = startRun([file, '--no-app', '--grace-ms', '300'], /pid \d+/)
    await run.ready
    const started = Date.now()
    run.child.kill('SIGTERM')
    const r = await run.end()
    expect(Date.now() - started).toBeLessThan(5_000)
    expect(r.err).toContain('spin.ts did not stop within its 300 ms grace (is its thread blocked, e.g. by a synchronous loop?): killed it (SIGKILL)')
    expect(r.status).toBe(137)
    const pid = Number(/pid (\d+)/.exec(r.out)![1])
    expect(alive(pid)).toBe(false)
  })

  it('with a hub running: the run is a source, its tasks and their printed lines appear, and it exits with its code', { timeout: TIMEOUT }, async () => {
    const hub = await startHub()
    const file = program(
      'service.ts',
      `import { createTask, run, sleep } from 'loopwatch'
await run(async () => {
  await createTask(async () => { console.log('fetched 3 rows'); await sleep(300) }, { name: 'fetcher' })
})
`,
    )
    const run = startRun([file, '--app', appUrl(hub)], /fetched/)
    const r = await run.end()
    expect(r).toMatchObject({ status: 0, out: 'fetched 3 rows\n' })
    await eventually(() => hub.sources()[0]?.state === 'exited')
    const source = hub.sources()[0]!
    expect(source).toMatchObject({ name: basename(file), role: 'child', clock: { kind: 'real' }, exit: { code: 0, reason: 'finished' } })
    const fetcher = hub.tasks(source.id).find((t) => t.task.name === 'fetcher')!.task
    expect(fetcher.state).toBe('done')
    expect(hub.logs(source.id)).toContainEqual(expect.objectContaining({ line: 'fetched 3 rows', taskId: fetcher.id }))
  })

  it('with a hub running: a program that calls process.exit(3) mid-task reads exited (code 3), not lost', { timeout: TIMEOUT }, async () => {
    const hub = await startHub()
    const file = program(
      'quits.ts',
      `import { createTask, run, sleep } from 'loopwatch'
await run(async () => {
  await createTask(async () => { console.log('quitting'); await sleep(100); process.exit(3) }, { name: 'quitter' })
  await sleep(60_000)
})
`,
    )
    const r = await startRun([file, '--app', appUrl(hub)], /quitting/).end()
    expect(r.status).toBe(3)
    await eventually(() => hub.sources()[0]?.state !== 'connected')
    expect(hub.sources()[0]).toMatchObject({ state: 'exited', exit: { code: 3 } })
  })

  it('with a hub running: Stop from the hub shuts the run down gracefully, answers its report, and the child exits 130', { timeout: TIMEOUT }, async () => {
    const hub = await startHub()
    const file = program(
      'poller.ts',
      `import { CancelledError, createTask, run, sleep } from 'loopwatch'
await run(async () => {
  await createTask(async () => {
    console.log('polling')
    try { for (;;) await sleep(50) } catch (e) { if (e instanceof CancelledError) console.log('poller: cleaned up'); throw e }
  }, { name: 'poller' })
})
`,
    )
    const run = startRun([file, '--app', appUrl(hub)], /polling/)
    await run.ready
    await eventually(() => hub.sources().length === 1 && hub.tasks(hub.sources()[0]!.id).some((t) => t.task.name === 'poller'))
    const id = hub.sources()[0]!.id
    const outcome = await hub.sendCommand(id, { type: 'stop', graceMs: 2_000 })
    expect(outcome).toMatchObject({ ok: true, value: { forced: [] } })
    const r = await run.end()
    expect(r.out).toBe('polling\npoller: cleaned up\n')
    expect(r.status).toBe(130)
    await eventually(() => hub.source(id)?.state === 'exited')
  })

  it('with the agent on and no app listening, the program prints and exits exactly as with --no-app, without waiting', { timeout: TIMEOUT }, () => {
    const file = join(dir, 'wh-agent.mts')
    copyFileSync(join(repoRoot, 'test/agent/programs/workers-heartbeat.mts'), file)
    const headless = loopwatchRun([file, '--virtual', '--no-app'])
    const started = Date.now()
    const withAgent = loopwatchRun([file, '--virtual', '--app', 'tcp://127.0.0.1:1?token=nobody'])
    expect(withAgent).toEqual(headless)
    expect(headless.status).toBe(0)
    expect(headless.out.split('\n').filter(Boolean)).toHaveLength(8)
    expect(Date.now() - started).toBeLessThan(15_000)
  })
})

