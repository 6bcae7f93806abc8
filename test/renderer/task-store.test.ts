import { describe, expect, it } from 'vitest'
import { TaskStore } from '../../src/renderer/src/state/task-store.svelte'
import { delta, task } from './helpers'

describe('TaskStore', () => {
  it('applies created, changed and ended snapshots as upserts by id', () => {
    const store = new TaskStore()
    const t = task({ name: 'worker-1', state: 'pending' })
    store.apply(delta(1, { created: [t] }))
    store.apply(delta(2, { changed: [{ ...t, state: 'waiting' }] }))
    expect(store.get(t.id)?.state).toBe('waiting')
    store.apply(delta(3, { ended: [{ ...t, state: 'cancelled', endedAt: { loop: 10, wall: 10 } }] }))
    expect(store.get(t.id)?.state).toBe('cancelled')
    expect(store.tasks.size).toBe(1)
  })

  it('skips a delta that is not newer than the last one applied', () => {
    const store = new TaskStore()
    const t = task({ state: 'running' })
    store.apply(delta(5, { created: [t] }))
    const version = store.version
    expect(store.apply(delta(5, { changed: [{ ...t, state: 'done' }] }))).toBe(false)
    expect(store.apply(delta(4, { changed: [{ ...t, state: 'done' }] }))).toBe(false)
    expect(store.get(t.id)?.state).toBe('running')
    expect(store.version).toBe(version)
  })

  it('drops removed tasks with their logs', () => {
    const store = new TaskStore()
    const t = task()
    store.apply(
      delta(1, {
        created: [t],
        logs: [{ seq: 1, loop: 'run-1', runId: 1, taskId: t.id, taskName: t.name, t: 0, wall: 0, stream: 'stdout', line: 'hi' }],
      }),
    )
    expect(store.logsByTask.get(t.id)).toHaveLength(1)
    store.apply(delta(2, { removed: [t.id] }))
    expect(store.get(t.id)).toBeUndefined()
    expect(store.logsByTask.has(t.id)).toBe(false)
  })

  it('files log lines under their task and keeps print order across tasks', () => {
    const store = new TaskStore()
    const a = task({ name: 'a' })
    const b = task({ name: 'b' })
    const line = (seq: number, taskId: number, text: string) => ({
      seq, loop: 'run-1', runId: 1, taskId, taskName: null, t: seq * 1000, wall: 0, stream: 'stdout' as const, line: text,
    })
    store.apply(delta(1, { created: [a, b], logs: [line(1, a.id, 'a1'), line(2, b.id, 'b1')] }))
    store.apply(delta(2, { logs: [line(3, a.id, 'a2')] }))
    expect(store.logsByTask.get(a.id)?.map((l) => l.line)).toEqual(['a1', 'a2'])
    expect(store.logs.map((l) => l.line)).toEqual(['a1', 'b1', 'a2'])
  })

  it('merges fetched log lines without duplicating streamed ones', () => {
    const store = new TaskStore()
    const a = task()
    const line = (seq: number) => ({ seq, loop: 'run-1', runId: 1, taskId: a.id, taskName: null, t: 0, wall: 0, stream: 'stdout' as const, line: `l${seq}` })
    store.apply(delta(1, { created: [a], logs: [line(2)] }))
    store.mergeTaskLogs(a.id, [line(1), line(2)])
    expect(store.logsByTask.get(a.id)?.map((l) => l.seq)).toEqual([1, 2])
  })

  it('a streamed line the details fetched first is kept once (a repeated key stops the details list rendering)', () => {
    const store = new TaskStore()
    const a = task()
    const line = (seq: number) => ({ seq, loop: 'run-1', runId: 1, taskId: a.id, taskName: null, t: 0, wall: 0, stream: 'stdout' as const, line: `l${seq}` })
    store.apply(delta(1, { created: [a], logs: [line(1)] }))
    // task:get answered with line 2 before the delta that carries it was cut
    store.mergeTaskLogs(a.id, [line(1), line(2)])
    store.apply(delta(2, { logs: [line(2), line(3)] }))
    expect(store.logsByTask.get(a.id)?.map((l) => l.seq)).toEqual([1, 2, 3])
  })

  it('replaces everything on reset and then applies only newer deltas', () => {
    const store = new TaskStore()
    store.apply(delta(1, { created: [task()] }))
    const kept = task({ name: 'kept' })
    store.reset({ seq: 10, tasks: [kept], clocks: [] })
    expect([...store.tasks.values()].map((t) => t.name)).toEqual(['kept'])
    expect(store.apply(delta(9, { created: [task()] }))).toBe(false)
    expect(store.apply(delta(11, { created: [task()] }))).toBe(true)
    expect(store.tasks.size).toBe(2)
  })

  it('extrapolates a real or scaled loop clock and freezes a virtual one', () => {
    const store = new TaskStore()
    store.apply(
      delta(1, {
        clocks: [
          { loop: 'daemons', now: 1000, wall: 50_000, rate: 60 },
          { loop: 'run-1', now: 4000, wall: 50_000, rate: null },
        ],
      }),
    )
    expect(store.loopNow('daemons', 50_500)).toBe(1000 + 500 * 60)
    expect(store.loopNow('run-1', 99_999)).toBe(4000)
    expect(store.loopNow('nowhere', 1)).toBeNull()
  })

  it('lists who awaits a task', () => {
    const store = new TaskStore()
    const inner = task({ name: 'inner' })
    const outer = task({ name: 'outer', awaiting: { kind: 'task', text: 'inner', taskId: inner.id } })
    store.apply(delta(1, { created: [inner, outer] }))
    expect(store.awaitedBy(inner.id).map((t) => t.name)).toEqual(['outer'])
  })
})
