import { describe, expect, it } from 'vitest'
import { sleep } from '../../src/main/runtime/index'
import type { TaskDelta } from '../../src/shared/snapshots'
import { watchedLoop } from './monitor-helper'

/** A run of `n` tasks each doing one sleep and printing a line, watched, one flush at its end. */
async function shortTasks(n: number, perDelta?: number) {
  const w = watchedLoop({ ...(perDelta === undefined ? {} : { maxTasksPerDelta: perDelta }), maxUnseenEndedPerDelta: n - 1, onFolded: (c) => folded.push([w.deltas.length, c]) })
  const folded: [deltasBefore: number, count: number][] = []
  await w.loop.runUntilComplete(async () => {
    const tasks = Array.from({ length: n }, (_, i) =>
      w.loop.createTask(async () => {
        await sleep(i % 7) // virtual ms: tasks start and end at different times
        w.monitor.log('run-1', { t: 0, line: `line ${i}`, taskId: tasksIds[i]!, taskName: null, stream: 'stdout' })
      }),
    )
    const tasksIds = tasks.map((t) => t.id)
    for (const t of tasks) await t
  })
  w.timers.advance(20)
  return { w, folded }
}

/** What the deltas carry, merged in order: as one delta would (seq aside). */
function merged(deltas: TaskDelta[]) {
  return {
    created: deltas.flatMap((d) => d.created),
    changed: deltas.flatMap((d) => d.changed),
    ended: deltas.flatMap((d) => d.ended),
    removed: deltas.flatMap((d) => d.removed),
    segments: deltas.flatMap((d) => d.segments ?? []),
    logs: deltas.flatMap((d) => d.logs.map(({ wall: _w, ...l }) => l)),
  }
}

describe('delta size (maxTasksPerDelta)', () => {
  it('cuts a flush of 2,501 snapshots into deltas of 1,000 in a row, carrying what one delta would', async () => {
    const { w, folded } = await shortTasks(2_500, 1_000)
    // One flush: three deltas, consecutive seqs, created split 1,000 / 1,000 / 499 (2 of 2,501 folded).
    expect(w.deltas.map((d) => d.seq)).toEqual([1, 2, 3])
    expect(w.deltas.map((d) => d.created.length)).toEqual([1_000, 1_000, 499])
    // Segments, lines and the folded count go with the last: every task they name came before or with it.
    expect(w.deltas.slice(0, 2).every((d) => d.segments === undefined && d.logs.length === 0)).toBe(true)
    expect(folded).toEqual([[2, 2]])
    const last = w.deltas[2]!
    const shown = new Set(w.deltas.flatMap((d) => d.created.map((t) => t.id)))
    expect(last.segments!.every((s) => shown.has(s.taskId))).toBe(true)
    expect(new Set(last.segments!.map((s) => s.taskId)).size).toBe(2_499)
    // Exactly what an uncut flush of the same run carries: each task once, final, with its times.
    const one = await shortTasks(2_500, Infinity)
    expect(one.w.deltas).toHaveLength(1)
    const a = merged(w.deltas)
    const b = merged(one.w.deltas)
    const ids = (ds: TaskDelta[]) => Math.min(...ds.flatMap((d) => d.created.map((t) => t.id)))
    const norm = (first: number) => (s: { id: number; createdAt: { loop: number }; startedAt: { loop: number } | null; endedAt: { loop: number } | null; state: string }) => [s.id - first, s.state, s.createdAt.loop, s.startedAt?.loop, s.endedAt?.loop]
    expect(a.created.map(norm(ids(w.deltas)))).toEqual(b.created.map(norm(ids(one.w.deltas))))
    expect(new Set(a.created.map((s) => s.endedAt!.loop)).size).toBe(7)
    expect(a.created.every((s) => s.state === 'done' && s.endedAt !== null && s.startedAt !== null)).toBe(true)
    const segIds = (ds: TaskDelta[], first = ids(ds)) => ds.flatMap((d) => (d.segments ?? []).map((s) => s.taskId - first))
    expect(segIds(w.deltas)).toEqual(segIds(one.w.deltas))
    expect(a.segments.map((s) => [s.first, s.segments.map((x) => [x.state, x.from, x.to]), s.open])).toEqual(b.segments.map((s) => [s.first, s.segments.map((x) => [x.state, x.from, x.to]), s.open]))
    expect(a.logs.map((l) => l.line)).toEqual(b.logs.map((l) => l.line))
    expect([a.changed, a.ended, a.removed]).toEqual([[], [], []])
  })

  it('holds at most 2,000 snapshots per delta by default, and paces the next flush by the whole flush', async () => {
    const w = watchedLoop()
    await w.loop.runUntilComplete(async () => {
      const tasks = Array.from({ length: 5_000 }, (_, i) => w.loop.createTask(async () => void (await sleep(i))))
      w.monitor.flushNow() // 5,001 created tasks: three deltas
      expect(w.deltas.map((d) => d.created.length)).toEqual([2_000, 2_000, 1_001])
      w.timers.advance(1)
      await sleep(1) // every task's first step
      w.timers.advance(50)
      expect(w.deltas).toHaveLength(3) // paced as one batch of 5,001 items: ~83 ms
      w.timers.advance(40)
      expect(w.deltas.length).toBeGreaterThan(3)
      expect(w.deltas.every((d) => d.created.length + d.changed.length + d.ended.length <= 2_000)).toBe(true)
      for (const t of tasks) t.cancel()
    })
  })
})
