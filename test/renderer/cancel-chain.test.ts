import { describe, expect, it } from 'vitest'
import type { TaskSnapshot } from '../../src/shared/snapshots'
import { cancelChainText, stateTooltip } from '../../src/renderer/src/state/cancel-chain'
import { liveCounts } from '../../src/renderer/src/state/live-counts'
import { isLive } from '../../src/renderer/src/state/states'

const at = (loop: number) => ({ loop, wall: 0 })

function task(over: Partial<TaskSnapshot>): TaskSnapshot {
  return {
    id: 1, loop: 'run-1', runId: 1, name: 'main', parentId: null, state: 'cancelled', createdAt: at(0), startedAt: at(0), endedAt: at(12_900),
    awaiting: null, cancel: null, deadline: null, error: null, logCount: 0, ...over,
  }
}

describe('a cancel chain as a person reads it', () => {
  it('reads "main ← gather ← Task-7 deadline at 12.9 s"', () => {
    const t = task({
      cancel: {
        source: 'deadline', reason: 'deadline passed at 12.900s', at: at(12_900),
        cause: { origin: { id: 7, name: 'Task-7', source: 'deadline', reason: 'deadline passed at 12.900s', at: at(12_900) }, path: [{ kind: 'gather', name: 'gather' }] },
      },
    })
    expect(cancelChainText(t)).toBe('main ← gather ← Task-7 deadline at 12.9 s')
    expect(stateTooltip(t)).toBe('cancelled: main ← gather ← Task-7 deadline at 12.9 s')
  })

  it('says how many links were left out, and that a task group child failed', () => {
    const t = task({
      name: 'worker',
      cancel: {
        source: 'sibling', reason: 'a sibling task failed', at: at(100),
        cause: { origin: { id: 3, name: 'fetch', source: 'sibling', reason: null, at: at(100), failed: 'Error: boom' }, path: [{ kind: 'taskGroup', name: 'task group' }], more: 4 },
      },
    })
    expect(cancelChainText(t)).toBe('worker ← task group ← … 4 more ← fetch failed (Error: boom) at 0.1 s')
  })

  it('a cancellation of its own has no chain; its tooltip names the source', () => {
    const t = task({ cancel: { source: 'user', reason: null, at: at(5) } })
    expect(cancelChainText(t)).toBeNull()
    expect(stateTooltip(t)).toBe('cancelled (source user)')
  })

  it('an abandoned task is final: not live, in no count', () => {
    const tasks = [task({ id: 1, state: 'abandoned' }), task({ id: 2, state: 'running' }), task({ id: 3, state: 'waiting' })]
    expect(isLive('abandoned')).toBe(false)
    expect(liveCounts(tasks)).toEqual({ running: 1, waiting: 1, pending: 0, cancelling: 0, live: 2 })
    expect(stateTooltip(tasks[0]!)).toMatch(/^abandoned: left unfinished when its loop was shut down/)
  })
})
