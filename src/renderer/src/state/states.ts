// Which states still change: the top bar counts these by state, actions apply only to them.
import { FINAL_STATES } from '../../../shared/snapshots'
import type { TaskState } from '../../../shared/snapshots'

const FINAL = new Set<TaskState>(FINAL_STATES)

/** Tasks that may still change (not in a final state: done, failed, cancelled, abandoned). */
export function isLive(state: TaskState): boolean {
  return !FINAL.has(state)
}
