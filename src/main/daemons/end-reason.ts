import type { Task } from '../runtime'

/** Longest part of an end reason taken from a task (a cancel reason, an error message). */
const MAX_PART = 200

/**
 * Says why a daemon ended on its own, from the tasks that did its work (all done by now):
 * `all 2 tasks ended: 2 cancelled by user (from the window)`, `its task ended: 1 failed (boom)`.
 * Identical outcomes are counted once, in the order they first occur.
 */
export function describeEnd(tasks: readonly Task<unknown>[], noun: 'tasks' | 'workers'): string {
  const counts = new Map<string, number>()
  for (const t of tasks) {
    const outcome = outcomeOf(t)
    counts.set(outcome, (counts.get(outcome) ?? 0) + 1)
  }
  const parts = [...counts].map(([outcome, n]) => `${n} ${outcome}`)
  const head = tasks.length === 1 ? `its ${noun.slice(0, -1)} ended` : `all ${tasks.length} ${noun} ended`
  return `${head}: ${parts.join(', ')}`
}

function outcomeOf(t: Task<unknown>): string {
  if (t.state === 'cancelled') {
    const req = t.cancelRequest()
    if (!req) return 'cancelled'
    return `cancelled by ${req.source}${req.reason ? ` (${clip(req.reason)})` : ''}`
  }
  if (t.state === 'failed') {
    const error = t.exception()
    return `failed (${clip(error instanceof Error ? error.message : String(error))})`
  }
  return t.state
}

function clip(text: string): string {
  return text.length > MAX_PART ? `${text.slice(0, MAX_PART)}…` : text
}
