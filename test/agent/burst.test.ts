// A burst of new tasks: the agent shows a bounded number of them per delta (its cost and the hub's
// grow with every task shown, three snapshots each over its life) and tells the hub how many it
// left out, as it does for the short tasks it folds.
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
  it(`shows the first ${AGENT_NEW_TASKS_PER_DELTA} new tasks of a delta (main and the first of 10,000 made at once), sees each of them end, reports the rest as dropped, and stays connected`, { timeout: 60_000 }, async () => {
    const hub = await startHub()
    const states: string[] = []
    watcher = watch({ app: appUrl(hub), onStatus: (s) => states.push(s.state) })
    await eventually(() => watcher!.connection.status.state === 'connected')
    const total = 10_000
    const gate = new Event()
    await run(async () => {
      const tasks = Array.from({ length: total }, (_, i) => createTask(() => gate.wait(), { name: `b${i}` }))
      // Held until the hub shows some: every one of them is live when the first delta is cut.
      await eventually(() => hub.tasks('agent-1').some((t) => t.task.name.startsWith('b')), 20_000)
      gate.set()
      for (const t of tasks) await t
      await sleep(300) // real time: deltas go out meanwhile
      await createTask(async () => {}, { name: 'last' })
    })
    await eventually(() => hub.tasks('agent-1').some((t) => t.task.name === 'last' && t.task.state === 'done'), 20_000)
    // main is new in the same delta (it made them all in its first step): it takes one place.
    const room = AGENT_NEW_TASKS_PER_DELTA - 1
    const shown = hub.tasks('agent-1').filter((t) => t.task.name.startsWith('b'))
    expect(shown.length).toBe(room)
    // The first made are the ones shown, and the hub saw each of them end.
    expect(new Set(shown.map((t) => t.task.name))).toEqual(new Set(Array.from({ length: room }, (_, i) => `b${i}`)))
    expect(shown.every((t) => t.task.state === 'done')).toBe(true)
    await eventually(() => hub.source('agent-1')!.dropped === total - room, 5_000)
    expect(states.filter((s) => s === 'waiting')).toEqual([])
    expect(hub.source('agent-1')!.state).toBe('connected')
    expect(hub.source('agent-1')!.errors).toBe(0)
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

  it('newTasksPerDelta raises the bound up to what the hub keeps; a bad value throws WatchOptionError before anything is watched', async () => {
    expect(() => watch({ app: null, newTasksPerDelta: 0 })).toThrow(WatchOptionError)
    expect(() => watch({ app: null, newTasksPerDelta: 20_001 })).toThrow(WatchOptionError)
    expect(() => watch({ app: null, newTasksPerDelta: 1.5 })).toThrow(WatchOptionError)
    const hub = await startHub()
    watcher = watch({ app: appUrl(hub), newTasksPerDelta: 5_000 })
    await eventually(() => watcher!.connection.status.state === 'connected')
    const gate = new Event()
    await run(async () => {
      const tasks = Array.from({ length: 6_000 }, (_, i) => createTask(() => gate.wait(), { name: `n${i}` }))
      await eventually(() => hub.tasks('agent-1').some((t) => t.task.name.startsWith('n')), 20_000)
      gate.set()
      for (const t of tasks) await t
      await sleep(300)
      await createTask(async () => {}, { name: 'last' })
    })
    await eventually(() => hub.tasks('agent-1').some((t) => t.task.name === 'last' && t.task.state === 'done'), 20_000)
    // main took one of the first delta's places.
    expect(hub.tasks('agent-1').filter((t) => t.task.name.startsWith('n')).length).toBe(4_999)
    await eventually(() => hub.source('agent-1')!.dropped === 1_001, 5_000)
  })
})
