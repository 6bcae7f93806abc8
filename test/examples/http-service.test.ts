// examples/http-service, started as its own process (as a user would: node --import tsx) and
// watched by a real AppCore (hub, sources, history in SQLite): its requests are tasks in the
// window, a kill -9 reads lost with its history run interrupted, and Stop or SIGTERM end it
// gracefully.
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { appUrl } from '../../src/shared/agent-protocol/index'
import type { SourceInfo, TaskSnapshot } from '../../src/shared/snapshots'
import { openApp } from '../ipc/app-helper'
import { repoRoot } from '../scenarios/helpers'

const TIMEOUT = 60_000
const children: ChildProcess[] = []
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
})

type App = ReturnType<typeof openApp>

/** Starts the example watched by `app`; resolves with its URL (its first stdout line). */
async function startService(app: App, env: Record<string, string> = {}) {
  const hub = (await app.core.hubReady)!
  const child = spawn(process.execPath, ['--import', 'tsx', 'examples/http-service/server.ts'], {
    cwd: repoRoot,
    env: { ...process.env, LOOPWATCH_APP: appUrl(hub), PORT: '0', REFRESH_EVERY_MS: '50', REQUEST_TIMEOUT_MS: '30000', GRACE_MS: '1500', ...env },
  })
  children.push(child)
  let out = ''
  let err = ''
  child.stdout!.setEncoding('utf8').on('data', (c: string) => void (out += c))
  child.stderr!.setEncoding('utf8').on('data', (c: string) => void (err += c))
  const exited = new Promise<{ code: number | null; signal: string | null }>((done) => child.on('close', (code, signal) => done({ code, signal })))
  const url = await app.until(() => /^(http:\/\/127\.0\.0\.1:\d+)\n/.exec(out)?.[1], 30_000).catch(() => {
    throw new Error(`the service printed no URL; stderr: ${err}`)
  })
  const source = await app.until(() => app.core.sources.list().find((s) => s.pid === child.pid && s.state === 'connected'), 10_000)
  return { child, url, exited, source, output: () => out }
}

/** The app's current view of a source's tasks (app:snapshot, as a window that just opened sees it). */
async function tasksOf(app: App, source: SourceInfo): Promise<TaskSnapshot[]> {
  return (await app.ok('app:snapshot')).tasks.filter((t) => t.loop.startsWith(`${source.id}/`))
}

const named = (tasks: TaskSnapshot[], pattern: RegExp) => tasks.filter((t) => pattern.test(t.name))

/** Polls the snapshot until `check` holds for the source's tasks. */
async function untilTasks(app: App, source: SourceInfo, check: (tasks: TaskSnapshot[]) => boolean): Promise<TaskSnapshot[]> {
  let last: TaskSnapshot[] = []
  const end = Date.now() + 10_000
  while (Date.now() < end) {
    last = await tasksOf(app, source)
    if (check(last)) return last
    await new Promise((r) => setTimeout(r, 20))
  }
  throw new Error(`tasks never matched: ${last.map((t) => `${t.name}=${t.state}`).join(', ')}`)
}

describe('examples/http-service, watched', () => {
  it('appears as a service source with its request tasks live; kill -9 → lost, last tasks kept, history run interrupted', { timeout: TIMEOUT }, async () => {
    const app = openApp()
    const svc = await startService(app)
    expect(svc.source).toMatchObject({ name: 'http-service', role: 'service', runtime: { kind: 'node' } })
    // A real request that finishes, with its three steps as its own tasks.
    const work = await fetch(`${svc.url}/work`)
    expect(await work.json()).toEqual({ steps: ['load', 'score', 'render'] })
    // One still waiting while we look (its request timeout is 30 s here).
    const slow = fetch(`${svc.url}/slow?ms=60000`).catch((e: unknown) => e)
    const live = await untilTasks(app, svc.source, (ts) =>
      named(ts, /^GET \/slow#\d+$/).some((t) => t.state === 'waiting') && named(ts, /^GET \/work#\d+$/).some((t) => t.state === 'done') && ts.some((t) => t.name === 'refresher' && t.state === 'waiting'),
    )
    const [workTask] = named(live, /^GET \/work#\d+$/)
    expect(live.filter((t) => t.parentId === workTask!.id).map((t) => [t.name, t.state]).sort()).toEqual([
      ['load', 'done'],
      ['render', 'done'],
      ['score', 'done'],
    ])
    const slowTask = named(live, /^GET \/slow#\d+$/)[0]!
    // The process dies without a word.
    svc.child.kill('SIGKILL')
    expect(await svc.exited).toEqual({ code: null, signal: 'SIGKILL' })
    expect(await slow).toBeInstanceOf(Error)
    const lost = await app.until(() => app.core.sources.list().find((s) => s.id === svc.source.id && s.state === 'lost'), 10_000)
    expect(lost.exit).toBeNull()
    // Its last known tasks stay, as they were (the window marks them stale from the source's state).
    const after = await tasksOf(app, svc.source)
    expect(after.find((t) => t.id === slowTask.id)).toMatchObject({ name: slowTask.name, state: 'waiting' })
    expect(after.find((t) => t.name === 'refresher')?.state).toBe('waiting')
    const run = app.core.history.getRun(lost.runId!)
    expect(run?.run).toMatchObject({ scenario: 'agent:http-service', outcome: 'interrupted', error: { name: 'ConnectionLost' } })
    expect(run?.tasks.find((t) => t.name === slowTask.name)?.state).toBe('interrupted')
  })

  it('Stop from the window: in-flight requests are cancelled (503), the report lists them, the process exits 0, its run reads cancelled', { timeout: TIMEOUT }, async () => {
    const app = openApp()
    const svc = await startService(app)
    const slow = fetch(`${svc.url}/slow?ms=60000`)
    await untilTasks(app, svc.source, (ts) => named(ts, /^GET \/slow#\d+$/).some((t) => t.state === 'waiting'))
    const report = await app.ok('source:stop', { sourceId: svc.source.id, graceMs: 2_000 })
    expect(report.forced).toEqual([])
    expect(report.finished.map((f) => [f.name.replace(/#\d+$/, '#N'), f.state]).sort()).toEqual([
      ['GET /slow#N', 'cancelled'],
      ['main', 'cancelled'],
      ['refresher', 'cancelled'],
    ])
    const answer = await slow
    expect(answer.status).toBe(503)
    expect(await answer.json()).toMatchObject({ error: 'cancelled' })
    expect(await svc.exited).toEqual({ code: 0, signal: null })
    const ended = await app.until(() => app.core.sources.list().find((s) => s.id === svc.source.id && s.state === 'exited'), 10_000)
    expect(ended.exit?.reason).toMatch(/^stopped from the app: 3 finished, 0 forced/)
    expect(app.core.history.getRun(ended.runId!)?.run.outcome).toBe('cancelled')
  })

  it('a request past its timeout is answered 504; SIGTERM: one in flight finishes within the grace, the process ends, and the agent says bye with exit code 0', { timeout: TIMEOUT }, async () => {
    const app = openApp()
    const svc = await startService(app, { REQUEST_TIMEOUT_MS: '400' })
    const late = await fetch(`${svc.url}/slow?ms=5000`)
    expect([late.status, await late.json()]).toEqual([504, { error: 'no answer within 400 ms' }])
    // Its task handled the timeout (it answered) and ended done, not failed.
    await untilTasks(app, svc.source, (ts) => named(ts, /^GET \/slow#1$/).some((t) => t.state === 'done'))
    const slow = fetch(`${svc.url}/slow?ms=300`)
    await untilTasks(app, svc.source, (ts) => named(ts, /^GET \/slow#\d+$/).some((t) => t.state === 'waiting'))
    svc.child.kill('SIGTERM')
    const answer = await slow
    expect(await answer.json()).toEqual({ slept: 300 })
    expect(await svc.exited).toEqual({ code: 0, signal: null })
    expect(svc.output()).toMatch(/SIGTERM, 1 request\(s\) in flight[\s\S]*stopped, 0 request\(s\) cancelled/)
    // The end of its event loop: the agent's bye on exit, so the window reads exited, not lost.
    const ended = await app.until(() => app.core.sources.list().find((s) => s.id === svc.source.id && s.state !== 'connected'), 10_000)
    expect(ended).toMatchObject({ state: 'exited', exit: { code: 0 } })
    expect(app.core.history.getRun(ended.runId!)?.run.outcome).toBe('done')
    await expect(fetch(`${svc.url}/rates`), 'nothing listens any more').rejects.toThrow()
  })
})

describe('examples/http-service and the app’s graceful shutdown', () => {
  it('is told the app is closing and left running: it notes it in one line and keeps serving, connected', { timeout: TIMEOUT }, async () => {
    const app = openApp()
    const svc = await startService(app)
    let err = ''
    svc.child.stderr!.on('data', (c: string) => void (err += c))
    const report = await app.ok('app:shutdown', { graceMs: 500 })
    expect(report.leftRunning).toEqual([{ id: svc.source.id, title: `http-service (pid ${svc.child.pid})` }])
    expect(report.parts.filter((p) => p.kind === 'source')).toEqual([])
    await app.until(() => err.includes('loopwatch: the app is shutting down gracefully and leaves this service running; this process keeps running'), 10_000)
    expect(err.trim().split('\n')).toHaveLength(1)
    const rates = await fetch(`${svc.url}/rates`)
    expect(rates.status).toBe(200)
    expect(svc.child.exitCode).toBeNull()
    expect(app.core.sources.list().find((s) => s.id === svc.source.id)?.state).toBe('connected')
  })
})

// The example is a user's file: it must not reach into src/ (only `loopwatch` and `loopwatch/agent`).
it('the example imports only the package names, as a user’s service would', async () => {
  const { readFileSync } = await import('node:fs')
  const text = readFileSync(join(repoRoot, 'examples/http-service/server.ts'), 'utf8')
  const imports = [...text.matchAll(/from '([^']+)'/g)].map((m) => m[1])
  expect(imports.filter((i) => !i!.startsWith('node:'))).toEqual(['loopwatch', 'loopwatch', 'loopwatch/agent'])
})
