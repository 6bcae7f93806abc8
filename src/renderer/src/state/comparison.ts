// The side-by-side view's rows: the TypeScript port's run and the course's Python run of one
// program, task by task. Tasks pair by name and order of creation (the second `worker` with the
// second `worker`); those left over pair in creation order (the port's `worker-1` with CPython's
// `worker`, its `Task-12` with `random_sleep`), so a row says whether both sides have that task in
// the same state with the same cancel source — the comparison the course's reader makes by eye.
import type { LogLine, TaskSnapshot } from '../../../shared/snapshots'

/** One side of a row: what the table would show of that task. */
export interface CompareCell {
  id: number
  name: string
  state: TaskSnapshot['state']
  /** `user`, `deadline`, `program by main`, … (null: nobody asked it to cancel). */
  cancel: string | null
  reason: string | null
}

export interface CompareRow {
  name: string
  port: CompareCell | null
  python: CompareCell | null
  /** Both sides have it, in the same state, with the same cancel source. */
  same: boolean
  /** Paired by creation order: the two sides name it differently. */
  renamed: boolean
}

/** The cancel source as the table words it: `program by main` names the task that asked. */
export function cancelLabel(t: Pick<TaskSnapshot, 'cancel'>): string | null {
  if (!t.cancel) return null
  return t.cancel.source === 'program' && t.cancel.by ? `program by ${t.cancel.by.name}` : t.cancel.source
}

function cell(t: TaskSnapshot): CompareCell {
  return { id: t.id, name: t.name, state: t.state, cancel: cancelLabel(t), reason: t.cancel?.reason ?? null }
}

const byCreation = (a: TaskSnapshot, b: TaskSnapshot) => a.createdAt.loop - b.createdAt.loop || a.id - b.id

/**
 * Pairs the port's tasks with the Python run's: rows in the port's order of creation, then the
 * Python run's tasks the port has no twin for.
 */
export function compareTasks(port: readonly TaskSnapshot[], python: readonly TaskSnapshot[]): CompareRow[] {
  const left = [...port].sort(byCreation)
  const waiting = new Map<string, TaskSnapshot[]>()
  for (const t of [...python].sort(byCreation)) {
    const list = waiting.get(t.name)
    if (list) list.push(t)
    else waiting.set(t.name, [t])
  }
  const twins = new Map<TaskSnapshot, TaskSnapshot>()
  for (const t of left) {
    const twin = waiting.get(t.name)?.shift()
    if (twin) twins.set(t, twin)
  }
  const rest = [...waiting.values()].flat().sort(byCreation)
  for (const t of left) if (!twins.has(t) && rest.length > 0) twins.set(t, rest.shift()!)
  const rows: CompareRow[] = left.map((t) => {
    const twin = twins.get(t)
    const p = cell(t)
    const q = twin ? cell(twin) : null
    return { name: t.name, port: p, python: q, same: q !== null && p.state === q.state && p.cancel === q.cancel, renamed: q !== null && q.name !== p.name }
  })
  for (const t of rest) rows.push({ name: t.name, port: null, python: cell(t), same: false, renamed: false })
  return rows
}

/** Lines each side of the view shows at most (the newest). */
export const COMPARE_LINES = 200

export interface Comparison {
  rows: CompareRow[]
  portLines: LogLine[]
  pythonLines: LogLine[]
}

/**
 * The view of one pair from the window's store: the port's tasks and lines are its run's loop
 * (`run-7`); the Python run's are its source's (`agent-2/…`, and `agent-2` for lines printed outside
 * every loop, such as a traceback after asyncio.run).
 */
export function buildComparison(tasks: Iterable<TaskSnapshot>, logs: readonly LogLine[], portLoop: string | null, pythonSource: string | null): Comparison {
  const ofPython = (loop: string) => pythonSource !== null && (loop === pythonSource || loop.startsWith(`${pythonSource}/`))
  const port: TaskSnapshot[] = []
  const python: TaskSnapshot[] = []
  for (const t of tasks) {
    if (portLoop !== null && t.loop === portLoop) port.push(t)
    else if (ofPython(t.loop)) python.push(t)
  }
  return {
    rows: compareTasks(port, python),
    portLines: logs.filter((l) => portLoop !== null && l.loop === portLoop).slice(-COMPARE_LINES),
    pythonLines: logs.filter((l) => ofPython(l.loop)).slice(-COMPARE_LINES),
  }
}
