// The outcome of a bulk action, as a person reads it: "300 cancelled, 2 had already ended". Pure,
// so the tests feed it outcomes and task states directly; the dialog re-reads it as tasks end.
import type { BulkOutcome } from '../../../shared/bulk-contract'
import type { TaskSnapshot } from '../../../shared/snapshots'
import { isLive } from './states'

/** One part of the summary: how many, and what happened to them. */
export interface SummaryPart {
  count: number
  text: string
  /** A state to colour it by (the part's tasks are in it), if any. */
  state: TaskSnapshot['state'] | null
}

const plural = (n: number, one: string, many = `${one}s`) => (n === 1 ? one : many)

/**
 * What became of a bulk action's tasks, now: of those it reached, how many ended which way and
 * how many are still ending; then those that had ended before it came, unknown ones, and failures.
 * Parts with a count of 0 are left out.
 *
 * @example bulkSummary(outcome, (id) => store.tasks.get(id)).map((p) => p.text).join(', ')
 *   // '300 cancelled, 2 had already ended'
 */
export function bulkSummary(outcome: BulkOutcome, get: (id: number) => TaskSnapshot | undefined): SummaryPart[] {
  const by = { cancelled: 0, done: 0, failed: 0, abandoned: 0, live: 0, gone: 0 }
  for (const id of outcome.applied) {
    const t = get(id)
    if (!t) by.gone++
    else if (isLive(t.state)) by.live++
    else by[t.state as 'cancelled' | 'done' | 'failed' | 'abandoned']++
  }
  const reached = outcome.kind === 'cancel' ? 'cancel requested' : 'deadline set'
  const parts: SummaryPart[] = [
    { count: by.cancelled, text: outcome.kind === 'cancel' ? 'cancelled' : 'cancelled by their deadline', state: 'cancelled' },
    { count: by.done, text: outcome.kind === 'cancel' ? 'finished before the cancel reached them' : 'finished within their deadline', state: 'done' },
    { count: by.failed, text: 'failed', state: 'failed' },
    { count: by.abandoned, text: 'abandoned by a shutdown', state: 'abandoned' },
    { count: by.live, text: outcome.kind === 'cancel' ? 'still cleaning up' : `${reached}, still running`, state: outcome.kind === 'cancel' ? 'cancelling' : 'waiting' },
    { count: by.gone, text: `${reached}, no longer shown`, state: null },
    { count: outcome.alreadyEnded.length, text: `had already ended`, state: null },
    { count: outcome.notFound.length, text: `no longer known`, state: null },
    { count: outcome.failedCount, text: `could not be reached${outcome.failed[0] ? ` (${outcome.failed[0].message})` : ''}`, state: 'failed' },
  ]
  return parts.filter((p) => p.count > 0)
}

/** The summary as one line: "300 cancelled, 2 had already ended". */
export function summaryLine(parts: readonly SummaryPart[]): string {
  return parts.length === 0 ? 'nothing to do' : parts.map((p) => `${p.count} ${p.text}`).join(', ')
}

/** The dialog's title: "Cancel 300 tasks", "Put a deadline on 1 task". */
export function bulkTitle(kind: BulkOutcome['kind'], n: number): string {
  const tasks = `${n.toLocaleString('en-US')} ${plural(n, 'task')}`
  return kind === 'cancel' ? `Cancel ${tasks}` : `Put a deadline on ${tasks}`
}
