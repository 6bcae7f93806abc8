import { describe, expect, it } from 'vitest'
import type { BulkOutcome } from '../../src/shared/bulk-contract'
import type { LoopwatchApi } from '../../src/shared/contract'
import { BulkState } from '../../src/renderer/src/state/bulk.svelte'
import { bulkSummary, summaryLine } from '../../src/renderer/src/state/bulk-summary'
import { compileFilter, parseFilter } from '../../src/renderer/src/state/filter'
import { TaskStore } from '../../src/renderer/src/state/task-store.svelte'
import { TaskTableState } from '../../src/renderer/src/state/task-table.svelte'
import { groupByFunction, groupRows, groupStates, namePattern, rowLabel } from '../../src/renderer/src/state/task-rows'
import { TASK_STATES } from '../../src/shared/snapshots'
import type { TaskSnapshot } from '../../src/shared/snapshots'
import { delta, task } from '../renderer/helpers'

const outcome = (over: Partial<BulkOutcome>): BulkOutcome => ({ kind: 'cancel', asked: 0, applied: [], alreadyEnded: [], notFound: [], failed: [], failedCount: 0, ...over })

describe('the tasks a bulk action acts on', () => {
  it('are exactly the live tasks the filter shows, grouped or not, and none of an ended process', () => {
    const store = new TaskStore()
    const table = new TaskTableState(store, (t) => t.loop !== 'agent-1/main')
    const sleepers = Array.from({ length: 10 }, (_, i) => task({ name: `Task-${i}`, coro: 'sleeper', state: i < 2 ? 'done' : 'waiting' }))
    const other = task({ name: 'canceller', coro: 'canceller', state: 'waiting' })
    const gone = task({ name: 'Task-99', coro: 'sleeper', state: 'waiting', loop: 'agent-1/main' })
    store.apply(delta(1, { created: [...sleepers, other, gone] }))
    table.filterText = 'fn:sleeper'
    const live = sleepers.slice(2).map((t) => t.id)
    expect(table.shownLive).toEqual(live)
    table.grouped = true
    expect(table.shownLive.sort((a, b) => a - b)).toEqual(live)
    table.filterText = 'fn:sleeper -state:waiting'
    expect(table.shownLive).toEqual([])
  })
})

describe('BulkState', () => {
  it('sends one tasks:bulk command with the ids and the reason it was opened with, then shows the summary', async () => {
    const store = new TaskStore()
    const calls: { channel: string; payload: unknown }[] = []
    const api = {
      invoke: async (channel: string, payload: unknown) => {
        calls.push({ channel, payload })
        return { ok: true, value: outcome({ asked: 3, applied: [1, 2], alreadyEnded: [{ taskId: 3, state: 'done' }] }) }
      },
      on: () => () => {},
    } as unknown as LoopwatchApi
    const bulk = new BulkState(() => api, store)
    bulk.open('cancel', [1, 2, 3], ' fn:sleeper ', 'run-4')
    bulk.reason = '  drain  '
    expect(await bulk.confirm()).toBe(true)
    expect(calls).toEqual([{ channel: 'tasks:bulk', payload: { action: { kind: 'cancel', reason: 'drain' }, taskIds: [1, 2, 3] } }])
    expect(bulk.kind).toBeNull()
    expect(bulk.filterText).toBe('fn:sleeper')
    expect(bulk.outcome?.applied).toEqual([1, 2])
    // The summary belongs to the view it was made in: another run's view starts without it.
    expect(bulk.outcomeIn('run-4')).toBe(bulk.outcome)
    expect(bulk.outcomeIn('run-5')).toBeNull()
  })

  it('refuses to send more than the cap, and a bad deadline, without calling main', async () => {
    let called = 0
    const api = { invoke: async () => (called++, { ok: true, value: outcome({}) }), on: () => () => {} } as unknown as LoopwatchApi
    const bulk = new BulkState(() => api, new TaskStore())
    bulk.open('cancel', Array.from({ length: 5001 }, (_, i) => i + 1), '')
    expect(bulk.tooMany).toBe(true)
    expect(await bulk.confirm()).toBe(false)
    bulk.open('deadline', [1], '')
    bulk.deadlineSeconds = '-1'
    expect(await bulk.confirm()).toBe(false)
    expect(called).toBe(0)
  })
})

describe('the outcome summary', () => {
  const at = (state: TaskSnapshot['state']) => task({ state })

  it('counts what became of the tasks it reached, as they are now, and those it could not', () => {
    const reached = [...Array.from({ length: 300 }, () => at('cancelled')), at('cancelling'), at('done')]
    const tasks = new Map(reached.map((t) => [t.id, t]))
    const parts = bulkSummary(
      outcome({ asked: 305, applied: reached.map((t) => t.id), alreadyEnded: [{ taskId: 1, state: 'done' }, { taskId: 2, state: 'failed' }], notFound: [9], failedCount: 0 }),
      (id) => tasks.get(id),
    )
    expect(summaryLine(parts)).toBe('300 cancelled, 1 finished before the cancel reached them, 1 still cleaning up, 2 had already ended, 1 no longer known')
  })

  it('speaks of deadlines for a deadline action, and names the first failure', () => {
    const t = at('waiting')
    const parts = bulkSummary(outcome({ kind: 'deadline', asked: 2, applied: [t.id], failed: [{ taskId: 5, message: 'source agent-1 is lost' }], failedCount: 1 }), () => t)
    expect(summaryLine(parts)).toBe('1 deadline set, still running, 1 could not be reached (source agent-1 is lost)')
  })
})

describe('grouping by coroutine function', () => {
  it('collapses 10,000 Task-N rows of one function into one row with counts per state', () => {
    const tasks = Array.from({ length: 10_000 }, (_, i) => task({ name: `Task-${i + 1}`, coro: 'sleeper', state: i < 300 ? 'cancelled' : i < 310 ? 'failed' : 'waiting' }))
    const rows = groupByFunction([task({ name: 'main', coro: 'main' }), ...tasks])
    expect(rows).toHaveLength(2)
    const g = rows[1]!
    expect(g.count).toBe(10_000)
    expect(g.group).toMatchObject({ label: 'sleeper()', byFunction: true })
    expect(groupStates(g.group!)).toEqual([
      { state: 'waiting', count: 9690 },
      { state: 'failed', count: 10 },
      { state: 'cancelled', count: 300 },
    ])
    expect(groupStates(g.group!).map((s) => s.state)).toEqual(TASK_STATES.filter((s) => ['waiting', 'failed', 'cancelled'].includes(s)))
    // The timeline labels the row by its function, not by its newest member's name.
    expect(rowLabel(g)).toBe('sleeper() ×10000')
    expect(rowLabel(rows[0]!)).toBe('main')
    expect(rowLabel(groupRows([task({ name: 'w', state: 'waiting' }), task({ name: 'w', state: 'waiting' })])[0]!)).toBe('w ×2')
  })

  it('groups tasks of anonymous functions by their name pattern, and keeps loops apart', () => {
    const rows = groupByFunction([
      task({ name: 'worker-1', coro: '' }),
      task({ name: 'worker-2' }),
      task({ name: 'worker-3', loop: 'run-2' }),
      task({ name: 'job 12 (attempt 2)' }),
    ])
    expect(rows.map((r) => [r.group?.label, r.task.loop, r.count])).toEqual([
      ['worker-N', 'run-1', 2],
      ['worker-N', 'run-2', 1],
      ['job N (attempt N)', 'run-1', 1],
    ])
    expect(namePattern('Task-17')).toBe('Task-N')
  })

  it('is what the table shows when Group is on (by function unless identical is chosen)', () => {
    const store = new TaskStore()
    const table = new TaskTableState(store)
    store.apply(delta(1, { created: [task({ name: 'Task-1', coro: 'sleeper', state: 'waiting' }), task({ name: 'Task-2', coro: 'sleeper', state: 'done' })] }))
    table.grouped = true
    expect(table.rows.map((r) => r.count)).toEqual([2])
    table.groupBy = 'identical'
    expect(table.rows.map((r) => r.count)).toEqual([1, 1])
  })

  it('lets the filter pick tasks by coroutine function (fn:)', () => {
    const test = compileFilter(parseFilter('fn:sleep*', TASK_STATES))
    expect([test({ name: 'Task-1', state: 'waiting', coro: 'sleeper' }), test({ name: 'sleeper', state: 'waiting' })]).toEqual([true, false])
    expect(parseFilter('fn:', TASK_STATES).problems).toHaveLength(1)
  })
})
