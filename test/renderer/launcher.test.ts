import { describe, expect, it } from 'vitest'
import type { ScenarioInfo } from '../../src/shared/snapshots'
import { awaitChain } from '../../src/renderer/src/state/details.svelte'
import { clockFromKey, clockLabel, groupBySection } from '../../src/renderer/src/state/launcher.svelte'
import { task } from './helpers'

const scenario = (id: string, section: string): ScenarioInfo => ({
  id, title: id, section, description: '', courseSource: '', portSource: '', defaults: {}, params: [],
})

describe('launcher', () => {
  it('groups consecutive scenarios of one course section, keeping course order', () => {
    const groups = groupBySection([scenario('a', 'Task'), scenario('b', 'Task'), scenario('c', 'Awaitable'), scenario('d', 'Task')])
    expect(groups.map((g) => [g.section, g.scenarios.map((s) => s.id)])).toEqual([
      ['Task', ['a', 'b']],
      ['Awaitable', ['c']],
      ['Task', ['d']],
    ])
  })

  it('turns the clock choice into the contract clock and back into a label', () => {
    expect(clockFromKey('virtual')).toBe('virtual')
    expect(clockFromKey('60')).toEqual({ speed: 60 })
    expect(clockLabel({ speed: 10 })).toBe('10×')
  })
})

describe('await chain', () => {
  it('follows what a task awaits through other tasks and stops at a sleep', () => {
    const inner = task({ name: 'inner', awaiting: { kind: 'sleep', text: 'sleep 1.000 s', taskId: null } })
    const middle = task({ name: 'middle', awaiting: { kind: 'task', text: 'inner', taskId: inner.id } })
    const outer = task({ name: 'outer', awaiting: { kind: 'task', text: 'middle', taskId: middle.id } })
    const byId = new Map([inner, middle, outer].map((t) => [t.id, t]))
    expect(awaitChain(outer, (id) => byId.get(id)).map((a) => a.text)).toEqual(['middle', 'inner', 'sleep 1.000 s'])
  })

  it('stops at a cycle instead of looping', () => {
    const a = task({ name: 'a' })
    const b = task({ name: 'b', awaiting: { kind: 'task', text: 'a', taskId: a.id } })
    const a2 = { ...a, awaiting: { kind: 'task' as const, text: 'b', taskId: b.id } }
    const byId = new Map([[a2.id, a2], [b.id, b]])
    expect(awaitChain(a2, (id) => byId.get(id))).toHaveLength(2)
  })
})
