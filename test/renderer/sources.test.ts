import { afterEach, describe, expect, it, vi } from 'vitest'
import { TaskStore } from '../../src/renderer/src/state/task-store.svelte'
import { TaskTableState } from '../../src/renderer/src/state/task-table.svelte'
import { STOP_NOTE_MS, SourcesState, inScope, scopeGroups, sourceClockLabel, sourceScope, sourceStateLabel } from '../../src/renderer/src/state/sources.svelte'
import type { LoopwatchApi, Result } from '../../src/shared/contract'
import type { RunSummary, ShutdownReport, SourceInfo } from '../../src/shared/snapshots'
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

describe('Stop in the Sources list', () => {
  afterEach(() => void vi.useRealTimers())

  /** An api whose source:stop answers with the given results, one per call (and records the calls). */
  function stopApi(answers: Result<ShutdownReport & { how?: string }>[], calls: unknown[] = []): LoopwatchApi {
    const invoke = async (channel: string, payload: unknown) => {
      calls.push([channel, payload])
      const next = answers.shift()
      if (!next) throw new Error('no answer left')
      return next
    }
    return { invoke } as unknown as LoopwatchApi
  }
  const report = (over: Partial<ShutdownReport & { how: string }> = {}) => ({
    graceMs: 2000,
    elapsedMs: 40,
    finished: [
      { id: 1, name: 'main', state: 'cancelled' as const },
      { id: 2, name: 'poller', state: 'cancelled' as const },
      { id: 3, name: 'writer', state: 'done' as const },
    ],
    forced: [],
    cleanupErrors: [],
    ...over,
  })

  it('says how the stop ended — gracefully with its task count, or killed after its grace — for a moment', async () => {
    vi.useFakeTimers()
    const calls: unknown[] = []
    const api = stopApi(
        [
          { ok: true, value: report() },
          { ok: true, value: report({ how: 'killed', graceMs: 300, finished: [], cleanupErrors: [{ id: 0, name: 'blocker (pid 9)', message: 'killed (SIGKILL)' }] }) },
        ],
        calls,
      )
    const sources = new SourcesState(() => api)
    sources.setList([source('agent-1'), source('agent-2', { role: 'child' })])
    const pending = sources.stop('agent-1', 2000)
    expect(sources.busy['agent-1']).toBe(true)
    await pending
    expect(calls).toEqual([['source:stop', { sourceId: 'agent-1', graceMs: 2000 }]])
    expect(sources.busy['agent-1']).toBe(false)
    expect(sources.notes['agent-1']).toEqual({ how: 'graceful', text: 'stopped gracefully (3 tasks)' })
    // The exit that follows the stop keeps the note.
    sources.setList([source('agent-1', { state: 'exited', exit: { code: null, reason: 'stopped from the app' } }), source('agent-2', { role: 'child' })])
    expect(sources.notes['agent-1']?.text).toBe('stopped gracefully (3 tasks)')
    await sources.stop('agent-2', 300)
    expect(sources.notes['agent-2']).toEqual({ how: 'killed', text: 'killed after its grace (300 ms)' })
    expect(sources.error).toBeNull()
    // "For a moment": gone after STOP_NOTE_MS, not before.
    vi.advanceTimersByTime(STOP_NOTE_MS - 1)
    expect(Object.keys(sources.notes).sort()).toEqual(['agent-1', 'agent-2'])
    vi.advanceTimersByTime(1)
    expect(sources.notes).toEqual({})
  })

  it('drops the note when the source connects again or leaves the list; forced tasks and a failure are said', async () => {
    vi.useFakeTimers()
    const api = stopApi([
        { ok: true, value: report({ finished: [{ id: 1, name: 'main', state: 'cancelled' }], forced: [{ id: 2, name: 'stuck' }] }) },
        { ok: true, value: report({ finished: [{ id: 1, name: 'main', state: 'cancelled' }] }) },
        { ok: false, error: { code: 'invalid_state', message: 'prog-agent-1 is exited: there is nothing to stop' } },
      ])
    const sources = new SourcesState(() => api)
    sources.setList([source('agent-1'), source('agent-2')])
    await sources.stop('agent-1')
    expect(sources.notes['agent-1']).toEqual({ how: 'forced', text: 'stopped: 1 finished, 1 forced after its grace' })
    await sources.stop('agent-2')
    expect(sources.notes['agent-2']?.text).toBe('stopped gracefully (1 task)')
    sources.setList([source('agent-1', { state: 'exited' }), source('agent-2', { state: 'exited' })])
    // agent-1 came back (a reconnect after its exit): a new life, the old note goes; agent-2 is forgotten.
    sources.setList([source('agent-1', { state: 'connected' })])
    expect(sources.notes).toEqual({})
    await sources.stop('agent-1')
    expect(sources.error).toBe('Stopping prog-agent-1 failed: prog-agent-1 is exited: there is nothing to stop')
    expect(sources.notes).toEqual({})
    expect(sources.busy['agent-1']).toBe(false)
  })
})
