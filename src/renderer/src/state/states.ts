// One icon and one word per state, used everywhere a state is shown (never colour alone).
import type { TaskState } from '../../../shared/snapshots'

export const STATE_ICON: Record<TaskState, string> = {
  pending: '○',
  running: '▶',
  waiting: '⏸',
  cancelling: '⏳',
  done: '✓',
  failed: '✕',
  cancelled: '⊘',
}

/** Tasks that may still change (counted as "running" in the top bar). */
export function isLive(state: TaskState): boolean {
  return state !== 'done' && state !== 'failed' && state !== 'cancelled'
}
