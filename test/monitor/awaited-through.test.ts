// A task awaiting gather(a, b) or a task group's end waits on a and b: their details name it as
// their awaiter ("Awaited by: main"), not nobody. Issue 11 §2.
import { describe, expect, it } from 'vitest'
import { createTask, currentTask, gather, sleep, taskGroup } from '../../src/main/runtime/index'
import { translateTask } from '../../src/main/sources/translate'
import { TaskStore } from '../../src/renderer/src/state/task-store.svelte'
import { parseAgentLine } from '../../src/shared/agent-protocol/index'
import { MAX_WAITS_ON } from '../../src/shared/snapshots'
import { watchedLoop } from './monitor-helper'

describe('awaited through a gather or a task group', () => {
  it('gather children show the gathering task as their awaiter; a plain await still does', async () => {
    const w = watchedLoop()
    const store = new TaskStore()
    const ids = { a: 0, b: 0, c: 0 }
    await w.loop.runUntilComplete(async () => {
      currentTask()!.name = 'main'
      const a = createTask(() => sleep(10), { name: 'a' })
      const b = createTask(() => sleep(20), { name: 'b' })
      const c = createTask(() => sleep(20), { name: 'c' })
      Object.assign(ids, { a: a.id, b: b.id, c: c.id })
      createTask(async () => void (await c), { name: 'waiter' })
      createTask(async () => {
        await sleep(1) // main is in the gather now, waiter on c
        w.monitor.flushNow()
      }, { name: 'look' })
      await gather([a, b])
    })
    for (const d of w.deltas.slice(0, 2)) store.apply(d)
    expect(store.get(w.byName('main')!.id)?.awaiting).toMatchObject({ kind: 'future', text: 'gather of 2', waitsOn: [ids.a, ids.b] })
    expect(store.awaitedBy(ids.a).map((t) => t.name)).toEqual(['main'])
    expect(store.awaitedBy(ids.b).map((t) => t.name)).toEqual(['main'])
    expect(store.awaitedBy(ids.c).map((t) => t.name)).toEqual(['waiter'])
  })

  it('a task group\'s children show the body\'s task as their awaiter while it waits for them at the end', async () => {
    const w = watchedLoop()
    const store = new TaskStore()
    let ids: number[] = []
    await w.loop.runUntilComplete(async () => {
      currentTask()!.name = 'main'
      const watcher = createTask(async () => {
        await sleep(5) // main is now at the group's end, waiting for both
        w.monitor.flushNow()
      }, { name: 'look' })
      await taskGroup(async (tg) => {
        ids = [tg.createTask(() => sleep(10), { name: 'x' }).id, tg.createTask(() => sleep(20), { name: 'y' }).id]
      })
      await watcher
    })
    for (const d of w.deltas) store.apply(d)
    // The delta cut at 5 ms: main waiting on the group, which waits on x and y.
    const atFive = w.deltas.flatMap((d) => [...d.created, ...d.changed]).filter((t) => t.name === 'main' && t.awaiting?.text.startsWith('task group'))
    expect(atFive.at(-1)?.awaiting).toMatchObject({ text: 'task group of 2', waitsOn: ids })
  })

  it('an agent\'s waitsOn is checked (bounded) and translated to the app\'s ids, unknown ones dropped', () => {
    const snap = (waitsOn: number[]) => ({
      id: 1, loop: 'l', runId: null, name: 'main', parentId: null, state: 'waiting', createdAt: { loop: 0, wall: 0 }, startedAt: null,
      endedAt: null, awaiting: { kind: 'future', text: 'gather of 2', taskId: null, waitsOn }, cancel: null, deadline: null, error: null, logCount: 0,
    })
    const line = (waitsOn: number[]) => JSON.stringify({ type: 'tasks:delta', delta: { seq: 1, created: [snap(waitsOn)], changed: [], ended: [], removed: [], logs: [], clocks: [] } })
    expect(parseAgentLine(line([2, 3])).ok).toBe(true)
    expect(parseAgentLine(line(Array.from({ length: MAX_WAITS_ON + 1 }, (_, i) => i + 2)))).toMatchObject({ ok: false })
    const known = new Map([[2, 1_000_000_002]])
    const ids = { peek: (_s: string, id: number) => known.get(id), global: (_s: string, id: number) => 1_000_000_000 + id }
    const out = translateTask(snap([2, 3]) as never, { ids, sourceId: 'agent-1', runId: 5 } as never)
    expect(out.awaiting?.waitsOn).toEqual([1_000_000_002])
  })
})
