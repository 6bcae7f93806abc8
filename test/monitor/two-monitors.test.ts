import { describe, expect, it } from 'vitest'
import { EventLoop, VirtualClock, sleep } from '../../src/main/runtime/index'
import { TaskMonitor } from '../../src/main/monitor/index'
import type { TaskDelta } from '../../src/shared/snapshots'
import { manualTimers } from './monitor-helper'

/** Two monitors on one loop: the task's slot holds the first one's entry, the second looks its own up. */
describe('two monitors on one loop', () => {
  it('each records every state change of every task', async () => {
    const loop = new EventLoop({ clock: new VirtualClock() })
    const timers = manualTimers()
    const a: TaskDelta[] = []
    const b: TaskDelta[] = []
    const first = new TaskMonitor({ timers, emit: (d) => a.push(d) })
    const second = new TaskMonitor({ timers, emit: (d) => b.push(d) })
    first.attach(loop, { label: 'one', runId: null, rate: null })
    second.attach(loop, { label: 'two', runId: null, rate: null })
    let id = 0
    await loop.runUntilComplete(async () => {
      const t = loop.createTask(async () => {
        for (let i = 0; i < 3; i++) await sleep(10)
      }, { name: 'sleeper' })
      id = t.id
      await t
    })
    timers.advance(20)
    const one = first.get(id)!
    const two = second.get(id)!
    expect(one.state).toBe('done')
    expect(two.state).toBe('done')
    // running, waiting ×3 with running between: 7 closed segments, the same in both.
    expect(one.history!.head.map((s) => s.state)).toEqual(['running', 'waiting', 'running', 'waiting', 'running', 'waiting', 'running'])
    expect(two.history!.head).toEqual(one.history!.head)
    expect(one.endedAt).not.toBeNull()
    expect(two.endedAt).not.toBeNull()
  })

  it('a loop detached from the first monitor stays recorded by the second', async () => {
    const loop = new EventLoop({ clock: new VirtualClock() })
    const timers = manualTimers()
    const first = new TaskMonitor({ timers, emit: () => {} })
    const second = new TaskMonitor({ timers, emit: () => {} })
    const detachFirst = first.attach(loop, { label: 'one', runId: null, rate: null })
    second.attach(loop, { label: 'two', runId: null, rate: null })
    let id = 0
    await loop.runUntilComplete(async () => {
      const t = loop.createTask(async () => {
        await sleep(10)
        detachFirst()
        await sleep(10)
      })
      id = t.id
      await t
    })
    timers.advance(20)
    expect(second.get(id)!.history!.head.map((s) => s.state)).toEqual(['running', 'waiting', 'running', 'waiting', 'running'])
    expect(second.get(id)!.state).toBe('done')
    // The first kept what it saw before it let go: its last look was while the task ran.
    expect(first.get(id)!.state).toBe('running')
  })
})
