// Issue 11 §4: every cancellation says who asked, and one that came from elsewhere says where it
// began and the way it came ("main ← gather ← Task-7 deadline at 12.9 s").
import { describe, expect, it } from 'vitest'
import { MAX_CANCEL_HOPS, TimeoutError, createTask, currentTask, gather, sleep, taskGroup, timeout, waitFor } from '../../src/main/runtime/index'
import type { CancelledError, Task } from '../../src/main/runtime/index'
import { EventLoop, VirtualClock } from '../../src/main/runtime/index'
import { TaskMonitor } from '../../src/main/monitor/index'
import { cancelSnapshotSchema } from '../../src/shared/agent-protocol/task-delta-schema'
import * as v from 'valibot'
import { manualTimers } from '../monitor/monitor-helper'
import { rejection, runVirtual } from './support'

const hop = (t: Task<unknown>) => ({ kind: 'task', id: t.id, name: t.name })

describe('cancel sources are set where they should be', () => {
  it("a program's own task.cancel() is source program and names the canceller", async () => {
    const { result } = await runVirtual(async () => {
      const victim = createTask(() => sleep(10_000), { name: 'victim' })
      const killer = createTask(
        async () => {
          await sleep(50)
          victim.cancel('enough')
        },
        { name: 'killer' },
      )
      await rejection(victim)
      await killer
      return { req: victim.cancelRequest(), killer: { id: killer.id, name: 'killer' } }
    })
    expect(result.req).toEqual({ source: 'program', reason: 'enough', at: 50, by: result.killer })
  })

  it('timeout() and waitFor cancel with source timeout; the task they await reads parent ← the timed-out task', async () => {
    const { result } = await runVirtual(async () => {
      const me = currentTask()!
      const inner = createTask(() => sleep(10_000), { name: 'inner' })
      const e = await rejection(timeout(100, async () => await inner))
      const scoped = me.cancelRequest() // withdrawn by the scope on its way out
      const viaWaitFor = createTask(() => sleep(10_000), { name: 'viaWaitFor' })
      const e2 = await rejection(waitFor(viaWaitFor, 200))
      return { e, e2, scoped, inner: inner.cancelledBy(), viaWaitFor: viaWaitFor.cancelledBy(), me: { id: me.id, name: me.name } }
    })
    expect(result.e).toBeInstanceOf(TimeoutError)
    expect(result.e2).toBeInstanceOf(TimeoutError)
    expect(result.scoped).toBeNull()
    expect(result.inner).toEqual({
      source: 'parent',
      reason: 'timeout at 0.100s',
      at: 100,
      cause: { origin: { ...result.me, source: 'timeout', reason: 'timeout at 0.100s', at: 100 }, path: [] },
    })
    expect(result.viaWaitFor?.source).toBe('parent')
    expect(result.viaWaitFor?.cause?.origin).toMatchObject({ ...result.me, source: 'timeout', at: 300 })
  })

  it("a task group's failing child cancels the others with source sibling, naming the failed child as the origin", async () => {
    const { result } = await runVirtual(async () => {
      let other!: Task<unknown>
      let failing!: Task<unknown>
      const body = currentTask()!
      let bodyCause: unknown = null
      await rejection(
        taskGroup(async (tg) => {
          other = tg.createTask(() => sleep(5000), { name: 'other' })
          failing = tg.createTask(
            async () => {
              await sleep(100)
              throw new Error('child failed')
            },
            { name: 'failing' },
          )
          try {
            await sleep(10_000)
          } finally {
            bodyCause = body.cancelledBy()
          }
        }),
      )
      return { other: other.cancelledBy(), failing: { id: failing.id, name: 'failing' }, bodyCause }
    })
    const cause = { origin: { ...result.failing, source: 'sibling', at: 100, failed: 'Error: child failed' }, path: [{ kind: 'taskGroup', name: 'task group' }] }
    expect(result.other).toEqual({ source: 'sibling', reason: 'a sibling task failed', at: 100, cause })
    expect(result.bodyCause).toEqual({ source: 'sibling', reason: 'a task in its group failed', at: 100, cause })
  })

  it("cancelling a gather's awaiter cancels the children as parent ← gather ← the awaiter's request", async () => {
    const { result } = await runVirtual(async () => {
      const a = createTask(() => sleep(10_000), { name: 'a' })
      const b = createTask(() => sleep(10_000), { name: 'b' })
      const main = createTask(() => gather([a, b]), { name: 'waiter' })
      await sleep(40)
      main.cancel('stop it', { source: 'user' })
      await rejection(main)
      return { a: a.cancelledBy(), b: b.cancelledBy(), main: { id: main.id, name: 'waiter' } }
    })
    const cause = { origin: { ...result.main, source: 'user', reason: 'stop it', at: 40 }, path: [{ kind: 'gather', name: 'gather' }] }
    expect(result.a).toEqual({ source: 'parent', reason: 'stop it', at: 40, cause })
    expect(result.b).toEqual(result.a)
  })
})

describe('cancel chains: a task cancelled because of another says so, back to the origin', () => {
  it('a deadline on one gather child cancels main: main reads deadline, main ← gather ← the child', async () => {
    const { result } = await runVirtual(async () => {
      const fast = createTask(() => sleep(100, 'fast'), { name: 'fast' })
      const slow = createTask(() => sleep(60_000), { name: 'Task-7' })
      slow.setDeadline(12_900)
      let e: CancelledError | null = null
      // main awaits the gather and lets the CancelledError that reaches it end it
      const main = createTask(
        async () => {
          try {
            await gather([fast, slow])
          } catch (err) {
            e = err as CancelledError
            throw err
          }
        },
        { name: 'main' },
      )
      await rejection(main)
      return { main: main.cancelledBy(), mainState: main.state, req: main.cancelRequest(), e: e as CancelledError | null, slow: { id: slow.id, name: 'Task-7' } }
    })
    expect(result.mainState).toBe('cancelled')
    expect(result.req).toBeNull() // nobody asked main: the child's cancellation reached it
    const origin = { ...result.slow, source: 'deadline', reason: 'deadline passed at 12.900s', at: 12_900 }
    expect(result.main).toEqual({ source: 'deadline', reason: 'deadline passed at 12.900s', at: 12_900, cause: { origin, path: [{ kind: 'gather', name: 'gather' }] } })
    expect(result.e?.origin).toEqual(origin) // the error itself says where it began
  })

  it('through tasks and a gather: top ← mid ← gather ← c ← d deadline', async () => {
    const { result } = await runVirtual(async () => {
      const d = createTask(() => sleep(60_000), { name: 'd' })
      d.setDeadline(500)
      const c = createTask(async () => await d, { name: 'c' })
      const other = createTask(() => sleep(60_000), { name: 'other' })
      const mid = createTask(async () => await gather([other, c]), { name: 'mid' })
      const top = createTask(async () => await mid, { name: 'top' })
      await rejection(top)
      return { top: top.cancelCause(), mid: mid.cancelCause(), c: c.cancelCause(), d: d.cancelCause(), hops: { mid: hop(mid), c: hop(c) }, dId: d.id }
    })
    const origin = { id: result.dId, name: 'd', source: 'deadline', reason: 'deadline passed at 0.500s', at: 500 }
    expect(result.d).toBeNull() // its own deadline: it is the origin
    expect(result.c).toEqual({ origin, path: [] })
    expect(result.mid).toEqual({ origin, path: [{ kind: 'gather', name: 'gather' }, result.hops.c] })
    expect(result.top).toEqual({ origin, path: [result.hops.mid, { kind: 'gather', name: 'gather' }, result.hops.c] })
  })

  it(`a chain longer than ${MAX_CANCEL_HOPS} links keeps the nearest ones and counts the rest`, async () => {
    const { result } = await runVirtual(async () => {
      const n = 40
      const tasks: Task<unknown>[] = [createTask(() => sleep(60_000), { name: 't40' })]
      tasks[0]!.setDeadline(10)
      for (let i = n - 1; i >= 1; i--) {
        const below = tasks[0]!
        tasks.unshift(createTask(async () => await below, { name: `t${i}` }))
      }
      await rejection(tasks[0]!)
      return { top: tasks[0]!.cancelCause(), names: tasks.map((t) => t.name), bottom: tasks[n - 1]!.id }
    })
    expect(result.top?.origin).toMatchObject({ id: result.bottom, source: 'deadline' })
    expect(result.top?.path.map((h) => h.name)).toEqual(result.names.slice(1, 1 + MAX_CANCEL_HOPS))
    expect(result.top?.more).toBe(38 - MAX_CANCEL_HOPS) // t2…t39 are the links between t1 and t40
  })

  it('a task that catches the CancelledError and ends on its own terms has no cause', async () => {
    const { result } = await runVirtual(async () => {
      const d = createTask(() => sleep(60_000), { name: 'd' })
      d.setDeadline(5)
      const catcher = createTask(async () => {
        try {
          await d
        } catch {
          return 'recovered'
        }
      })
      return { value: await catcher, cause: catcher.cancelCause(), by: catcher.cancelledBy() }
    })
    expect(result).toEqual({ value: 'recovered', cause: null, by: null })
  })
})

describe('the chain in the window: the monitor snapshot and the agent protocol carry it', () => {
  it("main's snapshot reads deadline with the chain to the gather child, and the protocol's schema accepts it (bounded)", async () => {
    const loop = new EventLoop({ clock: new VirtualClock() })
    const monitor = new TaskMonitor({ timers: manualTimers(), emit: () => {} })
    monitor.attach(loop, { label: 'run-1', runId: 1, rate: null })
    let childId = 0
    const main = loop.createTask(
      async () => {
        const slow = createTask(() => sleep(60_000), { name: 'Task-7' })
        childId = slow.id
        slow.setDeadline(12_900)
        await gather([createTask(() => sleep(100)), slow])
      },
      { name: 'main' },
    )
    await rejection(loop.runUntilComplete(main))
    monitor.flushNow()
    const snap = monitor.get(main.id)!
    expect(snap.state).toBe('cancelled')
    expect(snap.cancel).toMatchObject({
      source: 'deadline',
      at: { loop: 12_900 },
      cause: { origin: { id: childId, name: 'Task-7', source: 'deadline', reason: 'deadline passed at 12.900s', at: { loop: 12_900 } }, path: [{ kind: 'gather', name: 'gather' }] },
    })
    expect(v.safeParse(cancelSnapshotSchema, snap.cancel).success).toBe(true)
    const tooLong = { ...snap.cancel!, cause: { ...snap.cancel!.cause!, path: Array.from({ length: MAX_CANCEL_HOPS + 1 }, () => ({ kind: 'gather', name: 'gather' })) } }
    expect(v.safeParse(cancelSnapshotSchema, tooLong).success).toBe(false)
    monitor.dispose()
  })
})
