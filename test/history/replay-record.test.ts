import { inflateRawSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { TaskMonitor } from '../../src/main/monitor/index'
import { createScenarioRun, getScenario } from '../../src/main/scenarios/index'
import { runLoopLabel } from '../../src/shared/snapshots'
import type { TaskDelta, TaskSnapshot } from '../../src/shared/snapshots'
import type { OpenedHistory } from '../../src/main/history'
import { manualTimers } from '../monitor/monitor-helper'
import { open, rows, tempDataDir } from './helpers'

/** Runs a scenario on the virtual clock with a monitor whose deltas go to `h.recordDelta`. */
async function recordRun(h: OpenedHistory, id: string, params: Record<string, unknown> = {}) {
  const runId = h.startRun({ scenario: id, params, clock: 'virtual' })
  const label = runLoopLabel(runId)
  const timers = manualTimers()
  const monitor = new TaskMonitor({ timers, emit: (d) => h.recordDelta(d) })
  const run = createScenarioRun(getScenario(id)!, params, { clock: 'virtual', outDir: tempDataDir() })
  monitor.attach(run.loop, { label, runId, rate: null })
  run.onRecord((rec) => monitor.log(label, rec))
  // A delta every 100 ms of loop time, as a scaled run's would come at 60 a second.
  const tick = () => {
    monitor.flushNow()
    if (run.loop.allTasks().size > 0) run.loop.callLater(100, tick)
  }
  run.loop.callLater(100, tick)
  const result = await run.start()
  monitor.detach(label)
  h.endRun(runId, { outcome: result.outcome, error: result.error })
  // The monitor's last look at the detached loop comes after the run ended, as in the app.
  monitor.flushNow()
  return { runId, monitor }
}

const snap = (id: number, runId: number | null, loop: string, over: Partial<TaskSnapshot> = {}): TaskSnapshot => ({
  id, loop, runId, name: `t${id}`, parentId: null, state: 'waiting',
  createdAt: { loop: 0, wall: 0 }, startedAt: { loop: 0, wall: 0 }, endedAt: null,
  awaiting: null, cancel: null, deadline: null, error: null, logCount: 0, ...over,
})
const delta = (over: Partial<Omit<TaskDelta, 'seq'>>): Omit<TaskDelta, 'seq'> => ({
  created: [], changed: [], ended: [], removed: [], logs: [], clocks: [], ...over,
})

const batchesOf = (h: OpenedHistory, runId: number) => h.events({ runId, limit: 64 }).chunks.flatMap((c) => c.batches)

describe('history: a run\'s recorded event stream', () => {
  it('keeps every delta of the run as compressed batches: tasks, segments, log lines, in order', async () => {
    const h = open()
    const { runId } = await recordRun(h, 'graceful-cancel')
    const page = h.events({ runId })
    expect(page.truncated).toBe(false)
    expect(page.chunkTotal).toBeGreaterThan(0)
    expect(page.next).toBeNull()
    const batches = page.chunks.flatMap((c) => c.batches)
    expect(page.batchTotal).toBe(batches.length)
    // A delta is cut each 100 ms of loop time when something changed: db_operation wakes each second.
    expect(batches.length).toBeGreaterThanOrEqual(6)
    // In loop-time order, and only this run's tasks.
    batches.slice(1).forEach((b, i) => expect(b.t).toBeGreaterThanOrEqual(batches[i]!.t))
    const tasks = batches.flatMap((b) => b.tasks ?? [])
    expect(tasks.every((t) => t.runId === runId)).toBe(true)
    expect(new Set(tasks.map((t) => t.name))).toEqual(new Set(['main', 'db_operation']))
    // The last look (after endRun) is in: every task's final snapshot is final.
    const last = new Map(tasks.map((t) => [t.id, t]))
    for (const t of last.values()) expect(t.endedAt).not.toBeNull()
    expect(batches.some((b) => (b.segments ?? []).some((a) => a.segments.some((s) => s.state === 'cancelling')))).toBe(true)
    expect(batches.flatMap((b) => b.logs ?? []).length).toBeGreaterThan(0)
    // What is stored is deflate of the batches' JSON, and `bytes` counts it.
    const stored = rows<{ data: ArrayBuffer }>(h, 'SELECT data FROM run_stream_chunks WHERE run_id = ? ORDER BY seq', runId)
    expect(stored.reduce((n, r) => n + r.data.byteLength, 0)).toBe(page.bytes)
    expect(JSON.parse(inflateRawSync(Buffer.from(stored[0]!.data)).toString('utf8'))).toEqual(page.chunks[0]!.batches)
  })

  it('cuts a delta per run: another run\'s and the daemons\' tasks stay out; a connected process\'s tasks go to its run', () => {
    const h = open(tempDataDir(), { stream: { closeGraceMs: 60_000 } })
    const a = h.startRun({ scenario: 'a', clock: 'virtual' })
    const agent = h.startRun({ scenario: 'agent:py', clock: 'virtual' })
    h.recordDelta(delta({
      created: [snap(1, a, runLoopLabel(a)), snap(1_000_000_001, agent, 'agent-1/main'), snap(2, null, 'daemons'), snap(3, 999, 'run-999')],
      segments: [
        { taskId: 1, first: 0, segments: [{ state: 'running', from: 0, to: 5 }], open: { state: 'waiting', from: 5 } },
        { taskId: 2, first: 0, segments: [{ state: 'running', from: 0, to: 1 }], open: null },
      ],
      logs: [{ seq: 1, loop: 'agent-1/main', runId: agent, taskId: 1_000_000_001, taskName: 't', t: 3, wall: 0, stream: 'stdout', line: 'hi' }],
      clocks: [{ loop: runLoopLabel(a), now: 7, wall: 0, rate: null }, { loop: 'agent-1/main', now: 40, wall: 0, rate: 1 }],
    }))
    expect(batchesOf(h, a)).toEqual([{ t: 7, tasks: [snap(1, a, runLoopLabel(a))], segments: [expect.objectContaining({ taskId: 1 })] }])
    const ofAgent = batchesOf(h, agent)
    expect(ofAgent).toHaveLength(1)
    expect(ofAgent[0]).toMatchObject({ t: 40, tasks: [{ id: 1_000_000_001 }], logs: [{ line: 'hi' }] })
    expect(ofAgent[0]!.segments).toBeUndefined()
  })

  it('bounds a run\'s stream: past the byte cap recording stops, the stream says truncated, what was kept stays readable', async () => {
    const h = open(tempDataDir(), { stream: { maxBytes: 6_000, chunkRawBytes: 4_000 } })
    const { runId } = await recordRun(h, 'load', { tasks: 300, live: 100, sleeps: 3, seed: 3 })
    const page = h.events({ runId, limit: 64 })
    expect(page.truncated).toBe(true)
    expect(page.bytes).toBeLessThanOrEqual(6_000)
    expect(page.chunkTotal).toBeGreaterThan(0)
    const stored = rows<{ n: number; b: number }>(h, 'SELECT count(*) AS n, sum(length(data)) AS b FROM run_stream_chunks WHERE run_id = ?', runId)[0]!
    expect(stored).toEqual({ n: page.chunkTotal, b: page.bytes })
    // Nothing more is taken for it.
    h.recordDelta(delta({ created: [snap(50_000, runId, runLoopLabel(runId))] }))
    h.flush()
    expect(h.events({ runId, limit: 64 }).chunkTotal).toBe(page.chunkTotal)
  })

  it('pages chunks by `from`, at most `limit` a page, until `next` is null', () => {
    const h = open(tempDataDir(), { stream: { chunkRawBytes: 1, closeGraceMs: 60_000 } })
    const runId = h.startRun({ scenario: 'p', clock: 'virtual' })
    for (let i = 1; i <= 7; i++) h.recordDelta(delta({ created: [snap(i, runId, runLoopLabel(runId))], clocks: [{ loop: runLoopLabel(runId), now: i * 10, wall: 0, rate: null }] }))
    const seen: number[] = []
    let pages = 0
    for (let from: number | null = 0; from !== null; pages++) {
      const page = h.events({ runId, from, limit: 3 })
      expect(page.chunks.length).toBeLessThanOrEqual(3)
      seen.push(...page.chunks.flatMap((c) => c.batches.map((b) => b.t)))
      from = page.next
    }
    expect(pages).toBe(3)
    expect(seen).toEqual([10, 20, 30, 40, 50, 60, 70])
  })

  it('closes a run\'s stream a grace after its end: later deltas of it are not kept', async () => {
    const h = open(tempDataDir(), { stream: { closeGraceMs: 30 } })
    const runId = h.startRun({ scenario: 'g', clock: 'virtual' })
    const label = runLoopLabel(runId)
    h.recordDelta(delta({ created: [snap(1, runId, label)] }))
    h.endRun(runId, { outcome: 'done' })
    h.recordDelta(delta({ ended: [snap(1, runId, label, { state: 'done', endedAt: { loop: 9, wall: 0 } })] }))
    expect(batchesOf(h, runId)).toHaveLength(2)
    let n = 0
    await expect.poll(() => {
      const name = `late-${++n}`
      h.recordDelta(delta({ changed: [snap(1, runId, label, { name })] }))
      return batchesOf(h, runId).some((b) => b.tasks?.[0]?.name === name)
    }, { timeout: 5_000, interval: 20 }).toBe(false)
    const before = batchesOf(h, runId).length
    h.recordDelta(delta({ changed: [snap(1, runId, label, { name: 'later' })] }))
    expect(batchesOf(h, runId)).toHaveLength(before)
  })

  it('retention deletes a run\'s stream with the run', async () => {
    const h = open()
    const { runId: old } = await recordRun(h, 'graceful-cancel')
    const { runId: kept } = await recordRun(h, 'graceful-cancel')
    h.flush()
    expect(rows(h, 'SELECT 1 FROM run_stream_chunks WHERE run_id = ?', old).length).toBeGreaterThan(0)
    h.applyRetention({ maxAgeDays: 30, maxRuns: 1, maxMegabytes: 500 })
    expect(rows(h, 'SELECT 1 FROM run_stream_chunks WHERE run_id = ?', old)).toHaveLength(0)
    expect(rows(h, 'SELECT 1 FROM run_streams WHERE run_id = ?', old)).toHaveLength(0)
    expect(h.events({ runId: kept }).chunkTotal).toBeGreaterThan(0)
  })

  it('refuses a bad events request with a typed error, and answers an empty stream for a run recorded without one', () => {
    const h = open()
    const runId = h.startRun({ scenario: 'x', clock: 'virtual' })
    expect(() => h.events({ runId: 0 })).toThrow(expect.objectContaining({ code: 'invalid-input' }))
    expect(() => h.events({ runId, limit: 10_000 })).toThrow(expect.objectContaining({ code: 'invalid-input' }))
    expect(() => h.events({ runId, from: -1 })).toThrow(expect.objectContaining({ code: 'invalid-input' }))
    expect(() => h.events({ runId: 12345 })).toThrow(expect.objectContaining({ code: 'run-not-found' }))
    h.db.prepare('DELETE FROM run_streams WHERE run_id = ?').run(runId)
    expect(h.events({ runId })).toEqual({ runId, chunkTotal: 0, batchTotal: 0, bytes: 0, truncated: false, chunks: [], next: null })
  })
})
