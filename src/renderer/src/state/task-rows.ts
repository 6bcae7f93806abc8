// Pure row shaping for the task table: filter → sort → group. Kept free of runes so the unit tests
// exercise it directly and the table's $derived stays a one-liner.
import type { TaskSnapshot, TaskState } from '../../../shared/snapshots'
import { TASK_STATES } from '../../../shared/snapshots'

export type SortKey = 'id' | 'name' | 'state' | 'started' | 'duration' | 'deadline' | 'cancel'
export type SortDir = 'asc' | 'desc'

/** How the Group toggle groups: by coroutine function (or name pattern), or identical name and state. */
export const GROUP_BYS = ['function', 'identical'] as const
export type GroupBy = (typeof GROUP_BYS)[number]

/** A group of tasks running one coroutine function (or sharing a name pattern), with counts per state. */
export interface FunctionGroup {
  /** `sleeper()` for a named coroutine function, else the name pattern (`Task-N`, `worker-N`). */
  label: string
  /** True when the label is the coroutine function's name (not a guess from the task names). */
  byFunction: boolean
  /** Members per state, in TASK_STATES order when listed. */
  states: Partial<Record<TaskState, number>>
}

/** One table row: a task, or a group of tasks shown once. */
export interface TaskRow {
  key: string
  /** The representative task (for a group: its newest member). */
  task: TaskSnapshot
  /** 1 for a plain row; the member count for a group. */
  count: number
  /** Member ids for a group (in sorted order); just the task's id for a plain row. */
  ids: number[]
  /** Set on a row of groupByFunction. */
  group?: FunctionGroup
}

const STATE_ORDER = new Map<TaskState, number>(TASK_STATES.map((s, i) => [s, i]))

/** Loop ms the task has run (or ran) for: from start (or creation) to end, or to `now` if live. */
export function taskDuration(t: TaskSnapshot, now: number | null): number | null {
  const from = (t.startedAt ?? t.createdAt).loop
  if (t.endedAt) return t.endedAt.loop - from
  return now == null ? null : Math.max(0, now - from)
}

function sortValue(t: TaskSnapshot, key: SortKey, now: (t: TaskSnapshot) => number | null): number | string {
  switch (key) {
    case 'id':
      return t.id
    case 'name':
      return t.name.toLowerCase()
    case 'state':
      return STATE_ORDER.get(t.state) ?? 99
    case 'started':
      return t.startedAt?.loop ?? Number.POSITIVE_INFINITY
    case 'duration':
      return taskDuration(t, now(t)) ?? -1
    case 'deadline':
      return t.deadline?.at.loop ?? Number.POSITIVE_INFINITY
    case 'cancel':
      return t.cancel?.source ?? '~'
  }
}

/**
 * Sort tasks by `key`, ties broken by id so rows never jump between equal neighbours.
 * `now` gives a live task's loop time (for duration); it is read once per task.
 */
export function sortTasks(
  tasks: readonly TaskSnapshot[],
  key: SortKey,
  dir: SortDir,
  now: (t: TaskSnapshot) => number | null = () => null,
): TaskSnapshot[] {
  const sign = dir === 'asc' ? 1 : -1
  const n = tasks.length
  const values = new Array<number | string>(n)
  for (let i = 0; i < n; i++) values[i] = sortValue(tasks[i]!, key, now)
  const before = (i: number, j: number) => {
    const a = values[i]!
    const b = values[j]!
    if (a < b) return -sign
    if (a > b) return sign
    return tasks[i]!.id - tasks[j]!.id
  }
  // The store lists tasks in the order they came, which is id order: the default sort (and most
  // others on a steady table) finds them in order already, and a check costs far less than a sort.
  let sorted = true
  for (let i = 1; i < n && sorted; i++) if (before(i - 1, i) > 0) sorted = false
  if (sorted) return tasks.slice()
  const order = Array.from({ length: n }, (_, i) => i)
  order.sort(before)
  return order.map((i) => tasks[i]!)
}

// A task's plain row, made once per snapshot: a table of 100,000 tasks re-shaped while a few hundred
// change allocates rows for those few hundred only. Snapshots are never changed once made.
const plainRowOf = new WeakMap<TaskSnapshot, TaskRow>()

/** Rows for already sorted tasks, one per task (the same row object for the same snapshot). */
export function plainRows(sorted: readonly TaskSnapshot[]): TaskRow[] {
  const out = new Array<TaskRow>(sorted.length)
  for (let i = 0; i < sorted.length; i++) {
    const t = sorted[i]!
    let row = plainRowOf.get(t)
    if (!row) plainRowOf.set(t, (row = { key: `t${t.id}`, task: t, count: 1, ids: [t.id] }))
    out[i] = row
  }
  return out
}

/**
 * Collapse tasks with the same name and state into one row with a count, placed where the group's
 * first member falls in the sorted order; the newest member represents the group.
 */
export function groupRows(sorted: readonly TaskSnapshot[]): TaskRow[] {
  const groups = new Map<string, TaskRow>()
  const rows: TaskRow[] = []
  for (const t of sorted) {
    const key = `g${t.state}\u0000${t.name}`
    const g = groups.get(key)
    if (g) {
      g.count++
      g.ids.push(t.id)
      if (t.id > g.task.id) g.task = t
    } else {
      const row: TaskRow = { key, task: t, count: 1, ids: [t.id] }
      groups.set(key, row)
      rows.push(row)
    }
  }
  return rows
}

/** A task name with every run of digits as `N`: `Task-17` → `Task-N`, `job 12 (attempt 2)` → `job N (attempt N)`. */
export function namePattern(name: string): string {
  return name.replace(/\d+/g, 'N')
}

/**
 * Collapse tasks of one loop that run the same coroutine function (`coro`, its `fn.name`) into one
 * row with counts per state; a task whose function is anonymous or unknown groups with the tasks
 * whose names match its name pattern (`Task-N`). So 10,000 `Task-N` sleepers are one row. The row
 * sits where its first member falls in the sorted order; the newest member represents it.
 *
 * @example groupByFunction(sorted)[0]?.group // { label: 'sleeper()', byFunction: true, states: { waiting: 9700, cancelled: 300 } }
 */
export function groupByFunction(sorted: readonly TaskSnapshot[]): TaskRow[] {
  const groups = new Map<string, TaskRow & { group: FunctionGroup }>()
  const rows: TaskRow[] = []
  for (const t of sorted) {
    const byFunction = t.coro !== undefined && t.coro !== ''
    const label = byFunction ? `${t.coro}()` : namePattern(t.name)
    const key = `f${t.loop}\u0000${byFunction ? 'fn' : 'name'}\u0000${label}`
    const g = groups.get(key)
    if (g) {
      g.count++
      g.ids.push(t.id)
      g.group.states[t.state] = (g.group.states[t.state] ?? 0) + 1
      if (t.id > g.task.id) g.task = t
    } else {
      const row = { key, task: t, count: 1, ids: [t.id], group: { label, byFunction, states: { [t.state]: 1 } } }
      groups.set(key, row)
      rows.push(row)
    }
  }
  return rows
}

/** A group's states with their counts, in TASK_STATES order. */
export function groupStates(group: FunctionGroup): { state: TaskState; count: number }[] {
  return TASK_STATES.filter((s) => (group.states[s] ?? 0) > 0).map((state) => ({ state, count: group.states[state]! }))
}

/** A row's label where it is drawn once: a function group by its function (`sleeper() ×400`), else its task's name. */
export function rowLabel(row: TaskRow): string {
  return row.count > 1 ? `${row.group?.label ?? row.task.name} ×${row.count}` : row.task.name
}
