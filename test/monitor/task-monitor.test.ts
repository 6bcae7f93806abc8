import { describe, expect, it } from 'vitest'
import { EventLoop, VirtualClock, currentTask, sleep } from '../../src/main/runtime/index'
import type { Task } from '../../src/main/runtime/index'
import { watchedLoop } from './monitor-helper'

describe('TaskMonitor snapshots', () => {
  it('records parent, loop-clock times and final state of tasks created by a task', async () => {
    const w = watchedLoop()
    await w.loop.runUntilComplete(async () => {
      const me = currentTask()!
      me.name = 'main'
      const child = w.loop.createTask(async () => void (await sleep(1000)), { name: 'child' })
      await child
    })
    w.monitor.flushNow()
    const main = w.byName('main')!
    const child = w.byName('child')!
    expect(child.parentId).toBe(main.id)
    expect(main.parentId).toBeNull()
    expect(child).toMatchObject({ state: 'done', loop: 'run-1', runId: 1, createdAt: { loop: 0 }, endedAt: { loop: 1000 } })
    expect(child.startedAt?.loop).toBe(0)
    expect(main.state).toBe('done')
  })

  it('shows what a waiting task awaits: a sleep, or another task by id and name', async () => {
    const w = watchedLoop()
    await w.loop.runUntilComplete(async () => {
      currentTask()!.name = 'main'
      const sleeper = w.loop.createTask(async () => void (await sleep(2000)), { name: 'sleeper' })
      const waiter = w.loop.createTask(async () => void (await sleeper), { name: 'waiter' })
      await sleep(10)
      w.monitor.flushNow()
      await waiter
    })
    const first = w.deltas[0]!
    const sleeper = first.created.find((t) => t.name === 'sleeper')!
    const waiter = first.created.find((t) => t.name === 'waiter')!
    expect(sleeper.state).toBe('waiting')
    expect(sleeper.awaiting).toMatchObject({ kind: 'sleep', taskId: null })
    expect(sleeper.awaiting?.text).toMatch(/^sleep/)
    expect(waiter.awaiting).toEqual({ kind: 'task', text: `task #${sleeper.id} sleeper`, taskId: sleeper.id })
  })

  it('sends a task first as created, then its end as ended, each task once per delta', async () => {
    const w = watchedLoop()
    await w.loop.runUntilComplete(async () => {
      const child = w.loop.createTask(async () => void (await sleep(1000)), { name: 'child' })
      await sleep(1)
      w.monitor.flushNow()
      await child
    })
    w.monitor.flushNow()
    expect(w.deltas).toHaveLength(2)
    expect(w.deltas[0]!.created.map((t) => t.name)).toContain('child')
    expect(w.deltas[1]!.ended.map((t) => t.name)).toContain('child')
    for (const d of w.deltas) {
      const ids = [...d.created, ...d.changed, ...d.ended].map((t) => t.id)
      expect(new Set(ids).size).toBe(ids.length)
    }
    expect(w.deltas[1]!.seq).toBe(w.deltas[0]!.seq + 1)
  })

  it('records a program cancellation with its source, the task that asked, reason and loop time', async () => {
    const w = watchedLoop()
    const main = w.loop.createTask(async () => {
      const child = w.loop.createTask(async () => void (await sleep(10_000)), { name: 'child' })
      await sleep(500)
      child.cancel('enough')
      await sleep(1)
    }, { name: 'boss' })
    await w.loop.runUntilComplete(main)
    w.monitor.flushNow()
    expect(w.byName('child')).toMatchObject({
      state: 'cancelled',
      cancel: { source: 'program', by: { id: main.id, name: 'boss' }, reason: 'enough', at: { loop: 500 } },
      endedAt: { loop: 500 },
    })
  })

  it('records a user cancellation (from outside every task) with its source, reason and loop time, and no `by`', async () => {
    const w = watchedLoop()
    const child = w.loop.createTask(async () => void (await sleep(10_000)), { name: 'child' })
    w.loop.callLater(500, () => child.cancel('enough'))
    await w.loop.runUntilComplete(async () => void (await Promise.allSettled([child])))
    w.monitor.flushNow()
    expect(w.byName('child')).toMatchObject({ state: 'cancelled', cancel: { source: 'user', reason: 'enough', at: { loop: 500 } }, endedAt: { loop: 500 } })
    expect(w.byName('child')?.cancel).not.toHaveProperty('by')
  })

  it('shows a runtime deadline and keeps it as the mark once it has cancelled the task', async () => {
    const w = watchedLoop()
    await w.loop.runUntilComplete(async () => {
      const child = w.loop.createTask(async () => void (await sleep(10_000)), { name: 'child' })
      await sleep(100)
      child.setDeadline(w.loop.time() + 200)
      w.monitor.touch(child.id)
      w.monitor.flushNow()
      await sleep(1000)
    })
    w.monitor.flushNow()
    expect(w.deltas[0]!.created.find((t) => t.name === 'child')?.deadline?.at.loop).toBe(300)
    expect(w.byName('child')).toMatchObject({ state: 'cancelled', cancel: { source: 'deadline', at: { loop: 300 } }, deadline: { at: { loop: 300 } } })
  })

  it('keeps a failed task’s error with name, message and stack', async () => {
    const w = watchedLoop()
    await w.loop.runUntilComplete(async () => {
      const child = w.loop.createTask(
        async () => {
          await sleep(5)
          throw new RangeError('out of range')
        },
        { name: 'broken' },
      )
      await sleep(10)
      child.exception() // retrieved, so the runtime does not report it as never retrieved
    })
    w.monitor.flushNow()
    const broken = w.byName('broken')!
    expect(broken.state).toBe('failed')
    expect(broken.error).toMatchObject({ name: 'RangeError', message: 'out of range' })
    expect(broken.error?.stack).toContain('out of range')
  })

  it('showing a failed task’s error does not count as retrieving it: the loop still reports it never retrieved', async () => {
    const w = watchedLoop()
    const reports: string[] = []
    w.loop.setExceptionHandler((e, _where, ctx) => reports.push(`${ctx?.message}: ${ctx?.task?.name}: ${(e as Error).message}`))
    await w.loop.runUntilComplete(async () => {
      w.loop.createTask(
        async () => {
          await sleep(5)
          throw new RangeError('dropped')
        },
        { name: 'dropped' },
      )
      await sleep(10)
    })
    w.monitor.flushNow()
    expect(w.byName('dropped')?.error).toMatchObject({ name: 'RangeError', message: 'dropped' })
    w.loop.close()
    expect(reports).toEqual(['Task exception was never retrieved: dropped: dropped'])
  })

  it('attributes log lines to their task and counts them', async () => {
    const w = watchedLoop()
    await w.loop.runUntilComplete(async () => {
      const me = currentTask()!
      me.name = 'main'
      w.monitor.log('run-1', { t: 0, line: 'hello', taskId: me.id, taskName: 'main', stream: 'stdout' })
      w.monitor.log('run-1', { t: 0, line: 'world', taskId: me.id, taskName: 'main', stream: 'stdout' })
    })
    w.monitor.flushNow()
    const main = w.byName('main')!
    expect(main.logCount).toBe(2)
    expect(w.deltas.flatMap((d) => d.logs).map((l) => l.line)).toEqual(['hello', 'world'])
    expect(w.monitor.logsOf(main.id).map((l) => [l.seq, l.runId])).toEqual([
      [1, 1],
      [2, 1],
    ])
  })

  it('reports each attached loop’s clock in a delta, and drops it after detach', async () => {
    const w = watchedLoop()
    await w.loop.runUntilComplete(async () => void (await sleep(1500)))
    w.monitor.flushNow()
    expect(w.deltas.at(-1)!.clocks).toEqual([{ loop: 'run-1', now: 1500, wall: expect.any(Number), rate: null }])
    w.monitor.detach('run-1')
    expect(w.monitor.clocks()).toEqual([])
    expect(w.monitor.snapshot().tasks).toHaveLength(1)
  })

  it('forgets a loop’s tasks and announces their ids as removed', async () => {
    const w = watchedLoop()
    await w.loop.runUntilComplete(async () => void (await sleep(1)))
    w.monitor.flushNow()
    const ids = [...w.view().keys()]
    w.monitor.forget('run-1')
    w.monitor.flushNow()
    expect(w.deltas.at(-1)!.removed).toEqual(ids)
    expect(w.view().size).toBe(0)
  })

  it('evicts the oldest ended tasks beyond maxTasks, never live ones', async () => {
    const w = watchedLoop({ maxTasks: 3 })
    await w.loop.runUntilComplete(async () => {
      currentTask()!.name = 'main'
      for (let i = 0; i < 5; i++) await w.loop.createTask(async () => void (await sleep(1)), { name: `t${i}` })
      w.monitor.flushNow()
    })
    w.monitor.flushNow()
    // main was still running at the first cut, so t0..t2 made room.
    expect([...w.view().values()].map((t) => t.name)).toEqual(['main', 't3', 't4'])
  })
})

describe('TaskMonitor across loops', () => {
  it('does not name a task of another loop as the parent', async () => {
    const w = watchedLoop()
    const other = new EventLoop({ clock: new VirtualClock() })
    w.monitor.attach(other, { label: 'run-2', runId: 2, rate: null })
    let foreign: Task<unknown> | null = null
    await w.loop.runUntilComplete(async () => {
      // Created while a run-1 task is stepping, but on run-2's loop.
      foreign = other.createTask(async () => {}, { name: 'foreign' })
      w.loop.createTask(async () => {}, { name: 'local' })
      await sleep(1)
    })
    await other.runUntilComplete(foreign!)
    w.monitor.flushNow()
    expect(w.byName('foreign')).toMatchObject({ loop: 'run-2', parentId: null })
    expect(w.byName('local')?.parentId).not.toBeNull()
  })

  it('stamps each log line with the loop clock at print time, the clock task times use, beside its own t', async () => {
    const w = watchedLoop()
    await w.loop.runUntilComplete(async () => {
      const me = currentTask()!
      await sleep(1500)
      // A daemon counts t from its own start (here 500 ms after the loop's 0).
      w.monitor.log('run-1', { t: 1000, line: 'beat', taskId: me.id, taskName: 'main', stream: 'stdout' })
    })
    w.monitor.flushNow()
    const line = w.deltas.flatMap((d) => d.logs).find((l) => l.line === 'beat')!
    expect(line).toMatchObject({ t: 1000, at: 1500 })
  })
})
