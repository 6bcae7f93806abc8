// Issue 11 §1 + §6: a run's slow steps are kept with it in the history (bounded: the longest
// SLOW_STEP_LIMITS.perRun, texts capped), returned by history:get, deleted with the run, and in
// its JSON and trace exports. Real SQLite in a temp folder.
import { describe, expect, it } from 'vitest'
import { InvalidHistoryInputError } from '../../src/main/history'
import { SLOW_STEP_LIMITS } from '../../src/shared/history-contract'
import { runLoopLabel } from '../../src/shared/snapshots'
import type { SlowStep, TaskDelta, TaskSnapshot } from '../../src/shared/snapshots'
import { closeNow, open, rows, tempDataDir } from './helpers'

const step = (seq: number, runId: number | null, over: Partial<SlowStep> = {}): SlowStep => ({
  seq, loop: runId === null ? 'daemons' : runLoopLabel(runId), runId, taskId: 1, taskName: 'hog', durationMs: 20 + seq,
  at: { loop: seq * 100, wall: 1_700_000_000_000 + seq }, resumedFrom: 'sleep(100)', parkedOn: 'sleep(100)', ...over,
})
const snap = (id: number, runId: number, over: Partial<TaskSnapshot> = {}): TaskSnapshot => ({
  id, loop: runLoopLabel(runId), runId, name: `t${id}`, parentId: null, state: 'running',
  createdAt: { loop: 0, wall: 0 }, startedAt: { loop: 0, wall: 0 }, endedAt: null,
  awaiting: null, cancel: null, deadline: null, error: null, logCount: 0, ...over,
})
const delta = (over: Partial<Omit<TaskDelta, 'seq'>>): Omit<TaskDelta, 'seq'> => ({
  created: [], changed: [], ended: [], removed: [], logs: [], clocks: [], ...over,
})

describe('history: slow steps kept with their run', () => {
  it('stores the slow steps of a recorded run as deltas bring them, oldest first; other runs\' and the daemons\' stay out', () => {
    const h = open()
    const a = h.startRun({ scenario: 'a', clock: 'virtual' })
    const b = h.startRun({ scenario: 'b', clock: 'virtual' })
    h.recordDelta(delta({ slowSteps: [step(2, a), step(1, null), step(3, 999)] }))
    h.recordDelta(delta({ slowSteps: [step(4, a, { taskId: 2, taskName: 'other', parkedOn: null }), step(5, b)] }))
    const got = h.getRun(a)!
    expect(got.slowSteps.map((s) => s.seq)).toEqual([2, 4])
    expect(got.slowSteps[1]).toEqual({ ...step(4, a, { taskId: 2, taskName: 'other', parkedOn: null }) })
    expect(got.slowStepsOmitted).toBe(0)
    expect(h.getRun(b)!.slowSteps.map((s) => s.seq)).toEqual([5])
    expect(rows(h, 'SELECT count(*) AS n FROM run_slow_steps')).toEqual([{ n: 3 }])
  })

  it('keeps them once the history is closed and opened again (an app restart)', () => {
    const dir = tempDataDir()
    const h = open(dir)
    const id = h.startRun({ scenario: 'a', clock: 'virtual' })
    h.recordDelta(delta({ slowSteps: [step(1, id), step(2, id)] }))
    h.endRun(id, { outcome: 'done' })
    closeNow(h)
    const again = open(dir)
    expect(again.getRun(id)!.slowSteps.map((s) => [s.seq, s.taskName, s.durationMs])).toEqual([[1, 'hog', 21], [2, 'hog', 22]])
  })

  it('takes the steps of the last delta after the run ended (the monitor\'s last look), not after the stream closed', async () => {
    const h = open(tempDataDir(), { stream: { closeGraceMs: 30 } })
    const id = h.startRun({ scenario: 'a', clock: 'virtual' })
    h.endRun(id, { outcome: 'done' })
    h.recordDelta(delta({ slowSteps: [step(1, id)] }))
    await new Promise((r) => setTimeout(r, 100))
    h.recordDelta(delta({ slowSteps: [step(2, id)] }))
    expect(h.getRun(id)!.slowSteps.map((s) => s.seq)).toEqual([1])
  })

  it('keeps at most perRun a run, the longest, and counts the rest; flushes in between do not change which', () => {
    const h = open(tempDataDir(), { slowSteps: { perRun: 5 } })
    const id = h.startRun({ scenario: 'a', clock: 'virtual' })
    // Durations 21…32, arriving shuffled over three flushes.
    const all = [7, 1, 12, 3, 9, 5, 2, 11, 4, 8, 6, 10].map((n) => step(n, id))
    h.recordDelta(delta({ slowSteps: all.slice(0, 4) }))
    h.flush()
    h.recordDelta(delta({ slowSteps: all.slice(4, 9) }))
    h.flush()
    h.recordDelta(delta({ slowSteps: all.slice(9) }))
    const got = h.getRun(id)!
    expect(got.slowSteps.map((s) => s.seq).sort((x, y) => x - y)).toEqual([8, 9, 10, 11, 12])
    expect(got.slowStepsOmitted).toBe(7)
    expect(rows(h, 'SELECT count(*) AS n FROM run_slow_steps WHERE run_id = ?', id)).toEqual([{ n: 5 }])
  })

  it('bounds a burst between flushes in memory too, and counts what it dropped', () => {
    const h = open(tempDataDir(), { slowSteps: { perRun: 3, flushMs: 60_000 } })
    const id = h.startRun({ scenario: 'a', clock: 'virtual' })
    h.recordDelta(delta({ slowSteps: Array.from({ length: 50 }, (_, i) => step(i + 1, id)) }))
    const got = h.getRun(id)!
    expect(got.slowSteps.map((s) => s.seq)).toEqual([48, 49, 50])
    expect(got.slowStepsOmitted).toBe(47)
  })

  it('caps names and await texts, skips a step whose numbers cannot be stored, and ignores a repeated one', () => {
    const h = open()
    const id = h.startRun({ scenario: 'a', clock: 'virtual' })
    const long = 'x'.repeat(5_000)
    h.recordDelta(delta({
      slowSteps: [
        step(1, id, { taskName: long, resumedFrom: long, parkedOn: long }),
        step(2, id, { durationMs: Number.NaN }),
        step(3, id, { taskId: 2 ** 60 }),
        step(4, id, { at: { loop: Infinity, wall: 0 } }),
        step(1, id),
      ],
    }))
    const got = h.getRun(id)!.slowSteps
    expect(got).toHaveLength(1)
    expect(got[0]!.taskName).toHaveLength(SLOW_STEP_LIMITS.nameChars)
    expect(got[0]!.taskName.endsWith('…')).toBe(true)
    expect(got[0]!.resumedFrom).toHaveLength(SLOW_STEP_LIMITS.awaitChars)
    expect(got[0]!.parkedOn).toHaveLength(SLOW_STEP_LIMITS.awaitChars)
  })

  it('a page may leave them out (slowSteps: false); a bad flag is a typed error', () => {
    const h = open()
    const id = h.startRun({ scenario: 'a', clock: 'virtual' })
    h.recordDelta(delta({ slowSteps: [step(1, id)] }))
    expect(h.getRun(id, { slowSteps: false })!.slowSteps).toEqual([])
    expect(h.getRun(id)!.slowSteps).toHaveLength(1)
    expect(() => h.getRun(id, { slowSteps: 'yes' as unknown as boolean })).toThrow(InvalidHistoryInputError)
  })

  it('retention deletes them with their run', () => {
    const h = open()
    const id = h.startRun({ scenario: 'a', clock: 'virtual' })
    h.recordDelta(delta({ slowSteps: [step(1, id), step(2, id)] }))
    h.endRun(id, { outcome: 'done' })
    h.flush()
    h.applyRetention({ maxAgeDays: 1, maxRuns: 1, maxMegabytes: 500 })
    expect(rows(h, 'SELECT count(*) AS n FROM run_slow_steps')).toEqual([{ n: 2 }])
    h.startRun({ scenario: 'b', clock: 'virtual' })
    h.endRun(h.startRun({ scenario: 'c', clock: 'virtual' }), { outcome: 'done' })
    h.applyRetention({ maxAgeDays: 1, maxRuns: 1, maxMegabytes: 500 })
    expect(h.getRun(id)).toBeNull()
    expect(rows(h, 'SELECT count(*) AS n FROM run_slow_steps WHERE run_id = ?', id)).toEqual([{ n: 0 }])
  })

  it('the JSON export lists them after the logs; the trace has each as an instant on its task\'s track', async () => {
    const h = open()
    const id = h.startRun({ scenario: 'a', clock: 'virtual' })
    h.recordTask(id, { taskId: 1, name: 'hog', parentId: null, createdAt: 0, startedAt: 0, endedAt: 500, state: 'done', cancelSource: null, cancelReason: null, errorName: null, errorMessage: null, stack: null })
    h.recordDelta(delta({ created: [snap(1, id, { name: 'hog' })], clocks: [{ loop: runLoopLabel(id), now: 0, wall: 0, rate: null }] }))
    h.recordDelta(delta({ slowSteps: [step(1, id), step(2, id, { durationMs: 45.25 })] }))
    h.endRun(id, { outcome: 'done' })
    const json = JSON.parse(await h.exportRun(id, 'json'))
    expect(json).toMatchObject({ format: 'loopwatch-run', version: 3, slowStepsOmitted: 0 })
    expect(json.slowSteps.map((s: SlowStep) => [s.seq, s.taskId, s.durationMs, s.at.loop])).toEqual([[1, 1, 21, 100], [2, 1, 45.25, 200]])
    expect(json.tasks).toHaveLength(1)
    const trace = JSON.parse(await h.exportRun(id, 'trace'))
    const marks = trace.traceEvents.filter((e: { cat?: string }) => e.cat === 'slow-step')
    expect(marks).toEqual([
      expect.objectContaining({ ph: 'i', s: 't', pid: id, tid: 1, ts: 100_000, name: 'slow step 21.0 ms' }),
      expect.objectContaining({ ph: 'i', s: 't', pid: id, tid: 1, ts: 200_000, name: 'slow step 45.3 ms', args: expect.objectContaining({ durationMs: 45.25, resumedFrom: 'sleep(100)' }) }),
    ])
    // A run with none: an empty list, the document still whole.
    const none = h.startRun({ scenario: 'b', clock: 'virtual' })
    h.endRun(none, { outcome: 'done' })
    expect(JSON.parse(await h.exportRun(none, 'json')).slowSteps).toEqual([])
  })
})
