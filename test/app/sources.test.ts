import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openHistory } from '../../src/main/history/index'
import { EXTERNAL_ID_BASE } from '../../src/main/sources/id-map'
import type { AppShutdownReport, SourceInfo, TaskDelta, TaskSnapshot } from '../../src/shared/snapshots'
import { RawAgent, hello, LOOP_MAIN, delta, eventually } from '../hub/hub-helper'
import { openApp } from '../ipc/app-helper'
import { fakeAgent, snapshot } from './source-agents'

/** The app's view of one source's tasks, from the snapshot. */
async function tasksOf(app: ReturnType<typeof openApp>, sourceId: string): Promise<TaskSnapshot[]> {
  const snap = await app.ok('app:snapshot')
  return snap.tasks.filter((t) => t.loop.startsWith(`${sourceId}/`))
}

describe('connected processes in the app', () => {
  it('starts a hub that writes agent.json into its data dir; two sources with equal local ids never collide', async () => {
    const app = openApp()
    const hub = await app.core.hubReady
    expect(hub?.agentFilePath).toBe(`${app.dataDir}/agent.json`)
    const a = await fakeAgent(app.dataDir, 'alpha', [snapshot(1, { name: 'poller' }), snapshot(2, { name: 'child', parentId: 1, awaiting: { kind: 'task', text: 'task #1', taskId: 1 } })])
    const b = await fakeAgent(app.dataDir, 'beta', [snapshot(1, { name: 'poller' })])
    await app.until(() => app.view().size >= 3 && app.view())
    const snap = await app.ok('app:snapshot')
    const ext = snap.tasks.filter((t) => t.id >= EXTERNAL_ID_BASE)
    expect(ext.map((t) => t.loop).sort()).toEqual([`${a.sourceId}/main`, `${a.sourceId}/main`, `${b.sourceId}/main`])
    expect(new Set(ext.map((t) => t.id)).size).toBe(3)
    const [alphaPoller, alphaChild] = (await tasksOf(app, a.sourceId)).sort((x, y) => x.id - y.id)
    const [betaPoller] = await tasksOf(app, b.sourceId)
    expect(alphaPoller!.id).not.toBe(betaPoller!.id)
    // References inside a task are rewritten too: the child names alpha's poller, not beta's.
    expect(alphaChild!.parentId).toBe(alphaPoller!.id)
    expect(alphaChild!.awaiting?.taskId).toBe(alphaPoller!.id)
    expect(snap.sources?.map((s) => [s.id, s.name, s.state])).toEqual([
      [a.sourceId, 'alpha', 'connected'],
      [b.sourceId, 'beta', 'connected'],
    ])
    // One sequence for every delta the window applies, in-process and external alike.
    const seqs = app.events.filter((e) => e.event === 'tasks:delta').map((e) => (e.payload as TaskDelta).seq)
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y))
    expect(new Set(seqs).size).toBe(seqs.length)
    expect(snap.seq).toBe(seqs.at(-1))
  })

  it('routes a cancel to the task’s own process, with the reason, and answers its translated snapshot', async () => {
    const app = openApp()
    await app.core.hubReady
    const a = await fakeAgent(app.dataDir, 'alpha', [snapshot(1)])
    const b = await fakeAgent(app.dataDir, 'beta', [snapshot(1)])
    await app.until(() => app.view().size >= 2)
    const [target] = await tasksOf(app, b.sourceId)
    const answer = await app.ok('task:cancel', { taskId: target!.id, reason: 'from the window' })
    expect(answer).toMatchObject({ id: target!.id, loop: `${b.sourceId}/main`, state: 'cancelling', cancel: { source: 'user', reason: 'from the window' } })
    expect(b.commands).toMatchObject([{ type: 'cancel', taskId: 1, reason: 'from the window' }])
    expect(a.commands).toEqual([])
    const deadline = await app.ok('task:setDeadline', { taskId: target!.id, inMs: 500 })
    expect(deadline.deadline?.at.loop).toBe(510)
    await app.ok('task:setDeadline', { taskId: target!.id, inMs: null })
    expect(b.commands.map((c) => c.type)).toEqual(['cancel', 'deadline:set', 'deadline:clear'])
    // task:get works on an external task as on an in-process one.
    const detail = await app.ok('task:get', { taskId: target!.id })
    expect(detail.task.loop).toBe(`${b.sourceId}/main`)
  })

  it('keeps a lost source’s tasks, marks the source lost, refuses commands to it, and records its run as interrupted', async () => {
    const app = openApp()
    const hub = (await app.core.hubReady)!
    const { agent, sourceId } = await RawAgent.hello(hub, { name: 'crashy' })
    agent.send(LOOP_MAIN)
    agent.send(delta(1, { created: [snapshot(1, { name: 'worker', state: 'waiting' })] }))
    await app.until(() => app.view().size === 1)
    agent.socket.destroy()
    const lost = await app.until(() => {
      const e = app.events.filter((x) => x.event === 'sources:changed').at(-1)
      return (e?.payload as SourceInfo[] | undefined)?.find((s) => s.id === sourceId && s.state === 'lost')
    })
    const [task] = await tasksOf(app, sourceId)
    expect(task).toMatchObject({ name: 'worker', state: 'waiting' })
    const refused = await app.call('task:cancel', { taskId: task!.id, reason: null })
    expect(refused).toMatchObject({ ok: false, error: { code: 'invalid_state', message: expect.stringContaining('lost') } })
    const stop = await app.call('source:stop', { sourceId, graceMs: 100 })
    expect(stop).toMatchObject({ ok: false, error: { code: 'invalid_state' } })
    const run = app.core.history.getRun(lost.runId!)
    expect(run?.run).toMatchObject({ scenario: 'agent:crashy', outcome: 'interrupted' })
    expect(run?.tasks).toMatchObject([{ id: 1, name: 'worker', state: 'interrupted' }])
  })

  it('records a source that says bye as a done run with its tasks and lines', async () => {
    const app = openApp()
    await app.core.hubReady
    const a = await fakeAgent(app.dataDir, 'tidy', [snapshot(1, { name: 'job' })])
    a.conn.send(delta(99, { ended: [snapshot(1, { name: 'job', state: 'done', endedAt: { loop: 5, wall: 1 } })], logs: [{ seq: 1, loop: 'main', runId: null, taskId: 1, taskName: 'job', t: 5, wall: 1, stream: 'stdout', line: 'job: finished' }] }))
    const job = await app.until(() => [...app.view().values()].find((t) => t.state === 'done'))
    // task:get's lines are the streamed ones (same seq): the window merges them without duplicates.
    const streamed = app.events.flatMap((e) => (e.event === 'tasks:delta' ? (e.payload as TaskDelta).logs : []))
    expect((await app.ok('task:get', { taskId: job.id })).logs).toEqual(streamed)
    expect(streamed).toMatchObject([{ taskId: job.id, loop: `${a.sourceId}/main`, line: 'job: finished' }])
    await a.conn.close({ code: 0, reason: 'finished' })
    const info = await app.until(() => app.core.sources.list().find((s) => s.state === 'exited'))
    expect(info.exit).toEqual({ code: 0, reason: 'finished' })
    const run = app.core.history.getRun(info.runId!)
    expect(run?.run).toMatchObject({ scenario: 'agent:tidy', outcome: 'done' })
    expect(run?.tasks).toMatchObject([{ id: 1, name: 'job', state: 'done' }])
    expect(run?.logs).toMatchObject([{ line: 'job: finished', taskId: 1 }])
  })

  it('graceful shutdown tells every connected child process to stop and lists it in the report', async () => {
    const app = openApp()
    await app.core.hubReady
    const a = await fakeAgent(app.dataDir, 'service', [snapshot(1)], { role: 'child' })
    await app.until(() => app.view().size >= 1)
    const report: AppShutdownReport = await app.ok('app:shutdown', { graceMs: 300 })
    expect(a.commands).toMatchObject([{ type: 'stop', graceMs: 300 }])
    const part = report.parts.find((p) => p.kind === 'source')
    expect(part).toMatchObject({ id: a.sourceId, title: expect.stringContaining('service'), state: 'stopped' })
    expect(part?.report?.finished).toHaveLength(1)
    expect(app.core.sources.list()[0]?.state).toBe('stopping')
  })

  it('closing the core removes agent.json and ends the run of a source still connected (interrupted), history intact', async () => {
    const app = openApp()
    await app.core.hubReady
    const a = await fakeAgent(app.dataDir, 'outlives-the-app', [snapshot(1)], { role: 'child' })
    await app.until(() => app.view().size >= 1)
    const runId = app.core.sources.list()[0]!.runId!
    await app.core.close(200)
    expect(a.commands).toMatchObject([{ type: 'stop' }])
    expect(existsSync(join(app.dataDir, 'agent.json'))).toBe(false)
    const history = openHistory(app.dataDir)
    try {
      expect(history.getRun(runId)?.run).toMatchObject({ scenario: 'agent:outlives-the-app', outcome: 'interrupted', error: { name: 'AppClosed' } })
    } finally {
      history.close()
    }
  })

  it('source:stop sends the agent its stop; bad input for the new channels is bad_request and changes nothing', async () => {
    const app = openApp()
    await app.core.hubReady
    const a = await fakeAgent(app.dataDir, 'svc', [snapshot(1)])
    await app.until(() => app.view().size >= 1)
    for (const [channel, payload] of [
      ['source:stop', { sourceId: a.sourceId }],
      ['source:stop', { sourceId: a.sourceId, graceMs: -1 }],
      ['source:stop', { sourceId: a.sourceId, graceMs: 1e9 }],
      ['source:stop', { sourceId: 'agent-x', graceMs: 10 }],
      ['source:stop', { sourceId: 'x'.repeat(10_000), graceMs: 10 }],
      ['source:stop', { sourceId: a.sourceId, graceMs: 10, extra: true }],
      ['source:stop', [a.sourceId, 10]],
      ['sources:list', { all: true }],
      ['sources:list', []],
    ] as const) {
      expect(await app.call(channel, payload), `${channel} ${JSON.stringify(payload).slice(0, 60)}`).toMatchObject({ ok: false, error: { code: 'bad_request' } })
    }
    expect(a.commands).toEqual([])
    expect(app.core.sources.list()[0]?.state).toBe('connected')
    expect(await app.call('source:stop', { sourceId: 'agent-77', graceMs: 10 })).toMatchObject({ ok: false, error: { code: 'not_found' } })
    const report = await app.ok('source:stop', { sourceId: a.sourceId, graceMs: 50 })
    expect(report.finished).toHaveLength(1)
    expect(a.commands).toMatchObject([{ type: 'stop', graceMs: 50 }])
    expect(await app.ok('sources:list')).toMatchObject([{ id: a.sourceId, state: 'stopping' }])
    // It ends after the app's stop: its history run reads cancelled, as a stopped scenario run does.
    await a.conn.close({ code: 0, reason: 'stopped' })
    const ended = await app.until(() => app.core.sources.list().find((s) => s.state === 'exited'))
    expect(app.core.history.getRun(ended.runId!)?.run.outcome).toBe('cancelled')
  })
})
