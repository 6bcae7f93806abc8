import { describe, expect, it } from 'vitest'
import { TaskStore } from '../../src/renderer/src/state/task-store.svelte'
import { TaskTableState } from '../../src/renderer/src/state/task-table.svelte'
import type { TableHost } from '../../src/renderer/src/state/task-table.svelte'
import { delta, task } from './helpers'

function setup() {
  const store = new TaskStore()
  const table = new TaskTableState(store)
  return { store, table }
}

describe('TaskTableState', () => {
  it('derives rows from the store, filtered by the filter box', () => {
    const { store, table } = setup()
    store.apply(
      delta(1, {
        created: [
          task({ name: 'main', state: 'waiting' }),
          task({ name: 'worker-1', state: 'waiting' }),
          task({ name: 'worker-2', state: 'running' }),
        ],
      }),
    )
    expect(table.rows).toHaveLength(3)
    table.filterText = 'state:waiting name:worker*'
    expect(table.rows.map((r) => r.task.name)).toEqual(['worker-1'])
  })

  it('follows new deltas without being asked', () => {
    const { store, table } = setup()
    const t = task({ name: 'a', state: 'running' })
    store.apply(delta(1, { created: [t] }))
    table.filterText = 'state:done'
    expect(table.rows).toHaveLength(0)
    store.apply(delta(2, { ended: [{ ...t, state: 'done' }] }))
    expect(table.rows).toHaveLength(1)
  })

  it('limits rows to the chosen loop', () => {
    const { store, table } = setup()
    store.apply(delta(1, { created: [task({ loop: 'run-1' }), task({ loop: 'daemons', runId: null })] }))
    table.scope = 'daemons'
    expect(table.rows.map((r) => r.task.loop)).toEqual(['daemons'])
  })

  it('flips the sort direction when the same column is chosen twice', () => {
    const { store, table } = setup()
    store.apply(delta(1, { created: [task({ name: 'b' }), task({ name: 'a' })] }))
    table.toggleSort('name')
    expect(table.rows.map((r) => r.task.name)).toEqual(['a', 'b'])
    table.toggleSort('name')
    expect(table.rows.map((r) => r.task.name)).toEqual(['b', 'a'])
  })

  it('moves the selection with the keyboard, clamped to the rows', () => {
    const { store, table } = setup()
    const tasks = [task({ name: 'a' }), task({ name: 'b' }), task({ name: 'c' })]
    store.apply(delta(1, { created: tasks }))
    table.move(1)
    expect(table.selectedId).toBe(tasks[0]?.id)
    table.move(1)
    table.move(1)
    table.move(1)
    expect(table.selectedId).toBe(tasks[2]?.id)
    table.move(-5)
    expect(table.selectedId).toBe(tasks[0]?.id)
  })

  it('collapses identical tasks when grouping is on', () => {
    const { store, table } = setup()
    store.apply(delta(1, { created: Array.from({ length: 50 }, () => task({ name: 'job', state: 'waiting' })) }))
    table.grouped = true
    expect(table.rows).toHaveLength(1)
    expect(table.rows[0]?.count).toBe(50)
  })
})

describe('row click and keys, with the window', () => {
  /** The window as the table sees it (AppState.select: selects, and opens the details unless open is false). */
  function withHost() {
    const { store, table } = setup()
    const tasks = [task({ name: 'a' }), task({ name: 'b' }), task({ name: 'c' })]
    store.apply(delta(1, { created: tasks }))
    const host: TableHost & { detailsOpen: boolean; opened: number[] } = {
      detailsOpen: false,
      opened: [],
      select(id, open = true) {
        table.selectedId = id
        if (open && id != null) {
          this.detailsOpen = true
          this.opened.push(id)
        }
      },
    }
    return { table, tasks, host }
  }

  it('one click on a row selects it and opens its details', () => {
    const { table, tasks, host } = withHost()
    table.click(host, tasks[1]!.id)
    expect(table.selectedId).toBe(tasks[1]!.id)
    expect(host.detailsOpen).toBe(true)
    expect(host.opened).toEqual([tasks[1]!.id])
  })

  it('arrows only move while details are closed; Enter opens them; arrows then keep them on the new row', () => {
    const { table, tasks, host } = withHost()
    expect(table.key(host, 'ArrowDown', 10)).toBe(true)
    expect(table.key(host, 'ArrowDown', 10)).toBe(true)
    expect([table.selectedId, host.detailsOpen]).toEqual([tasks[1]!.id, false])
    table.key(host, 'Enter', 10)
    expect([table.selectedId, host.detailsOpen]).toEqual([tasks[1]!.id, true])
    table.key(host, 'ArrowUp', 10)
    expect(host.opened).toEqual([tasks[1]!.id, tasks[0]!.id])
    expect(table.key(host, 'End', 10)).toBe(true)
    expect(table.selectedId).toBe(tasks[2]!.id)
    expect(table.key(host, 'x', 10)).toBe(false)
  })
})
