// The course's own Python run from the window's commands, on a real app core: validated ids, the
// text verbatim in a private 0600 file, a real CPython child with the agent that connects to the
// app's hub as a child source, the course's own failures shown as lines, Stop and close ending it,
// and the stdin pipe that takes it down when the app is gone.
import { existsSync, mkdtempSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { CoursePythonRun } from '../../src/shared/course-python-contract'
import { PROGRAM_LIMITS } from '../../src/shared/program-contract'
import type { LogLine, SourceInfo, TaskDelta } from '../../src/shared/snapshots'
import { pythonChildSpawner } from '../../src/main/course-python/python-child'
import { courseSources } from '../../src/main/scenarios/sources.generated'
import { openApp } from '../ipc/app-helper'
import { alive } from '../support/processes'

const PYTHON = '/usr/bin/python3'
const noPython = !existsSync(PYTHON)

type App = ReturnType<typeof openApp>
const logs = (app: App): LogLine[] => app.events.filter((e) => e.event === 'tasks:delta').flatMap((e) => (e.payload as TaskDelta).logs)
const sourceOf = (app: App, id: string | null): SourceInfo | undefined => app.core.sources.list().find((s) => s.id === id)
const runOf = (app: App, runKey: number): CoursePythonRun | undefined => app.core.coursePython.list().find((r) => r.runKey === runKey)
const tasksNamed = (app: App, name: string) => [...app.view().values()].filter((t) => t.name === name && t.loop.startsWith('agent-'))
/** A source's loops are `agent-1/<loop>`; lines printed outside every loop carry just `agent-1`. */
const ofSource = (loop: string, sourceId: string | null) => loop === sourceId || loop.startsWith(`${sourceId}/`)

describe('coursePython:* validation', () => {
  it('refuses a malformed id or clock (bad_request) and an id outside the course (not_found), starting nothing', async () => {
    const app = openApp()
    for (const payload of [{ id: '../etc/passwd' }, { id: 'x'.repeat(101) }, { id: 'graceful-cancel', clock: 'fast' }, { id: 'graceful-cancel', clock: { speed: 0 } }, { id: 'graceful-cancel', extra: 1 }, {}, []]) {
      expect(await app.call('coursePython:run', payload), JSON.stringify(payload)).toMatchObject({ ok: false, error: { code: 'bad_request' } })
    }
    expect(await app.call('coursePython:run', { id: 'no-such-program' })).toMatchObject({ ok: false, error: { code: 'not_found', message: expect.stringContaining('graceful-cancel') } })
    expect(await app.call('coursePython:status', { x: 1 })).toMatchObject({ ok: false, error: { code: 'bad_request' } })
    expect(await app.ok('coursePython:list')).toEqual([])
  })
})

describe.skipIf(noPython)('the course’s Python as an app child (real CPython)', () => {
  it('graceful-cancel at 10×: a child source named after it, its tasks and lines, the text verbatim in a 0600 file, cleaned up after', async () => {
    const app = openApp()
    const status = await app.ok('coursePython:status')
    expect(status.python).toMatchObject({ path: PYTHON, problem: null })
    const run = await app.ok('coursePython:run', { id: 'graceful-cancel', clock: { speed: 10 } })
    expect(run).toMatchObject({ scenarioId: 'graceful-cancel', name: 'graceful-cancel.py', state: 'running' })
    const source = sourceOf(app, run.sourceId)!
    expect(source).toMatchObject({ name: 'graceful-cancel.py', role: 'child', runtime: { kind: 'python' }, clock: { kind: 'scaled', rate: 10 } })
    // The course's text, byte for byte, where only this user can read it.
    // It runs in its own private folder (the course's users-csv writes out.csv where it runs).
    const dir = realpathSync(`/proc/${run.pid}/cwd`)
    expect(dir).toMatch(/\/loopwatch-program-[^/]+$/)
    const file = join(dir, 'graceful-cancel.py')
    expect(readFileSync(file, 'utf8')).toBe(courseSources['graceful-cancel']!.code)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(statSync(dir).mode & 0o777).toBe(0o700)

    const ended = await app.until(() => runOf(app, run.runKey)?.state === 'exited' && runOf(app, run.runKey), 15_000)
    expect(ended.exit).toEqual({ code: 0, signal: null })
    // The course's db_operation catches its CancelledError and returns: done, with main's request on it.
    const op = await app.until(() => tasksNamed(app, 'db_operation').find((t) => t.state === 'done'), 5_000)
    expect(op.cancel).toMatchObject({ source: 'program', by: { name: 'main' } })
    expect(tasksNamed(app, 'main')[0]?.state).toBe('done')
    const lines = logs(app).filter((l) => ofSource(l.loop, run.sourceId)).map((l) => l.line)
    expect(lines.slice(0, 2)).toEqual(['operation start', 'operation new round'])
    expect(lines.slice(-2)).toEqual(['operation was cancelled', 'operation done'])
    await app.until(() => !existsSync(dir), 5_000)
    expect(app.events.some((e) => e.event === 'coursePython:changed')).toBe(true)
  })

  it('stats-daemon-run as written, on the virtual clock: NameError and its traceback reach the window as lines and on main, the run fails, the app goes on', async () => {
    const app = openApp()
    // Virtual: the program is over within milliseconds, often before the hub's welcome reaches the
    // agent — whose close still sends the tasks and the bye (agents/python/loopwatch_agent/hub.py).
    const run = await app.ok('coursePython:run', { id: 'stats-daemon-run', clock: 'virtual' })
    const ended = await app.until(() => runOf(app, run.runKey)?.state === 'exited' && runOf(app, run.runKey), 15_000)
    expect(ended.exit?.code).toBe(1)
    const main = await app.until(() => tasksNamed(app, 'main').find((t) => t.state === 'failed' && t.loop.startsWith(`${run.sourceId}/`)), 5_000)
    expect(main.error).toMatchObject({ name: 'NameError', message: "name 'time' is not defined" })
    expect(main.endedAt?.loop).toBe(60_000)
    const err = await app.until(() => {
      const l = logs(app).filter((x) => x.stream === 'stderr' && ofSource(x.loop, run.sourceId)).map((x) => x.line)
      return l.some((x) => x.startsWith('NameError')) && l
    }, 5_000)
    expect(err).toContain('Traceback (most recent call last):')
    expect(err).toContain("NameError: name 'time' is not defined")
    expect(err.join('\n')).toContain('stats-daemon-run.py')
    await app.until(() => sourceOf(app, run.sourceId)?.state === 'exited', 5_000)
    expect(sourceOf(app, run.sourceId)).toMatchObject({ exit: { code: 1, reason: 'failed' } })
    expect((await app.ok('app:snapshot')).host).toBe('web')
  })

  it('stats-daemon as written: its worker task fails of NameError at 60 s with the traceback; the loop idles on until the virtual stop', async () => {
    const app = openApp()
    const run = await app.ok('coursePython:run', { id: 'stats-daemon', clock: 'virtual' })
    const ended = await app.until(() => runOf(app, run.runKey)?.exit && runOf(app, run.runKey), 15_000)
    expect(ended.exit).toEqual({ code: 130, signal: null })
    const worker = await app.until(() => tasksNamed(app, 'worker').find((t) => t.state === 'failed' && t.loop.startsWith(`${run.sourceId}/`)), 5_000)
    expect(worker.error).toMatchObject({ name: 'NameError', message: "name 'time' is not defined" })
    expect(worker.error?.stack).toContain('stats-daemon.py')
    expect(worker.endedAt?.loop).toBe(60_000)
  })

  it('workers-heartbeat: Stop from the Sources list (source:stop) cancels every task and ends the child gracefully', async () => {
    const app = openApp()
    const run = await app.ok('coursePython:run', { id: 'workers-heartbeat' })
    await app.until(() => [...app.view().values()].filter((t) => ofSource(t.loop, run.sourceId)).length >= 4, 10_000)
    const report = await app.ok('source:stop', { sourceId: run.sourceId!, graceMs: 2000 })
    expect(report).toMatchObject({ how: 'graceful' })
    expect(report.finished.length + report.forced.length).toBeGreaterThanOrEqual(4)
    const ended = await app.until(() => runOf(app, run.runKey)?.exit && runOf(app, run.runKey), 5_000)
    expect(ended).toMatchObject({ state: 'exited', stoppedHow: 'graceful' })
    expect(alive(run.pid!)).toBe(false)
    const tasks = [...app.view().values()].filter((t) => ofSource(t.loop, run.sourceId))
    expect(tasks.every((t) => t.state === 'cancelled')).toBe(true)
  })

  it('workers-heartbeat on the virtual clock ends by itself where its port’s iterations end (--stop-at 1.5 s)', async () => {
    const app = openApp()
    const run = await app.ok('coursePython:run', { id: 'workers-heartbeat', clock: 'virtual' })
    const ended = await app.until(() => runOf(app, run.runKey)?.exit && runOf(app, run.runKey), 15_000)
    expect(ended.exit).toEqual({ code: 130, signal: null })
    const tasks = await app.until(() => {
      const list = [...app.view().values()].filter((t) => ofSource(t.loop, run.sourceId))
      return list.length === 4 && list.every((t) => t.state === 'cancelled') && list
    }, 5_000)
    expect(tasks.map((t) => t.cancel?.source)).toEqual(['shutdown', 'shutdown', 'shutdown', 'shutdown'])
    const lines = logs(app).filter((l) => ofSource(l.loop, run.sourceId) && l.stream === 'stdout').map((l) => l.line)
    expect(lines).toEqual(['main msg', 'worker-1 msg', 'worker-2 msg', 'worker-3 msg', 'main msg', 'worker-1 msg', 'worker-2 msg', 'worker-3 msg'])
  })

  it('at most 8 run at once (the 9th is busy, starting nothing); an app that closes kills them all and refuses new runs', async () => {
    const app = openApp()
    const runs: CoursePythonRun[] = []
    for (let i = 0; i < PROGRAM_LIMITS.maxRunning; i++) runs.push(await app.ok('coursePython:run', { id: 'workers-heartbeat' }))
    expect(await app.call('coursePython:run', { id: 'graceful-cancel' })).toMatchObject({ ok: false, error: { code: 'busy', message: '8 course Python programs are running already: stop one first' } })
    expect(app.core.coursePython.list()).toHaveLength(PROGRAM_LIMITS.maxRunning)
    expect(runs.every((r) => alive(r.pid!))).toBe(true)
    await app.core.close(200)
    await app.until(() => runs.every((r) => !alive(r.pid!)), 10_000)
    expect(await app.call('coursePython:run', { id: 'workers-heartbeat' })).toMatchObject({ ok: false, error: { code: 'shutting_down' } })
  })

  it('the stdin pipe: when the app (its write end) is gone, the child kills itself', async () => {
    const cfg = { file: '/dev/null', name: 'x.py', clock: 'real' as const, json: false, app: null, noApp: true, graceMs: 1000 }
    const dir = mkdtempSync(join(tmpdir(), 'lw-py-stdin-'))
    cfg.file = `${dir}/forever.py`
    writeFileSync(cfg.file, 'import asyncio\nasync def main():\n    while True:\n        await asyncio.sleep(1)\nasyncio.run(main())\n')
    const child = pythonChildSpawner(PYTHON)(cfg)
    const exited = new Promise<[number | null, string | null]>((done) => child.once('exit', (code, signal) => done([code, signal])))
    await new Promise((r) => setTimeout(r, 300))
    expect(child.exitCode).toBe(null)
    child.stdin.end()
    expect(await exited).toEqual([null, 'SIGKILL'])
  })
})
