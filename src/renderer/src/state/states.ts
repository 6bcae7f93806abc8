// Which states still change: the top bar counts these as running, actions apply only to them.
import type { TaskState } from '../../../shared/snapshots'

/** Tasks that may still change (counted as "running" in the top bar). */
export function isLive(state: TaskState): boolean {
  return state !== 'done' && state !== 'failed' && state !== 'cancelled'
}
