// The Python agent against a real hub on 127.0.0.1: a real CPython program's tasks seen with their
// names, states and parents; a cancel from the hub delivered with its message; a deadline firing;
// a stop with its report; a wrong token refused while the program runs unaffected.
import type { ChildProcess } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { appUrl } from '../../src/shared/agent-protocol/index'
import type { AgentHub } from '../../src/main/hub/index'
import { courseSources } from '../../src/main/scenarios/sources.generated'
import { eventually, startHub } from '../hub/hub-helper'
import { DEBIAN_PYTHON, missingModules, spawnAgent } from './python-helper'

const PROGRAM = `import asyncio

async def worker(n):
    try:
        while True:
            await asyncio.sleep(0.05)
    except asyncio.CancelledError:
        print(f"worker {n} cleanup")
        raise

async def main():
    workers = [asyncio.create_task(worker(n), name=f"worker-{n}") for n in (1, 2)]
    slow = asyncio.create_task(asyncio.sleep(3600), name="slow")
    print("ready", flush=True)
    await asyncio.gather(*workers, slow, return_exceptions=True)

asyncio.run(main())
`

const children: ChildProcess[] = []
const dirs: string[] = []
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true })
})

async function start(hubUrl: string | null, program = PROGRAM, env: Record<string, string> = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'lw-py-hub-'))
  dirs.push(dir)
  await writeFile(join(dir, 'service.py'), program)
  const child = spawnAgent(DEBIAN_PYTHON, [...(hubUrl ? ['--app', hubUrl] : []), 'service.py'], { cwd: dir, env })
  children.push(child)
  let out = ''
  let err = ''
  child.stdout!.setEncoding('utf8').on('data', (c: string) => void (out += c))
  child.stderr!.setEncoding('utf8').on('data', (c: string) => void (err += c))
  const exited = new Promise<number | null>((done) => child.on('close', (code) => done(code)))
  return { child, dir, out: () => out, err: () => err, exited }
}

const byName = (hub: AgentHub, name: string) => hub.tasks('agent-1').find((t) => t.task.name === name)?.task

describe.skipIf(missingModules(DEBIAN_PYTHON, []) !== null)('the Python agent and a real hub', () => {
  it('shows the tasks, delivers cancel / deadline / stop, and reports the stop', { timeout: 60_000 }, async () => {
    const hub = await startHub()
    const run = await start(appUrl({ port: hub.port, token: hub.token }))
    await eventually(() => ['worker-1', 'worker-2', 'slow'].every((n) => byName(hub, n)?.state === 'waiting'), 20_000)
    expect(hub.source('agent-1')).toMatchObject({ name: 'service.py', state: 'connected', runtime: { kind: 'python' } })
    const main = byName(hub, 'main')!
    expect(main).toMatchObject({ parentId: null, state: 'waiting', awaiting: { kind: 'future', text: 'gather (3)' } })
    expect(byName(hub, 'worker-1')).toMatchObject({ parentId: main.id, awaiting: { kind: 'sleep' } })
    expect(byName(hub, 'worker-1')!.awaiting!.text).toMatch(/^sleep 0\.05 s until \d+\.\d{3} s$/)

    // cancel from the window, with its reason
    const w1 = byName(hub, 'worker-1')!
    const cancelled = await hub.sendCommand('agent-1', { type: 'cancel', taskId: w1.id, reason: 'from the test' })
    expect(cancelled).toMatchObject({ ok: true, value: { id: w1.id, cancel: { source: 'user', reason: 'from the test' } } })
    await eventually(() => byName(hub, 'worker-1')?.state === 'cancelled', 10_000)
    await eventually(() => hub.logs('agent-1').some((l) => l.line === 'worker 1 cleanup'), 10_000)
    expect(hub.logs('agent-1').find((l) => l.line === 'worker 1 cleanup')).toMatchObject({ stream: 'stdout', taskId: w1.id })

    // a deadline: set, it fires, the task is cancelled by source `deadline`
    const slow = byName(hub, 'slow')!
    const armed = await hub.sendCommand('agent-1', { type: 'deadline:set', taskId: slow.id, inMs: 150 })
    expect(armed.ok && armed.value.deadline).toBeTruthy()
    await eventually(() => byName(hub, 'slow')?.state === 'cancelled', 10_000)
    expect(byName(hub, 'slow')!.cancel).toMatchObject({ source: 'deadline', reason: expect.stringMatching(/^deadline passed at \d+\.\d{3}s$/) })

    // an ended task: a typed refusal
    expect(await hub.sendCommand('agent-1', { type: 'cancel', taskId: w1.id, reason: null })).toEqual({ ok: false, error: { code: 'already_done', message: `task ${w1.id} has already ended` } })

    // stop: newest first, the cleanup runs, the report says who finished
    const stopped = await hub.sendCommand('agent-1', { type: 'stop', graceMs: 3000 })
    expect(JSON.stringify(stopped)).toMatch(/^{"ok":true/)
    if (!stopped.ok) return
    expect(stopped.value.forced).toEqual([])
    expect(stopped.value.finished.map((f) => [f.name, f.state])).toEqual([
      ['worker-2', 'cancelled'],
      ['main', 'cancelled'],
    ])
    expect(await run.exited).toBe(130)
    expect(run.out()).toBe('ready\nworker 1 cleanup\nworker 2 cleanup\n')
    await eventually(() => hub.source('agent-1')?.state === 'exited', 10_000)
    expect(hub.source('agent-1')!.errors).toBe(0)
    expect(byName(hub, 'worker-2')!.cancel).toMatchObject({ source: 'shutdown' })
  })

  it("a deadline from the window on the course's traffic-jam request: the request fails with TimeoutError, main prints its message", { timeout: 60_000 }, async () => {
    const hub = await startHub()
    // The course's text, with wait_for's own timeout a minute away so that the deadline is first.
    const course = courseSources['wait-for-timeout']!.code.replace('timeout=1.0', 'timeout=60.0')
    expect(course).toContain('timeout=60.0')
    const run = await start(appUrl({ port: hub.port, token: hub.token }), `${course}\n`)
    await eventually(() => byName(hub, 'request_traffic_jams')?.state === 'waiting', 20_000)
    const request = byName(hub, 'request_traffic_jams')!
    const armed = await hub.sendCommand('agent-1', { type: 'deadline:set', taskId: request.id, inMs: 100 })
    expect(armed.ok).toBe(true)
    expect(await run.exited).toBe(0)
    await eventually(() => hub.source('agent-1')?.state === 'exited', 10_000)
    const ended = byName(hub, 'request_traffic_jams')!
    expect(ended).toMatchObject({ state: 'failed', cancel: { source: 'deadline' }, error: { name: 'TimeoutError' } })
    expect(ended.error!.stack).toMatch(/CancelledError: deadline passed at \d+\.\d{3}s\n\nThe above exception was the direct cause/)
    expect(ended.error!.stack).toMatch(/\nTimeoutError: deadline passed at \d+\.\d{3}s\n?$/)
    expect(byName(hub, 'main')!.state).toBe('done')
    expect(run.out()).toBe('Problems with traffic_jams service\n')
    expect(run.err()).toBe('')
  })

  it('a wrong token is refused: the hub shows nothing, the program runs as without the agent', { timeout: 60_000 }, async () => {
    const hub = await startHub()
    const run = await start(appUrl({ port: hub.port, token: 'not-the-token' }), 'import asyncio\nasync def main():\n    await asyncio.sleep(0.3)\n    print("done")\nasyncio.run(main())\n')
    expect(await run.exited).toBe(0)
    expect(run.out()).toBe('done\n')
    expect(run.err()).toBe('')
    expect(hub.sources()).toEqual([])
  })

  it('finds the app through agent.json, and after the app restarts reconnects and sends its whole state again', { timeout: 60_000 }, async () => {
    const config = await mkdtemp(join(tmpdir(), 'lw-py-xdg-'))
    dirs.push(config)
    const dataDir = join(config, 'loopwatch')
    const first = await startHub({ dataDir })
    const program = `import asyncio, os
async def poller():
    while not os.path.exists("stop-now"):
        await asyncio.sleep(0.02)
    print("saw stop-now")
async def main():
    await asyncio.create_task(poller(), name="poller")
asyncio.run(main())
`
    const run = await start(null, program, { XDG_CONFIG_HOME: config, LOOPWATCH_APP: '' })
    await eventually(() => first.tasks('agent-1').some((t) => t.task.name === 'poller' && t.task.state === 'waiting'), 20_000)
    await first.close()
    const second = await startHub({ dataDir })
    await eventually(() => second.tasks('agent-1').some((t) => t.task.name === 'poller' && t.task.state === 'waiting'), 30_000)
    expect(second.source('agent-1')).toMatchObject({ name: 'service.py', state: 'connected', loops: [{ label: 'loop-1' }] })
    await writeFile(join(run.dir, 'stop-now'), '')
    expect(await run.exited).toBe(0)
    expect(run.out()).toBe('saw stop-now\n')
    await eventually(() => second.source('agent-1')?.state === 'exited', 10_000)
    expect(second.source('agent-1')).toMatchObject({ exit: { code: 0, reason: 'finished' }, errors: 0 })
    expect(second.tasks('agent-1').map((t) => [t.task.name, t.task.state])).toEqual([
      ['main', 'done'],
      ['poller', 'done'],
    ])
    expect(second.logs('agent-1').map((l) => l.line)).toEqual(['saw stop-now'])
  })
})
