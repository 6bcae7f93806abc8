import { describe, expect, it } from 'vitest'
import { createHandlers, dispatch } from '../../src/main/ipc/index'
import { AppCore } from '../../src/main/app/app-core'
import { TaskMonitor } from '../../src/main/monitor/index'
import type { HistoryRunDetail } from '../../src/shared/snapshots'
import { open, rows, tempDataDir } from './helpers'

const line = (i: number) => ({ t: i, line: `line ${i}`, taskId: null, taskName: null, stream: 'stdout' as const })

describe('a run keeps its first and last N log lines and counts the rest', () => {
  it('stores head + tail rows, in print order, and says how many it left out and where', () => {
    const h = open(tempDataDir(), { logLimits: { head: 5, tail: 3 } })
    const runId = h.startRun({ scenario: 'chatty', clock: 'virtual' })
    for (let i = 0; i < 100; i++) h.log(runId, line(i))
    h.endRun(runId, { outcome: 'done' })

    const detail = h.getRun(runId)!
    expect(detail.logs.map((l) => l.line)).toEqual(['line 0', 'line 1', 'line 2', 'line 3', 'line 4', 'line 97', 'line 98', 'line 99'])
    expect(detail.logTotal).toBe(8)
    expect(detail.run.logsOmitted).toBe(92)
    expect(detail.run.logsGapAt).toBe(5)
    expect(rows(h, 'SELECT count(*) AS n FROM logs WHERE run_id = ?', runId)).toEqual([{ n: 8 }])
    expect(h.listRuns()[0]).toMatchObject({ logCount: 8, logsOmitted: 92 })
  })

  it('a run still printing is bounded on disk too, and a read sees its newest lines', () => {
    const h = open(tempDataDir(), { logLimits: { head: 4, tail: 4, tailFlushMs: 0 } })
    const runId = h.startRun({ scenario: 'endless', clock: 'virtual' })
    for (let round = 1; round <= 5; round++) {
      for (let i = 0; i < 1000; i++) h.log(runId, line(round * 1000 + i))
      h.flush()
      expect(rows(h, 'SELECT count(*) AS n FROM logs WHERE run_id = ?', runId)).toEqual([{ n: 8 }])
      const detail = h.getRun(runId)!
      expect(detail.logs.slice(4).map((l) => l.t)).toEqual([996, 997, 998, 999].map((i) => round * 1000 + i))
      expect(detail.run.logsOmitted).toBe(round * 1000 - 8)
    }
  })

  it('a run with no more lines than the cap keeps them all and reports no gap', () => {
    const h = open(tempDataDir(), { logLimits: { head: 5, tail: 5 } })
    const runId = h.startRun({ scenario: 'quiet', clock: 'virtual' })
    for (let i = 0; i < 10; i++) h.log(runId, line(i))
    h.endRun(runId, { outcome: 'done' })
    const detail = h.getRun(runId)!
    expect(detail.logs.map((l) => l.t)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    expect(detail.run).toMatchObject({ logsOmitted: 0, logsGapAt: null })
  })

  it('a very long line is cut and says by how much', () => {
    const h = open()
    const runId = h.startRun({ scenario: 'wide', clock: 'virtual' })
    h.log(runId, { ...line(0), line: 'x'.repeat(10_000) })
    h.endRun(runId, { outcome: 'done' })
    expect(h.getRun(runId)!.logs[0]!.line).toBe(`${'x'.repeat(8192)}… [1808 more characters]`)
  })

  it('an endless virtual stats-daemon run (1 ms interval) stores at most 2,000 lines and history:get stays small', async () => {
    const dataDir = tempDataDir()
    const core = new AppCore({ dataDir, host: 'web' })
    const handlers = createHandlers(core)
    try {
      const { runId } = core.runs.start('stats-daemon', { interval: 1, iterations: null }, 'virtual')
      // Real time passes while the virtual clock races ahead; wait until the cap has dropped lines.
      const deadline = Date.now() + 20_000
      while (core.history.getRun(runId, { logLimit: 1 })!.run.logsOmitted < 200_000 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50))
      }
      await core.runs.stop(runId, 1000)
      await core.runs.settled(5000)

      const reply = await dispatch(handlers, 'history:get', { runId })
      expect(reply.ok).toBe(true)
      const detail = (reply as { value: HistoryRunDetail }).value
      expect(detail.logTotal).toBe(2000)
      expect(rows(core.history, 'SELECT count(*) AS n FROM logs WHERE run_id = ?', runId)).toEqual([{ n: 2000 }])
      expect(detail.run.logsOmitted).toBeGreaterThanOrEqual(200_000)
      expect(detail.run.logsGapAt).toBe(1000)
      // The kept lines are the first 1,000 (0.001 s … 1.0 s) and, after the gap, the last ones.
      const last = core.history.getRun(runId, { logOffset: 1000, logLimit: 1000 })!.logs
      expect(detail.logs[0]!.line).toBe('0.001: stat')
      const printed = Math.round(Number.parseFloat(last.at(-1)!.line) * 1000)
      expect(detail.run.logsOmitted + detail.logTotal).toBe(printed)
      // One page (500 lines): a few tens of KB, however long the run was.
      expect(JSON.stringify(reply).length).toBeLessThan(100_000)
    } finally {
      await core.close(1000)
    }
  }, 30_000)

  it("the live window's unsent lines are bounded too: printing faster than deltas go keeps the newest", () => {
    const deltas: number[] = []
    const monitor = new TaskMonitor({ emit: (d) => deltas.push(d.logs.length), maxLogsPerDelta: 100 })
    // 100,000 lines within one step: no delta can go out in between.
    for (let i = 0; i < 100_000; i++) monitor.log('run-1', { t: i, taskId: null, taskName: null, stream: 'stdout', line: `line ${i}` })
    const pending = (monitor as unknown as { pendingLogs: { line: string }[] }).pendingLogs
    expect(pending.length).toBeLessThanOrEqual(400)
    expect(pending.at(-1)!.line).toBe('line 99999')
    monitor.dispose()
  })
})
