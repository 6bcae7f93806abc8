import { describe, expect, it } from 'vitest'
import type { LoopwatchApi } from '../../src/shared/contract'
import type { ResourcesSnapshot } from '../../src/shared/resources-contract'
import { DeadlocksState } from '../../src/renderer/src/state/deadlocks.svelte'
import { ResourcesState } from '../../src/renderer/src/state/resources.svelte'
import { TaskStore } from '../../src/renderer/src/state/task-store.svelte'
import { delta, task } from './helpers'

function lockScene(): { store: TaskStore; snapshot: ResourcesSnapshot; holder: number; waiter: number } {
  const store = new TaskStore()
  const holder = task({ name: 'holder', state: 'done', ended: 5 })
  const waiter = task({ name: 'waiter', state: 'waiting', awaiting: { kind: 'future', text: 'acquire L', taskId: null } })
  store.apply(delta(1, { created: [holder, waiter] }))
  const snapshot: ResourcesSnapshot = {
    loops: [{ loop: 'run-1', runId: 1, total: 1, resources: [{ id: 1, kind: 'Lock', label: 'L', holders: [holder.id], waiters: [{ taskId: waiter.id, op: 'acquire' }], locked: true }] }],
  }
  return { store, snapshot, holder: holder.id, waiter: waiter.id }
}

describe('DeadlocksState', () => {
  it('shows a finding only once two polls in a row found it, and drops it when it is gone', () => {
    const { store, snapshot, waiter } = lockScene()
    const resources = new ResourcesState(() => null)
    resources.snapshot = snapshot
    const deadlocks = new DeadlocksState(store, resources)
    deadlocks.update()
    expect(deadlocks.findings).toEqual([])
    deadlocks.update()
    expect(deadlocks.findings.map((f) => f.kind)).toEqual(['held-by-ended'])
    expect([...deadlocks.flagged]).toEqual([waiter])
    resources.snapshot = { loops: [{ ...snapshot.loops[0]!, resources: [] }] }
    deadlocks.update()
    expect(deadlocks.findings).toEqual([])
  })
})

describe('DeadlocksState pacing', () => {
  it('spaces out the looks that cost more than half a frame (nine times their cost between), never the cheap ones', () => {
    const { store, snapshot } = lockScene()
    const resources = new ResourcesState(() => null)
    resources.snapshot = snapshot
    // The clock readings, in order: a look reads it before and after; a skipped poll only before.
    const stamps: number[] = []
    const deadlocks = new DeadlocksState(store, resources, () => stamps.shift()!)
    stamps.push(0, 20) // a look costing 20 ms: the next one not before 200
    deadlocks.update()
    stamps.push(100) // skipped: the finding is not confirmed yet
    deadlocks.update()
    expect(stamps).toEqual([])
    expect(deadlocks.findings).toEqual([])
    stamps.push(200, 201) // looks again, and confirms
    deadlocks.update()
    expect(deadlocks.findings.map((f) => f.kind)).toEqual(['held-by-ended'])
    stamps.push(202, 203, 204, 205) // cheap looks, back to back: none skipped
    deadlocks.update()
    deadlocks.update()
    expect(stamps).toEqual([])
  })
})

describe('ResourcesState', () => {
  it('polls loop:resources and tells what one task holds and waits on', async () => {
    const { snapshot, holder, waiter } = lockScene()
    const calls: string[] = []
    const api = { invoke: async (c: string) => (calls.push(c), { ok: true, value: snapshot }), on: () => () => {} } as unknown as LoopwatchApi
    const resources = new ResourcesState(() => api, { pollMs: 60_000 })
    const unwatch = resources.watch()
    await expect.poll(() => resources.polls).toBe(1)
    unwatch()
    expect(calls).toEqual(['loop:resources'])
    expect(resources.ofTask(holder).holds.map((r) => r.label)).toEqual(['L'])
    expect(resources.ofTask(waiter).waitsOn).toEqual([{ resource: snapshot.loops[0]!.resources[0], op: 'acquire' }])
  })
})
