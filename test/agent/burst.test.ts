// A burst of new tasks: the agent shows a bounded number of them per delta (its cost and the hub's
// grow with every task shown, three snapshots each over its life); the rest wait for the next
// deltas, so long-lived tasks are all shown, and those that end while they wait are folded and
// counted to the hub as dropped, as any short task.
import { afterEach, describe, expect, it } from 'vitest'
import { AGENT_NEW_TASKS_PER_DELTA, watch } from '../../src/agent/watch'
import type { Watcher } from '../../src/agent/watch'
import { WatchOptionError } from '../../src/agent/step-timing-option'
import { Event, createTask, run, sleep } from '../../src/main/runtime/index'
import { appUrl } from '../../src/shared/agent-protocol/index'
import { eventually, startHub } from '../hub/hub-helper'

let watcher: Watcher | null = null
afterEach(async () => {
  await watcher?.close()
  watcher = null
})

describe('watch() and a burst of new tasks', () => {
  it(`shows all of 10,000 long-lived tasks made at once (${AGENT_NEW_TASKS_PER_DELTA} new a delta at most: test/monitor/new-per-flush), sees each end, and reports none dropped`, { timeout: 60_000 }, async () => {
    const hub = await startHub()
    const states: string[] = []
    watcher = watch({ app: appUrl(hub), onStatus: (s) => states.push(s.state) })
    await eventually(() => watcher!.connection.status.state === 'connected')
    const total = 10_000
    const gate = new Event()
    await run(async () => {
      const tasks = Array.from({ length: total }, (_, i) => createTask(() => gate.wait(), { name: `b${i}` }))
      const shownNow = () => hub.tasks('agent-1').filter((t) => t.task.name.startsWith('b')).length
      await eventually(() => shownNow() > 0, 20_000)
      // Held until the hub shows every one: they come a delta's share at a time.
      await eventually(() => shownNow() === total, 20_000)
      gate.set()
      for (const t of tasks) await t
      await sleep(300) // real time: deltas go out meanwhile
      await createTask(async () => {}, { name: 'last' })
    })
    await eventually(() => hub.tasks('agent-1').some((t) => t.task.name === 'last' && t.task.state === 'done'), 20_000)
    const shown = hub.tasks('agent-1').filter((t) => t.task.name.startsWith('b'))
    expect(new Set(shown.map((t) => t.task.name))).toEqual(new Set(Array.from({ length: total }, (_, i) => `b${i}`)))
    expect(shown.every((t) => t.task.state === 'done')).toBe(true)
    expect(hub.source('agent-1')!.dropped).toBe(0)
    expect(states.filter((s) => s === 'waiting')).toEqual([])
    expect(hub.source('agent-1')!.state).toBe('connected')
    expect(hub.source('agent-1')!.errors).toBe(0)
  })

  it('of 10,000 tasks made at once that end at once, the hub is shown some and told the rest were dropped: shown + dropped = made', { timeout: 60_000 }, async () => {
    const hub = await startHub()
    watcher = watch({ app: appUrl(hub) })
    await eventually(() => watcher!.connection.status.state === 'connected')
    const total = 10_000
    await run(async () => {
      const tasks = Array.from({ length: total }, (_, i) => createTask(async () => {}, { name: `q${i}` }))
      for (const t of tasks) await t
      await sleep(500) // real time: the waiting ones go out (or fold) meanwhile
      await createTask(async () => {}, { name: 'last' })
    })
    await eventually(() => hub.tasks('agent-1').some((t) => t.task.name === 'last' && t.task.state === 'done'), 20_000)
    const shown = hub.tasks('agent-1').filter((t) => t.task.name.startsWith('q'))
    expect(shown.length).toBeGreaterThan(0)
    expect(shown.length).toBeLessThan(total)
    expect(shown.every((t) => t.task.state === 'done')).toBe(true)
    await eventually(() => hub.source('agent-1')!.dropped === total - shown.length, 5_000)
  })

  it('tasks made a few at a time, fewer than the bound per delta, are all shown and none is reported dropped', { timeout: 60_000 }, async () => {
    const hub = await startHub()
    watcher = watch({ app: appUrl(hub) })
    await eventually(() => watcher!.connection.status.state === 'connected')
    await run(async () => {
      for (let r = 0; r < 5; r++) {
        const tasks = Array.from({ length: 500 }, (_, i) => createTask(() => sleep(150), { name: `s${r}-${i}` }))
        for (const t of tasks) await t
      }
      await sleep(300)
      await createTask(async () => {}, { name: 'last' })
    })
    await eventually(() => hub.tasks('agent-1').some((t) => t.task.name === 'last' && t.task.state === 'done'), 20_000)
    expect(hub.tasks('agent-1').filter((t) => t.task.name.startsWith('s')).length).toBe(2_500)
    expect(hub.source('agent-1')!.dropped).toBe(0)
  })

  it('newTasksPerDelta takes 1 to what the hub keeps (6,000 gated tasks at 5,000 a delta are all shown); a bad value throws WatchOptionError before anything is watched', async () => {
    expect(() => watch({ app: null, newTasksPerDelta: 0 })).toThrow(WatchOptionError)
    expect(() => watch({ app: null, newTasksPerDelta: 20_001 })).toThrow(WatchOptionError)
    expect(() => watch({ app: null, newTasksPerDelta: 1.5 })).toThrow(WatchOptionError)
    const hub = await startHub()
    watcher = watch({ app: appUrl(hub), newTasksPerDelta: 5_000 })
    await eventually(() => watcher!.connection.status.state === 'connected')
    const gate = new Event()
    await run(async () => {
      const tasks = Array.from({ length: 6_000 }, (_, i) => createTask(() => gate.wait(), { name: `n${i}` }))
      const shownNow = () => hub.tasks('agent-1').filter((t) => t.task.name.startsWith('n')).length
      await eventually(() => shownNow() > 0, 20_000)
      await eventually(() => shownNow() === 6_000, 20_000)
      gate.set()
      for (const t of tasks) await t
    })
    expect(hub.source('agent-1')!.dropped).toBe(0)
  })
})
