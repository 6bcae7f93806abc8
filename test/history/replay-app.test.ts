// The event stream as the app records it: its own scenario runs (the real monitor, real timers)
// and a connected process's run (a raw agent over the hub's real socket), read back through the
// contract's history:events as the window reads it.
import { describe, expect, it } from 'vitest'
import { ReplayIndex } from '../../src/renderer/src/state/replay-frames'
import type { HistoryEventsPage, StreamBatch } from '../../src/shared/history-contract'
import { openApp } from '../ipc/app-helper'
import { RawAgent, LOOP_MAIN, delta, snapshot } from '../hub/hub-helper'

type App = ReturnType<typeof openApp>

/** Polls an async check until it gives a value (a generous bound: real timers and sockets). */
async function poll<T>(check: () => Promise<T | null | undefined>, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs
  for (;;) {
    const v = await check()
    if (v !== null && v !== undefined) return v
    if (Date.now() > end) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 20))
  }
}

async function streamOf(app: App, runId: number): Promise<StreamBatch[]> {
  const out: StreamBatch[] = []
  for (let from: number | null = 0; from !== null; ) {
    const page: HistoryEventsPage = await app.ok('history:events', { runId, from })
    out.push(...page.chunks.flatMap((c) => c.batches))
    from = page.next
  }
  return out
}

describe('history:events in the app', () => {
  it('an in-process run: its stream ends with every task in the outcome the history recorded', async () => {
    const app = openApp()
    const run = await app.ok('scenario:start', { id: 'workers-heartbeat', clock: 'virtual' })
    await app.core.runs.settled()
    const stored = await app.ok('history:get', { runId: run.runId })
    expect(stored.run.outcome).toBe('done')
    // The monitor's last look comes a batch after the run ended.
    const replay = await poll(async () => {
      const r = new ReplayIndex(await streamOf(app, run.runId))
      const end = r.frame(r.end).tasks
      return end.length === stored.taskTotal && end.every((t) => t.endedAt !== null) ? r : null
    })
    const end = replay.frame(replay.end)
    expect(new Map(end.tasks.map((t) => [t.name, t.state]))).toEqual(new Map(stored.tasks.map((t) => [t.name, t.state])))
    expect(end.logs.map((l) => l.line)).toEqual(stored.logs.map((l) => l.line))
  })

  it('a connected process\'s run records its tasks by their app-wide ids, their own kept as localId', async () => {
    const app = openApp()
    const hub = (await app.core.hubReady)!
    const { agent } = await RawAgent.hello(hub, { name: 'svc' })
    agent.send(LOOP_MAIN)
    agent.send(delta(1, { created: [snapshot(7, { name: 'poller', state: 'waiting' })], clocks: [{ loop: 'main', now: 100, wall: 0, rate: 1 }] }))
    agent.send(delta(2, { ended: [snapshot(7, { name: 'poller', state: 'done', endedAt: { loop: 300, wall: 1_700_000_000_300 } })], clocks: [{ loop: 'main', now: 300, wall: 0, rate: 1 }] }))
    const runId = await poll(async () => (await app.ok('history:list')).find((r) => r.scenario === 'agent:svc')?.runId)
    const batches = await poll(async () => {
      const b = await streamOf(app, runId)
      return b.flatMap((x) => x.tasks ?? []).some((t) => t.state === 'done') ? b : null
    })
    const tasks = batches.flatMap((b) => b.tasks ?? [])
    expect(tasks.every((t) => t.name === 'poller' && t.localId === 7 && t.id !== 7 && t.loop.endsWith('/main'))).toBe(true)
    expect(tasks.map((t) => t.state)).toEqual(['waiting', 'done'])
  })

  it('refuses a bad request with a typed error over the dispatcher, and not_found for an unknown run', async () => {
    const app = openApp()
    expect(await app.call('history:events', { runId: 'x' })).toMatchObject({ ok: false, error: { code: 'bad_request' } })
    expect(await app.call('history:events', { runId: 1, limit: 10_000 })).toMatchObject({ ok: false, error: { code: 'bad_request' } })
    expect(await app.call('history:events', { runId: 1, extra: true })).toMatchObject({ ok: false, error: { code: 'bad_request' } })
    expect(await app.call('history:events', { runId: 999 })).toMatchObject({ ok: false, error: { code: 'not_found' } })
  })
})

describe('slow steps in the app\'s history (issue 11 §1)', () => {
  it('an in-process run\'s slow steps come back with history:get once it ended, attributed to their task', async () => {
    const app = openApp()
    const run = await app.ok('scenario:start', { id: 'blocking', clock: 'virtual', params: { blockMs: 30, blocks: 3, every: 1, workers: 1 } })
    await app.core.runs.settled()
    const detail = await poll(async () => {
      const d = await app.ok('history:get', { runId: run.runId })
      return d.slowSteps.filter((s) => s.taskName === 'blocker').length >= 3 ? d : null
    })
    const blocker = detail.tasks.find((t) => t.name === 'blocker')!
    const mine = detail.slowSteps.filter((s) => s.taskName === 'blocker')
    expect(mine.every((s) => s.taskId === blocker.id && s.durationMs >= 30 && s.runId === run.runId)).toBe(true)
    expect(detail.slowSteps.every((s) => s.runId === run.runId)).toBe(true)
  })

  it('a connected process\'s slow steps are kept with its run under its own task ids (its task rows\'), not the stream\'s', async () => {
    const app = openApp()
    const hub = (await app.core.hubReady)!
    const { agent } = await RawAgent.hello(hub, { name: 'svc' })
    agent.send(LOOP_MAIN)
    const slow = { seq: 1, loop: 'main', runId: null, taskId: 7, taskName: 'poller', durationMs: 55, at: { loop: 150, wall: 1_700_000_000_150 }, resumedFrom: 'sleep(0.1)', parkedOn: null }
    agent.send(delta(1, { created: [snapshot(7, { name: 'poller', state: 'running' })], clocks: [{ loop: 'main', now: 100, wall: 0, rate: 1 }] }))
    agent.send(delta(2, {
      slowSteps: [slow],
      segments: [{ taskId: 7, first: 0, segments: [{ state: 'running', from: 100, to: 150 }], open: { state: 'waiting', from: 150 } }],
      clocks: [{ loop: 'main', now: 200, wall: 0, rate: 1 }],
    }))
    const runId = await poll(async () => (await app.ok('history:list')).find((r) => r.scenario === 'agent:svc')?.runId)
    const detail = await poll(async () => {
      const d = await app.ok('history:get', { runId })
      return d.slowSteps.length > 0 && d.tasks.length > 0 ? d : null
    })
    expect(detail.slowSteps).toHaveLength(1)
    expect(detail.slowSteps[0]).toMatchObject({ taskName: 'poller', durationMs: 55, runId, resumedFrom: 'sleep(0.1)' })
    // The task's own id, as its row in the run keeps it; the recorded stream names it by the window's.
    expect(detail.tasks.map((t) => t.id)).toEqual([7])
    expect(detail.slowSteps[0]!.taskId).toBe(7)
    const streamed = (await streamOf(app, runId)).flatMap((b) => b.tasks ?? []).find((t) => t.localId === 7)!
    expect(streamed.id).not.toBe(7)
    expect(detail.slowSteps[0]!.loop.endsWith('/main')).toBe(true)
    expect(await app.call('history:get', { runId, slowSteps: 1 })).toMatchObject({ ok: false, error: { code: 'bad_request' } })
    // The trace puts the slow step and the state slice on the task's own track (its row keeps id 7).
    const trace = JSON.parse(await app.core.history.exportRun(runId, 'trace')) as { traceEvents: { cat?: string; tid: number; ph: string; name: string }[] }
    const ev = trace.traceEvents
    expect(ev.filter((e) => e.cat === 'task').map((e) => e.tid)).toEqual([7])
    expect(ev.filter((e) => e.cat === 'slow-step').map((e) => [e.tid, e.ph])).toEqual([[7, 'i']])
    expect(ev.filter((e) => e.cat === 'state').map((e) => [e.tid, e.name])).toEqual([[7, 'running']])
  })
})
