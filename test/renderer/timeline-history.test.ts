import { describe, expect, it } from 'vitest'
import type { SegmentAppend, StateSegment } from '../../src/shared/snapshots'
import { TaskStore } from '../../src/renderer/src/state/task-store.svelte'
import { barStretches, stretchAt } from '../../src/renderer/src/state/timeline.svelte'
import { delta, task } from './helpers'

/** graceful-cancel's db_operation as the monitor sends it: five 1 s waits woken for an instant, then 1 s cancelling. */
function dbOperationSegments(): StateSegment[] {
  const rounds = [0, 1000, 2000, 3000, 4000].flatMap((at): StateSegment[] => [
    { state: 'running', from: at, to: at },
    { state: 'waiting', from: at, to: at + 1000 },
  ])
  return [...rounds, { state: 'cancelling', from: 5000, to: 6000 }]
}

describe('timeline bars from state histories', () => {
  it('a virtual run that arrived in one batch paints each round: an instant running, a hatched second waiting, then amber cancelling', () => {
    const store = new TaskStore()
    const db = task({ name: 'db_operation', state: 'done', at: 0, ended: 6000 })
    const segs = dbOperationSegments()
    store.apply(delta(1, { created: [db], segments: [{ taskId: db.id, first: 0, segments: segs, open: null }] }))

    const bar = barStretches(db, store.histories.get(db.id), 'loop', 6000, 6000)
    expect(bar).toEqual(segs)
    expect(stretchAt(bar, 2500)).toEqual({ state: 'waiting', from: 2000, to: 3000 })
    expect(stretchAt(bar, 5200)?.state).toBe('cancelling')
  })

  it('a live task at 1× grows its current stretch up to now and closes it when the next delta arrives', () => {
    const store = new TaskStore()
    const w = task({ name: 'worker-1', state: 'waiting', at: 100 })
    const first: SegmentAppend = { taskId: w.id, first: 0, segments: [{ state: 'running', from: 100, to: 101 }], open: { state: 'waiting', from: 101 } }
    store.apply(delta(1, { created: [w], segments: [first] }))
    expect(barStretches(w, store.histories.get(w.id), 'loop', 700, 700).at(-1)).toEqual({ state: 'waiting', from: 101, to: 700 })

    const cancelling = { ...w, state: 'cancelling' as const }
    store.apply(delta(2, { changed: [cancelling], segments: [{ taskId: w.id, first: 1, segments: [{ state: 'waiting', from: 101, to: 900 }], open: { state: 'cancelling', from: 900 } }] }))
    expect(barStretches(cancelling, store.histories.get(w.id), 'loop', 950, 950).map((s) => [s.state, s.from, s.to])).toEqual([
      ['running', 100, 101],
      ['waiting', 101, 900],
      ['cancelling', 900, 950],
    ])
  })

  it('shows the segments the cap left out as one gap with their count', () => {
    const store = new TaskStore()
    const t = task({ state: 'done', at: 0, ended: 3000 })
    const seg = (i: number): StateSegment => ({ state: i % 2 ? 'waiting' : 'running', from: i * 10, to: i * 10 + 10 })
    store.apply(
      delta(1, {
        created: [t],
        segments: [
          { taskId: t.id, first: 0, segments: Array.from({ length: 50 }, (_, i) => seg(i)), open: null },
          { taskId: t.id, first: 150, segments: Array.from({ length: 150 }, (_, i) => seg(150 + i)), open: null },
        ],
      }),
    )
    const bar = barStretches(t, store.histories.get(t.id), 'loop', null, null)
    expect(bar).toHaveLength(50 + 1 + 150)
    expect(bar[50]).toEqual({ state: 'gap', from: 500, to: 1500, count: 100 })
  })

  it('places loop times between the start and end stamps on the wall axis', () => {
    const t = task({ state: 'done', at: 0, ended: 2000 }) // wall = 1.7e12 + loop
    const bar = barStretches(t, { head: [{ state: 'waiting', from: 0, to: 2000 }], skipped: 0, tail: [], open: null }, 'wall', null, null)
    expect(bar).toEqual([{ state: 'waiting', from: t.startedAt!.wall, to: t.endedAt!.wall }])
  })

  it('without a history the bar is one stretch in the task state, up to now', () => {
    const t = task({ state: 'running', at: 100 })
    expect(barStretches(t, undefined, 'loop', 400, 400)).toEqual([{ state: 'running', from: 100, to: 400 }])
  })

  it('takes histories from a full snapshot, ignores segments of unknown tasks and forgets removed ones', () => {
    const store = new TaskStore()
    const t = task({ state: 'waiting' })
    const history = { head: [{ state: 'running' as const, from: 0, to: 0 }], skipped: 0, tail: [], open: { state: 'waiting' as const, from: 0 } }
    store.reset({ seq: 3, tasks: [{ ...t, history }], clocks: [] })
    expect(store.histories.get(t.id)).toEqual(history)
    expect(store.get(t.id)).not.toHaveProperty('history')

    store.apply(delta(4, { segments: [{ taskId: 999_999, first: 0, segments: [], open: null }] }))
    expect(store.histories.has(999_999)).toBe(false)
    store.apply(delta(5, { removed: [t.id] }))
    expect(store.histories.has(t.id)).toBe(false)
  })
})
