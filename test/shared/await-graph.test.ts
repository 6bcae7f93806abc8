import { describe, expect, it } from 'vitest'
import { awaitKind, buildAwaitGraph, resourceOf, taskKey, taskNodeId } from '../../src/shared/await-graph'
import type { AwaitGraph } from '../../src/shared/await-graph'
import type { AwaitSnapshot } from '../../src/shared/snapshots'
import { task } from '../renderer/helpers'

const gatherOf = (ids: number[]): AwaitSnapshot => ({ kind: 'future', text: `gather of ${ids.length}`, taskId: null, waitsOn: ids })
const onTask = (id: number): AwaitSnapshot => ({ kind: 'task', text: `task #${id}`, taskId: id })
const future = (text: string): AwaitSnapshot => ({ kind: 'future', text, taskId: null })

function edgesOf(g: AwaitGraph): string[] {
  return g.edges.map((e) => `${e.from}>${e.to}`)
}

describe('buildAwaitGraph', () => {
  it('puts a gather node between its awaiter and each child, edges from waiter to awaited', () => {
    const a = task({ name: 'a', state: 'waiting', awaiting: { kind: 'sleep', text: 'sleep until 4.000s', taskId: null } })
    const b = task({ name: 'b', state: 'waiting', awaiting: { kind: 'sleep', text: 'sleep until 1.000s', taskId: null } })
    const main = task({ name: 'main', state: 'waiting', awaiting: gatherOf([a.id, b.id]) })
    const g = buildAwaitGraph([main, a, b])

    const gatherNode = g.nodes.find((n) => n.kind === 'gather')!
    expect(gatherNode).toMatchObject({ id: `w:${main.id}`, label: 'gather of 2', taskId: null })
    expect(edgesOf(g).sort()).toEqual(
      [`t:${main.id}>w:${main.id}`, `w:${main.id}>t:${a.id}`, `w:${main.id}>t:${b.id}`].sort(),
    )
    // A sleep is a note on its task, not a node of its own.
    expect(g.nodes.map((n) => n.kind).sort()).toEqual(['gather', 'task', 'task', 'task'])
    expect(g.nodes.find((n) => n.taskId === a.id)).toMatchObject({ label: 'a', state: 'waiting', note: 'sleep until 4.000s' })
  })

  it('links a task awaiting another task straight to it, and a task group through its node', () => {
    const child = task({ name: 'child', state: 'running' })
    const body = task({ name: 'body', state: 'waiting', awaiting: { kind: 'future', text: 'task group of 1', taskId: null, waitsOn: [child.id] } })
    const top = task({ name: 'top', state: 'waiting', awaiting: onTask(body.id) })
    const g = buildAwaitGraph([top, body, child])
    expect(g.nodes.find((n) => n.id === `w:${body.id}`)?.kind).toBe('taskGroup')
    expect(edgesOf(g)).toContain(`t:${top.id}>t:${body.id}`)
    expect(edgesOf(g)).toContain(`w:${body.id}>t:${child.id}`)
  })

  it('keeps ended tasks a live one still waits on and drops the others', () => {
    const done = task({ name: 'done-child', state: 'done', ended: 5 })
    const live = task({ name: 'live-child', state: 'waiting' })
    const unrelated = task({ name: 'old', state: 'done', ended: 1 })
    const main = task({ name: 'main', state: 'waiting', awaiting: gatherOf([done.id, live.id]) })
    const g = buildAwaitGraph([main, done, live, unrelated])
    const names = g.nodes.filter((n) => n.kind === 'task').map((n) => n.label).sort()
    expect(names).toEqual(['done-child', 'live-child', 'main'])
    expect(g.nodes.find((n) => n.label === 'done-child')?.state).toBe('done')
  })

  it('classifies what a task is parked on from its text: lock, queue, event, waitFor, shield, future', () => {
    expect(awaitKind(future('lock'))).toBe('lock')
    expect(awaitKind(future('Semaphore acquire'))).toBe('lock')
    expect(awaitKind(future('queue get'))).toBe('queue')
    expect(awaitKind(future('event wait'))).toBe('event')
    expect(awaitKind(future('waitFor 1.0 s'))).toBe('waitFor')
    expect(awaitKind(future('wait_for'))).toBe('waitFor')
    expect(awaitKind(future('shield'))).toBe('shield')
    expect(awaitKind(future('gather (2)'))).toBe('gather')
    expect(awaitKind(future('Future'))).toBe('future')
  })

  it('gives a named resource one node for all its waiters and an anonymous wait one node per waiter', () => {
    const w1 = task({ name: 'w1', state: 'waiting', awaiting: future('acquire Lock-3') })
    const w2 = task({ name: 'w2', state: 'waiting', awaiting: future('acquire Lock-3') })
    const q1 = task({ name: 'q1', state: 'waiting', awaiting: future('queue get') })
    const q2 = task({ name: 'q2', state: 'waiting', awaiting: future('queue get') })
    // The same label on another loop is another lock.
    const other = task({ name: 'other', state: 'waiting', awaiting: future('acquire Lock-3'), loop: 'agent-1/main' })
    const g = buildAwaitGraph([w1, w2, q1, q2, other])
    expect(g.nodes.filter((n) => n.kind === 'lock').map((n) => [n.id, n.label])).toEqual([
      ['r:run-1/Lock-3', 'Lock-3'],
      ['r:agent-1/main/Lock-3', 'Lock-3'],
    ])
    expect(edgesOf(g)).toEqual(expect.arrayContaining([`t:${w1.id}>r:run-1/Lock-3`, `t:${w2.id}>r:run-1/Lock-3`, `t:${other.id}>r:agent-1/main/Lock-3`]))
    expect(g.nodes.filter((n) => n.kind === 'queue').map((n) => n.id).sort()).toEqual([`w:${q1.id}`, `w:${q2.id}`].sort())
  })

  it('reads a tracked resource wait (`<op> <label>`): the kind from a default label, else from the op', () => {
    expect(resourceOf(future('acquire Lock-3'))).toEqual({ label: 'Lock-3', kind: 'lock' })
    expect(resourceOf(future('wait Condition-1'))).toEqual({ label: 'Condition-1', kind: 'event' })
    expect(resourceOf(future('acquire Condition-1'))).toEqual({ label: 'Condition-1', kind: 'event' })
    expect(resourceOf(future('put LifoQueue-2'))).toEqual({ label: 'LifoQueue-2', kind: 'queue' })
    expect(resourceOf(future('get jobs'))).toEqual({ label: 'jobs', kind: 'queue' })
    expect(resourceOf(future('acquire db'))).toEqual({ label: 'db', kind: 'lock' })
    expect(resourceOf(future('wait ready'))).toEqual({ label: 'ready', kind: 'event' })
    expect(resourceOf(future('queue get'))).toBeNull()
    expect(resourceOf(future('Future'))).toBeNull()
    expect(awaitKind(future('join Queue-4'))).toBe('queue')
  })

  it('shows a cycle as edges both ways (the deadlock flags come from elsewhere)', () => {
    const a = task({ name: 'a', state: 'waiting' })
    const b = task({ name: 'b', state: 'waiting', awaiting: onTask(a.id) })
    a.awaiting = onTask(b.id)
    const g = buildAwaitGraph([a, b])
    expect(edgesOf(g).sort()).toEqual([`t:${a.id}>t:${b.id}`, `t:${b.id}>t:${a.id}`].sort())
  })

  it('keeps its ids and structure key when only states change, and changes the key when a wait does', () => {
    const a = task({ name: 'a', state: 'running' })
    const main = task({ name: 'main', state: 'waiting', awaiting: gatherOf([a.id]) })
    const before = buildAwaitGraph([main, a])
    const statesOnly = buildAwaitGraph([main, { ...a, state: 'waiting', awaiting: { kind: 'sleep', text: 'sleep', taskId: null } }])
    expect(statesOnly.structureKey).toBe(before.structureKey)
    expect(statesOnly.nodes.map((n) => n.id)).toEqual(before.nodes.map((n) => n.id))
    const rewired = buildAwaitGraph([{ ...main, awaiting: onTask(a.id) }, a])
    expect(rewired.structureKey).not.toBe(before.structureKey)
  })

  it('caps the graph: at most maxNodes nodes, the rest one "+N more" node, chains kept whole', () => {
    const tasks = []
    for (let i = 0; i < 50; i++) {
      const leaf = task({ name: `leaf-${i}`, state: 'waiting' })
      tasks.push(leaf, task({ name: `root-${i}`, state: 'waiting', awaiting: onTask(leaf.id) }))
    }
    const g = buildAwaitGraph(tasks, { maxNodes: 11 })
    expect(g.nodes).toHaveLength(11)
    expect(g.hidden).toBe(90)
    expect(g.nodes.at(-1)).toMatchObject({ id: 'more', kind: 'more', label: '+90 more' })
    // Walked from the roots: each kept root comes with its leaf, so no edge points into "more".
    const kept = g.nodes.filter((n) => n.kind === 'task')
    expect(kept.filter((n) => n.label.startsWith('root-'))).toHaveLength(5)
    expect(g.edges.every((e) => e.to !== 'more')).toBe(true)
    expect(g.edges).toHaveLength(5)
  })

  it('sends edges into what the cap left out to the "+N more" node', () => {
    const kids = Array.from({ length: 20 }, (_, i) => task({ name: `k${i}`, state: 'waiting' }))
    const main = task({ name: 'main', state: 'waiting', awaiting: gatherOf(kids.map((k) => k.id)) })
    const g = buildAwaitGraph([main, ...kids], { maxNodes: 6 })
    expect(g.nodes.map((n) => n.label)).toEqual(['main', 'gather of 20', 'k0', 'k1', 'k2', '+17 more'])
    expect(edgesOf(g)).toContain(`w:${main.id}>more`)
    expect(g.edges.filter((e) => e.to === 'more')).toHaveLength(1)
  })

  it('keys a task by its app-wide id for the flagged sets', () => {
    expect(taskKey(1_000_000_007)).toBe('1000000007')
    expect(taskNodeId(12)).toBe('t:12')
  })
})
