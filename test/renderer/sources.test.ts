import { describe, expect, it } from 'vitest'
import { TaskStore } from '../../src/renderer/src/state/task-store.svelte'
import { TaskTableState } from '../../src/renderer/src/state/task-table.svelte'
import { SourcesState, inScope, scopeGroups, sourceClockLabel, sourceScope, sourceStateLabel } from '../../src/renderer/src/state/sources.svelte'
import type { RunSummary, SourceInfo } from '../../src/shared/snapshots'
import { delta, task } from './helpers'

function source(id: string, over: Partial<SourceInfo> = {}): SourceInfo {
  return {
    id,
    name: `prog-${id}`,
    pid: 4000,
    runtime: { kind: 'node', version: '22' },
    clock: { kind: 'real' },
    role: 'service',
    state: 'connected',
    exit: null,
    connectedWall: 1,
    endedWall: null,
    loops: [`${id}/main`, `${id}/side`],
    taskCount: 2,
    runId: null,
    ...over,
  }
}

describe('sources in the window', () => {
  it('scopes the table by a whole source or one of its loops, never mixing two processes', () => {
    const store = new TaskStore()
    const table = new TaskTableState(store)
    store.apply(
      delta(1, {
        created: [
          task({ id: 1, name: 'own', loop: 'run-1' }),
          task({ id: 1_000_000_000, name: 'a-main', loop: 'agent-1/main' }),
          task({ id: 1_000_000_001, name: 'a-side', loop: 'agent-1/side' }),
          task({ id: 1_000_000_002, name: 'b-main', loop: 'agent-12/main' }),
        ],
      }),
    )
    table.scope = sourceScope('agent-1')
    expect(table.rows.map((r) => r.task.name)).toEqual(['a-main', 'a-side'])
    table.scope = 'agent-1/side'
    expect(table.rows.map((r) => r.task.name)).toEqual(['a-side'])
    table.scope = 'all'
    expect(table.rows).toHaveLength(4)
    expect(inScope('source:agent-1', 'agent-12/main')).toBe(false)
    expect(inScope('source:agent-1', 'run-1')).toBe(false)
  })

  it('groups the scope picker by source, then loop', () => {
    const runs = [{ runId: 3, scenarioId: 'gather' }] as RunSummary[]
    const groups = scopeGroups(runs, [source('agent-1', { name: 'worker.py', pid: 77, state: 'lost' })])
    expect(groups.map((g) => g.label)).toEqual(['This app', 'worker.py · pid 77 · lost — stale'])
    expect(groups[0]!.options.map((o) => o.value)).toEqual(['run-3', 'daemons'])
    expect(groups[1]!.options).toEqual([
      { value: 'source:agent-1', label: 'worker.py: every loop' },
      { value: 'agent-1/main', label: 'worker.py › main' },
      { value: 'agent-1/side', label: 'worker.py › side' },
    ])
  })

  it('names each state and clock, and marks the tasks of a lost source stale', () => {
    expect(sourceStateLabel({ state: 'exited', exit: { code: 3, reason: 'x' } })).toBe('exited (code 3)')
    expect(sourceStateLabel({ state: 'exited', exit: { code: null, reason: 'x' } })).toBe('exited')
    expect(sourceStateLabel({ state: 'lost', exit: null })).toBe('lost — stale')
    expect(sourceClockLabel({ clock: { kind: 'scaled', rate: 10 } })).toBe('10×')
    expect(sourceClockLabel({ clock: { kind: 'virtual' } })).toBe('virtual')
    const sources = new SourcesState(() => null)
    sources.setList([source('agent-1', { state: 'lost' }), source('agent-2')])
    expect(sources.isStale('agent-1/main')).toBe(true)
    expect(sources.isStale('agent-2/main')).toBe(false)
    expect(sources.isStale('run-1')).toBe(false)
    sources.setList([source('agent-1', { state: 'exited', exit: { code: 0, reason: 'done' } }), source('agent-2', { state: 'stopping' })])
    expect([sources.isEnded('agent-1/main'), sources.isStale('agent-1/main'), sources.isEnded('agent-2/main')]).toEqual([true, false, false])
  })
})
