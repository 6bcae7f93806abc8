// What the task table shows: scope, filter, sort, grouping and the selected row. The rows are one
// $derived over the store's data, re-shaped at once for a person's change (filter, sort, scope) and
// for a delta while that is cheap; a big table (100,000 tasks) is re-shaped at a pace its own cost
// sets, and in between the rows on screen read each task's newest snapshot from the store.
import type { TaskSnapshot } from '../../../shared/snapshots'
import { TASK_STATES } from '../../../shared/snapshots'
import { compileFilter, parseFilter } from './filter'
import { inScope } from './sources.svelte'
import { isLive } from './states'
import type { TaskStore } from './task-store.svelte'
import { groupByFunction, groupRows, plainRows, sortTasks, type GroupBy, type SortDir, type SortKey, type TaskRow } from './task-rows'

/** `'all'`, a loop label (`run-<id>`, `daemons`, `agent-1/main`) or a whole source (`source:agent-1`). */
export type Scope = string

/** What the table asks of the window (the AppState): select a task, opening its details or not. */
export interface TableHost {
  readonly detailsOpen: boolean
  select(id: number | null, open?: boolean): void
}

/**
 * A re-shape may take this share of the time at most: after one that took `c` ms, the next
 * delta-driven one waits `c * (1 / share - 1)` ms (so 40 ms at 100k tasks → one every 400 ms: few enough long frames for a p95 under 33 ms).
 */
const RESHAPE_SHARE = 0.1
/** Below this cost a re-shape follows each delta at once (small tables, the tests' tables). */
const CHEAP_RESHAPE_MS = 4
const MAX_RESHAPE_WAIT_MS = 1000

export class TaskTableState {
  filterText = $state('')
  sortKey = $state<SortKey>('id')
  sortDir = $state<SortDir>('asc')
  /** The Group toggle; `groupBy` says how (by coroutine function unless chosen otherwise). */
  grouped = $state(false)
  groupBy = $state<GroupBy>('function')
  scope = $state<Scope>('all')
  selectedId = $state<number | null>(null)

  readonly filter = $derived(parseFilter(this.filterText, TASK_STATES))

  /** Bumped when the rows should follow the store's data (see dataChanged). */
  private dataVersion = $state(0)
  private reshapeCostMs = 0
  private reshapedAt = 0
  private reshapeTimer: ReturnType<typeof setTimeout> | null = null

  readonly scoped: TaskSnapshot[] = $derived.by(() => {
    void this.dataVersion
    const scope = this.scope
    const out: TaskSnapshot[] = []
    for (const t of this.store.tasks.values()) {
      if (inScope(scope, t.loop)) out.push(t)
    }
    return out
  })

  readonly rows: TaskRow[] = $derived.by(() => {
    const started = performance.now()
    const test = compileFilter(this.filter)
    const wall = Date.now()
    const sorted = sortTasks(
      this.scoped.filter(test),
      this.sortKey,
      this.sortDir,
      (t) => this.store.loopNow(t.loop, wall),
    )
    const rows = !this.grouped ? plainRows(sorted) : this.groupBy === 'function' ? groupByFunction(sorted) : groupRows(sorted)
    this.reshapedAt = performance.now()
    this.reshapeCostMs = this.reshapedAt - started
    return rows
  })

  /**
   * The tasks a bulk action would act on: every task the rows show (a group's members too) that
   * is still live and whose process still runs (`actionable`), in row order.
   */
  readonly shownLive: number[] = $derived.by(() => {
    const out: number[] = []
    // Whether a loop's tasks can be reached is asked once per loop, not once per task of 100,000.
    const reachable = new Map<string, boolean>()
    for (const row of this.rows) {
      for (const id of row.ids) {
        const t = this.store.tasks.get(id)
        if (!t || !isLive(t.state)) continue
        let ok = reachable.get(t.loop)
        if (ok === undefined) reachable.set(t.loop, (ok = this.actionable(t)))
        if (ok) out.push(id)
      }
    }
    return out
  })

  /** `actionable`: false for a task nothing can reach (its process exited or was lost); it depends on the task's loop only (asked once per loop). */
  constructor(
    private readonly store: TaskStore,
    private readonly actionable: (t: TaskSnapshot) => boolean = () => true,
  ) {
    store.onApplied(() => this.dataChanged())
  }

  /**
   * The store applied a batch: re-shape now if the last re-shape was cheap or long enough ago,
   * else once, when the pace allows. Filter, sort and scope changes never wait (they are read
   * by the rows directly).
   */
  private dataChanged(): void {
    if (this.reshapeTimer !== null) return
    const wait =
      this.reshapeCostMs < CHEAP_RESHAPE_MS
        ? 0
        : this.reshapedAt + Math.min(MAX_RESHAPE_WAIT_MS, this.reshapeCostMs * (1 / RESHAPE_SHARE - 1)) - performance.now()
    if (wait <= 0) this.dataVersion++
    else
      this.reshapeTimer = setTimeout(() => {
        this.reshapeTimer = null
        this.dataVersion++
      }, wait)
  }

  /** A task as the store has it now (rows may hold an older snapshot between two re-shapes). */
  current(row: TaskRow): TaskSnapshot {
    return row.count === 1 ? (this.store.get(row.task.id) ?? row.task) : row.task
  }

  /** Click on a column header: sort by it, or flip the direction if it already sorts. */
  toggleSort(key: SortKey): void {
    if (this.sortKey === key) this.sortDir = this.sortDir === 'asc' ? 'desc' : 'asc'
    else {
      this.sortKey = key
      this.sortDir = 'asc'
    }
  }

  /**
   * A click on a row selects it and opens its details in one go: Cancel and the deadline are
   * there, and a newcomer who clicked a row looks for them next.
   */
  click(host: TableHost, id: number): void {
    host.select(id)
  }

  /**
   * A key pressed in the table (UI.md: ↑/↓ move, Enter opens the details; Esc is the window's).
   * Arrows keep open details on the row they move to. Returns whether the key was the table's.
   */
  key(host: TableHost, key: string, pageRows: number): boolean {
    if (key === 'ArrowDown' || key === 'ArrowUp') {
      this.move(key === 'ArrowDown' ? 1 : -1)
      if (this.selectedId != null && host.detailsOpen) host.select(this.selectedId)
    } else if (key === 'Home' || key === 'End') {
      this.selectIndex(key === 'Home' ? 0 : this.rows.length - 1)
    } else if (key === 'PageDown' || key === 'PageUp') {
      this.move(key === 'PageDown' ? pageRows : -pageRows)
    } else if (key === 'Enter') {
      if (this.selectedId == null) this.move(1)
      if (this.selectedId != null) host.select(this.selectedId)
    } else {
      return false
    }
    return true
  }

  /** Move the selection by `step` rows (clamped); from no selection, down starts at the top. */
  move(step: number): void {
    const n = this.rows.length
    if (n === 0) return
    const current = this.indexOfSelection()
    const from = current >= 0 ? current : step > 0 ? -1 : n
    this.selectIndex(Math.min(n - 1, Math.max(0, from + step)))
  }

  selectIndex(i: number): void {
    const row = this.rows[i]
    if (!row) return
    this.selectedId = row.task.id
  }

  /** Where the selected task sits in the current rows (-1 if filtered out). */
  indexOfSelection(): number {
    const id = this.selectedId
    if (id == null) return -1
    return this.rows.findIndex((r) => r.ids.includes(id))
  }
}
