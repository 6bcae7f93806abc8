import { describe, expect, it } from 'vitest'
import type { LoopwatchApi } from '../../src/shared/contract'
import type { HistoryRun, RunSummary } from '../../src/shared/snapshots'
import { HistoryState } from '../../src/renderer/src/state/history.svelte'
import { openApp } from '../ipc/app-helper'

/** A renderer API that forwards to a real app core's dispatcher. */
function apiOf(app: ReturnType<typeof openApp>): LoopwatchApi {
  return { invoke: ((channel: string, payload?: unknown) => app.call(channel, payload)) as LoopwatchApi['invoke'], on: () => () => {} }
}

describe('re-running a history run', () => {
  it('starts the same scenario with the same params and clock, and a seeded run repeats itself', async () => {
    const app = openApp()
    const params = { tasks: 50, sleeps: 2, minSleep: 10, maxSleep: 500, failFraction: 0.2, cancelFraction: 0.2, seed: 42 }
    const first = await app.ok('scenario:start', { id: 'load', params, clock: 'virtual' })
    await app.until(() => app.core.runs.list().find((r) => r.runId === first.runId)?.status === 'done')
    const started: RunSummary[] = []
    const history = new HistoryState(() => apiOf(app), (run) => started.push(run))
    await history.refresh()
    const stored = history.runs.find((r) => r.runId === first.runId)!
    const again = await history.rerun(stored)
    expect(again).not.toBeNull()
    expect(started).toEqual([again])
    expect(again).toMatchObject({ scenarioId: 'load', params: first.params, clock: 'virtual' })
    await app.until(() => app.core.runs.list().find((r) => r.runId === again!.runId)?.status === 'done')
    const lines = async (runId: number) => (await app.ok('history:get', { runId, logLimit: 100 })).logs.map((l) => `${l.t} ${l.line}`)
    // History writes are batched: poll until the re-run's start and summary lines are stored.
    let seen: string[] = []
    for (const end = Date.now() + 5000; Date.now() < end && seen.length < 2; ) {
      seen = await lines(again!.runId)
      if (seen.length < 2) await new Promise((r) => setTimeout(r, 20))
    }
    expect(seen).toHaveLength(2)
    expect(seen).toEqual(await lines(first.runId))
  })

  it('says why a run cannot start again, and reports nothing as started', async () => {
    const app = openApp()
    const started: RunSummary[] = []
    const history = new HistoryState(() => apiOf(app), (run) => started.push(run))
    const gone: Pick<HistoryRun, 'scenario' | 'params' | 'clock'> = { scenario: 'agent:billing', params: {}, clock: 'virtual' }
    expect(await history.rerun(gone)).toBeNull()
    expect(history.error).toMatch(/could not re-run agent:billing: no scenario "agent:billing"/)
    expect(started).toEqual([])
  })
})
