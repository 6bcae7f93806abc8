// A cancellation that came from elsewhere, as a person reads it: "main ← gather ← Task-7 deadline
// at 12.9 s". Pure: the details panel draws the parts (tasks as links), the table's state cell
// shows the text as its tooltip.
import type { CancelCauseSnapshot, TaskSnapshot } from '../../../shared/snapshots'

/** One piece of a chain: a task (with its id, to follow) or a gather / task group, or the origin's what-and-when. */
export interface ChainPart {
  text: string
  taskId?: number
}

/** Seconds with no trailing zeros: 12900 → "12.9", 500 → "0.5". */
function seconds(ms: number): string {
  return String(Number((ms / 1000).toFixed(3)))
}

/**
 * The chain from `task` back to where its cancellation began, nearest first: the task, each link,
 * "… N more" for links left out, then the origin with what it was and when.
 *
 * @example chainParts('main', cause).map((p) => p.text) // ['main', 'gather', 'Task-7', 'deadline at 12.9 s']
 */
export function chainParts(taskName: string, cause: CancelCauseSnapshot): { links: ChainPart[]; what: string } {
  const links: ChainPart[] = [{ text: taskName }]
  for (const h of cause.path) links.push(h.id !== undefined ? { text: h.name, taskId: h.id } : { text: h.name })
  if (cause.more) links.push({ text: `… ${cause.more} more` })
  const o = cause.origin
  links.push({ text: o.name, taskId: o.id })
  const what = o.failed !== undefined ? `failed (${o.failed})` : o.source
  return { links, what: `${what} at ${seconds(o.at.loop)} s` }
}

/** The chain in one line, or null when the task's cancellation is its own (or it has none). */
export function cancelChainText(task: Pick<TaskSnapshot, 'name' | 'cancel'>): string | null {
  const cause = task.cancel?.cause
  if (!cause) return null
  const { links, what } = chainParts(task.name, cause)
  return `${links.map((l) => l.text).join(' ← ')} ${what}`
}

/** The table's state-cell tooltip: the state, and for a cancellation the source and chain. */
export function stateTooltip(task: Pick<TaskSnapshot, 'name' | 'state' | 'cancel'>): string {
  if (task.state === 'abandoned') {
    return 'abandoned: left unfinished when its loop was shut down after the grace period ran out (it is not resumed again)'
  }
  const chain = cancelChainText(task)
  if (chain) return `${task.state}: ${chain}`
  return task.cancel ? `${task.state} (source ${task.cancel.source})` : task.state
}
