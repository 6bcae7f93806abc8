// The window's history state against the real handlers: pages load on "more", retention edits are
// bounded before they are sent.
import { describe, expect, it } from 'vitest'
import { AppCore } from '../../src/main/app/app-core'
import { createHandlers, dispatch } from '../../src/main/ipc/index'
import type { LoopwatchApi } from '../../src/shared/contract'
import { HistoryState } from '../../src/renderer/src/state/history.svelte'
import { tempDataDir } from './helpers'

function app() {
  const core = new AppCore({ dataDir: tempDataDir(), host: 'web' })
  const handlers = createHandlers(core)
  const api = { invoke: (c: string, p?: unknown) => dispatch(handlers, c, p), on: () => () => {} } as unknown as LoopwatchApi
  return { core, state: new HistoryState(() => api) }
}

describe('the History view state', () => {
  it('opens a run with the first page, then appends pages of log lines and tasks until the totals', async () => {
    const { core, state } = app()
    try {
      const runId = core.history.startRun({ scenario: 'long', clock: 'virtual' })
      for (let i = 0; i < 5000; i++) core.history.log(runId, { t: i, line: `line ${i}`, taskId: null, taskName: null, stream: 'stdout' })
      core.history.endRun(runId, { outcome: 'done' })

      await state.open(runId)
      expect(state.detail!.logs).toHaveLength(500)
      expect(state.moreLogs).toBe(1500)
      expect(state.detail!.run).toMatchObject({ logsOmitted: 3000, logsGapAt: 1000 })
      while (state.moreLogs > 0) await state.loadMore('logs')
      const lines = state.detail!.logs.map((l) => l.line)
      expect(lines).toEqual([...Array.from({ length: 1000 }, (_, i) => `line ${i}`), ...Array.from({ length: 1000 }, (_, i) => `line ${4000 + i}`)])
      expect(state.moreTasks).toBe(0)
    } finally {
      await core.close(500)
    }
  })

  it('retention: shows the saved policy, refuses out-of-bounds input before sending, saves and applies', async () => {
    const { core, state } = app()
    try {
      for (let i = 0; i < 3; i++) core.history.endRun(core.history.startRun({ scenario: 'r', clock: 'virtual' }), { outcome: 'done' })
      const r = state.retention
      await r.load()
      expect(r.draft).toEqual({ maxAgeDays: 30, maxRuns: 1000, maxMegabytes: 500 })
      expect(r.dirty).toBe(false)
      r.draft.maxRuns = null
      expect(r.problem).toBe('Keep at most (runs): a whole number from 1 to 1,000,000')
      r.draft.maxRuns = 0
      expect(r.problem).toBe('Keep at most (runs): a whole number from 1 to 1,000,000')
      await r.save()
      expect(core.history.retention().policy.maxRuns).toBe(1000)
      r.draft.maxRuns = 2
      expect(r.problem).toBeNull()
      await r.save()
      expect(core.history.retention().policy.maxRuns).toBe(2)
      expect(r.status).toMatchObject({ runCount: 2, lastApplied: { deletedRuns: 1 } })
    } finally {
      await core.close(500)
    }
  })
})
