import { describe, expect, it } from 'vitest'
import { MAX_BULK_TASKS } from '../../src/shared/bulk-contract'
import { runLoopLabel } from '../../src/shared/snapshots'
import type { TaskSnapshot } from '../../src/shared/snapshots'
import { fakeAgent, snapshot } from '../app/source-agents'
import { openApp } from '../ipc/app-helper'

type App = ReturnType<typeof openApp>

/** Starts a load run whose `n` sleepers all wait a minute (real clock), and returns them once all wait. */
async function waitingSleepers(app: App, n: number): Promise<TaskSnapshot[]> {
  const run = await app.ok('scenario:start', { id: 'load', params: { tasks: n, sleeps: 1, minSleep: 60_000, maxSleep: 60_000 }, clock: { speed: 1 } })
  return app.until(() => {
    const mine = [...app.view().values()].filter((t) => t.loop === runLoopLabel(run.runId) && /^Task-/.test(t.name) && t.state === 'waiting')
    return mine.length === n && mine.sort((a, b) => a.id - b.id)
  }, 10_000)
}

const ended = (app: App, ids: number[]) => () => {
  const view = app.view()
  return ids.every((id) => ['done', 'failed', 'cancelled'].includes(view.get(id)?.state ?? '')) && ids.map((id) => view.get(id)!)
}

describe('bulk actions on many tasks', () => {
  it('cancels 300 tasks in one command, with the reason, and tells apart those that had already ended', async () => {
    const app = openApp()
    const sleepers = await waitingSleepers(app, 302)
    const early = sleepers.slice(0, 2).map((t) => t.id)
    for (const id of early) await app.ok('task:cancel', { taskId: id, reason: 'early' })
    await app.until(ended(app, early))
    const ids = sleepers.map((t) => t.id)
    const outcome = await app.ok('tasks:bulk', { action: { kind: 'cancel', reason: 'drain the pool' }, taskIds: [...ids, ids[5]!, 987_654] })
    expect(outcome).toMatchObject({ kind: 'cancel', asked: 303, notFound: [987_654], failed: [], failedCount: 0 })
    expect(outcome.applied.sort((a, b) => a - b)).toEqual(ids.slice(2))
    expect(outcome.alreadyEnded).toEqual(early.map((taskId) => ({ taskId, state: 'cancelled' })))
    const finals = await app.until(ended(app, ids.slice(2)), 10_000)
    expect(finals.every((t) => t.state === 'cancelled' && t.cancel?.source === 'user' && t.cancel.reason === 'drain the pool')).toBe(true)
    expect(app.view().get(early[0]!)?.cancel?.reason).toBe('early')
  })

  it('puts one deadline on many tasks: each ends cancelled by its deadline', async () => {
    const app = openApp()
    const sleepers = await waitingSleepers(app, 40)
    const ids = sleepers.map((t) => t.id)
    const outcome = await app.ok('tasks:bulk', { action: { kind: 'deadline', inMs: 50 }, taskIds: ids })
    expect(outcome.applied).toHaveLength(40)
    const finals = await app.until(ended(app, ids), 10_000)
    expect(finals.every((t) => t.state === 'cancelled' && t.cancel?.source === 'deadline')).toBe(true)
  })

  it('routes a connected process’s tasks to that process, one cancel each, beside this process’s own', async () => {
    const app = openApp()
    await app.core.hubReady
    const agent = await fakeAgent(app.dataDir, 'alpha', Array.from({ length: 60 }, (_, i) => snapshot(i + 1)))
    const sleepers = await waitingSleepers(app, 5)
    const external = await app.until(() => {
      const mine = [...app.view().values()].filter((t) => t.loop.startsWith(`${agent.sourceId}/`))
      return mine.length === 60 && mine
    })
    const taskIds = [...external.map((t) => t.id), ...sleepers.map((t) => t.id)]
    const outcome = await app.ok('tasks:bulk', { action: { kind: 'cancel', reason: 'both kinds' }, taskIds })
    expect(outcome.applied.sort((a, b) => a - b)).toEqual([...taskIds].sort((a, b) => a - b))
    expect(agent.commands).toHaveLength(60)
    expect(agent.commands.every((c) => c.type === 'cancel' && c.reason === 'both kinds')).toBe(true)
    expect(new Set(agent.commands.map((c) => ('taskId' in c ? c.taskId : 0)))).toEqual(new Set(Array.from({ length: 60 }, (_, i) => i + 1)))
  })

  it('names each task’s coroutine function in its snapshot (what the table groups by)', async () => {
    const app = openApp()
    const sleepers = await waitingSleepers(app, 3)
    expect(sleepers.map((t) => t.coro)).toEqual(['sleeper', 'sleeper', 'sleeper'])
    expect([...app.view().values()].find((t) => t.name === 'main')?.coro).toBe('main')
  })

  it('refuses more than the cap, or no ids, with a typed error, and cancels nothing', async () => {
    const app = openApp()
    const sleepers = await waitingSleepers(app, 3)
    const ids = [...sleepers.map((t) => t.id), ...Array.from({ length: MAX_BULK_TASKS }, (_, i) => 900_000 + i)]
    const tooMany = await app.call('tasks:bulk', { action: { kind: 'cancel', reason: null }, taskIds: ids })
    expect(tooMany).toMatchObject({ ok: false, error: { code: 'bad_request', message: expect.stringContaining(`at most ${MAX_BULK_TASKS} tasks`) } })
    expect(await app.call('tasks:bulk', { action: { kind: 'cancel', reason: null }, taskIds: [] })).toMatchObject({ ok: false, error: { code: 'bad_request' } })
    expect(await app.call('tasks:bulk', { action: { kind: 'pause' }, taskIds: [sleepers[0]!.id] })).toMatchObject({ ok: false, error: { code: 'bad_request' } })
    expect(sleepers.every((t) => app.core.monitor.get(t.id)?.state === 'waiting' && app.core.monitor.get(t.id)?.cancel === null)).toBe(true)
  })
})
