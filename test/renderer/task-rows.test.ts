import { describe, expect, it } from 'vitest'
import { groupRows, plainRows, sortTasks, taskDuration } from '../../src/renderer/src/state/task-rows'
import { task } from './helpers'

describe('task rows', () => {
  it('sorts by name ascending and descending, ties broken by id', () => {
    const b = task({ name: 'b' })
    const a1 = task({ name: 'a' })
    const a2 = task({ name: 'a' })
    expect(sortTasks([b, a2, a1], 'name', 'asc').map((t) => t.id)).toEqual([a1.id, a2.id, b.id])
    expect(sortTasks([b, a2, a1], 'name', 'desc').map((t) => t.id)).toEqual([b.id, a1.id, a2.id])
  })

  it('sorts states in lifecycle order, not alphabetically', () => {
    const done = task({ state: 'done' })
    const pending = task({ state: 'pending' })
    const waiting = task({ state: 'waiting' })
    expect(sortTasks([done, waiting, pending], 'state', 'asc').map((t) => t.state)).toEqual(['pending', 'waiting', 'done'])
  })

  it('measures a live task up to now and an ended one up to its end', () => {
    expect(taskDuration(task({ at: 1000 }), 3500)).toBe(2500)
    expect(taskDuration(task({ at: 1000, ended: 1800, state: 'done' }), 9999)).toBe(800)
    expect(taskDuration(task({ at: 1000 }), null)).toBeNull()
  })

  it('sorts live tasks by their duration at the given now', () => {
    const long = task({ at: 0 })
    const short = task({ at: 900 })
    const sorted = sortTasks([short, long], 'duration', 'desc', () => 1000)
    expect(sorted.map((t) => t.id)).toEqual([long.id, short.id])
  })

  it('groups tasks with the same name and state into one row with a count', () => {
    const tasks = [
      task({ name: 'worker', state: 'waiting' }),
      task({ name: 'main', state: 'waiting' }),
      task({ name: 'worker', state: 'waiting' }),
      task({ name: 'worker', state: 'done' }),
      task({ name: 'worker', state: 'waiting' }),
    ]
    const rows = groupRows(tasks)
    expect(rows.map((r) => [r.task.name, r.task.state, r.count])).toEqual([
      ['worker', 'waiting', 3],
      ['main', 'waiting', 1],
      ['worker', 'done', 1],
    ])
    // The newest member represents the group.
    expect(rows[0]?.task.id).toBe(tasks[4]?.id)
    expect(rows[0]?.ids).toEqual([tasks[0]?.id, tasks[2]?.id, tasks[4]?.id])
  })

  it('gives each task its own row when not grouping', () => {
    const tasks = [task({ name: 'w' }), task({ name: 'w' })]
    expect(plainRows(tasks).map((r) => r.count)).toEqual([1, 1])
  })
})
