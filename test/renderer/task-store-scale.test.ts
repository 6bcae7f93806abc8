// What the store keeps as snapshots arrive, so the window costs nothing per task per delta: counts
// per loop and state, the folded (removed) ended tasks, children and awaiters by id.
import { describe, expect, it } from 'vitest'
import { liveCounts, liveCountsByLoop } from '../../src/renderer/src/state/live-counts'
import { TaskStore } from '../../src/renderer/src/state/task-store.svelte'
import { TaskTableState } from '../../src/renderer/src/state/task-table.svelte'
import { delta, task } from './helpers'

const at = (loop: number) => ({ loop, wall: loop })

describe('TaskStore at scale', () => {
  it('counts ended tasks the main side folded out of the view, per loop and final state', () => {
    const store = new TaskStore()
    const done = Array.from({ length: 5 }, () => task({ state: 'done', ended: 1 }))
    const failed = task({ state: 'failed', ended: 2 })
    const other = task({ loop: 'run-2', runId: 2, state: 'cancelled', ended: 3 })
    store.apply(delta(1, { created: [...done, failed, other, task({ state: 'waiting' })] }))
    expect(store.folded().total).toBe(0)
    store.apply(delta(2, { removed: [...done.slice(0, 3), failed, other].map((t) => t.id) }))
    expect(store.folded()).toEqual({ total: 5, states: { done: 3, failed: 1, cancelled: 1 } })
    expect(store.folded((loop) => loop === 'run-1')).toEqual({ total: 4, states: { done: 3, failed: 1 } })
    // An id the store never held (folded before any delta showed it) is not counted twice.
    store.apply(delta(3, { removed: [done[0]!.id, 999_999] }))
    expect(store.folded().total).toBe(5)
    expect(store.tasks.size).toBe(3)
  })

  it('keeps the top bar counts per loop equal to counting every task', () => {
    const store = new TaskStore()
    const ts = Array.from({ length: 40 }, (_, i) => task({ loop: `run-${i % 3}`, state: 'pending' }))
    store.apply(delta(1, { created: ts }))
    store.apply(delta(2, { changed: ts.slice(0, 30).map((t, i) => ({ ...t, state: i % 2 ? 'running' : 'waiting' })) }))
    store.apply(delta(3, { ended: ts.slice(0, 10).map((t) => ({ ...t, state: 'done', endedAt: at(5) })), changed: [{ ...ts[35]!, state: 'cancelling' }] }))
    store.apply(delta(4, { removed: ts.slice(0, 4).map((t) => t.id) }))
    expect(liveCountsByLoop(store.countsByLoop)).toEqual(liveCounts(store.tasks.values()))
    expect(liveCountsByLoop(store.countsByLoop, (l) => l === 'run-1')).toEqual(liveCounts(store.tasks.values(), (t) => t.loop === 'run-1'))
    expect(liveCountsByLoop(store.countsByLoop).live).toBe(30)
    expect(store.lastEndedByLoop.get('run-0')).toBe(5)
  })

  it('finds children and awaiters by id as awaits change and tasks go', () => {
    const store = new TaskStore()
    const main = task({ name: 'main' })
    const a = task({ name: 'a', parentId: main.id })
    const b = task({ name: 'b', parentId: main.id })
    const waiting = { kind: 'future' as const, text: 'gather (2)', taskId: null, waitsOn: [a.id, b.id] }
    store.apply(delta(1, { created: [main, a, b], changed: [] }))
    store.apply(delta(2, { changed: [{ ...main, awaiting: waiting }] }))
    expect(store.childrenOf(main.id).map((t) => t.name)).toEqual(['a', 'b'])
    expect(store.awaitedBy(a.id).map((t) => t.name)).toEqual(['main'])
    store.apply(delta(3, { changed: [{ ...main, awaiting: { kind: 'task', text: 'task b', taskId: b.id } }] }))
    expect(store.awaitedBy(a.id)).toEqual([])
    expect(store.awaitedBy(b.id).map((t) => t.name)).toEqual(['main'])
    store.apply(delta(4, { removed: [a.id] }))
    expect(store.childrenOf(main.id).map((t) => t.name)).toEqual(['b'])
  })

  it('gives the table the newest snapshot of a row between two re-shapes', () => {
    const store = new TaskStore()
    const table = new TaskTableState(store)
    const t = task({ state: 'waiting' })
    store.apply(delta(1, { created: [t] }))
    const row = table.rows[0]!
    store.apply(delta(2, { changed: [{ ...t, state: 'running' }] }))
    expect(table.current(row).state).toBe('running')
  })
})
