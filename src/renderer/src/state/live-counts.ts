// The top bar's counts: tasks running (inside a step) apart from those waiting at an await, as
// issue 11 asks — "N running" must not count a task parked in sleep().
import type { TaskSnapshot } from '../../../shared/snapshots'
import type { FinalState, TaskState } from '../../../main/runtime/states'
import { isLive } from './states'
import type { StateCounts } from './task-store.svelte'

/** Live tasks by what they are doing now. */
export interface LiveCounts {
  running: number
  waiting: number
  /** Created, first step not run yet. */
  pending: number
  /** Cancellation asked, cleanup still running. */
  cancelling: number
  /** All of the above. */
  live: number
}

/**
 * Counts live tasks by state, skipping those `skip` says nothing runs any more (an ended process's).
 *
 * @example liveCounts(store.tasks.values(), (t) => sources.isEnded(t.loop)) // { running: 1, waiting: 9, … }
 */
export function liveCounts(tasks: Iterable<TaskSnapshot>, skip: (t: TaskSnapshot) => boolean = () => false): LiveCounts {
  const c: LiveCounts = { running: 0, waiting: 0, pending: 0, cancelling: 0, live: 0 }
  for (const t of tasks) {
    if (!isLive(t.state) || skip(t)) continue
    c.live++
    c[t.state as Exclude<TaskState, FinalState>]++
  }
  return c
}

/**
 * The same counts from per-loop state counts (TaskStore.countsByLoop), skipping the loops `skipLoop`
 * names: as many steps as loops, so 100,000 tasks cost nothing per delta.
 *
 * @example liveCountsByLoop(store.countsByLoop, (loop) => sources.isEnded(loop))
 */
export function liveCountsByLoop(byLoop: ReadonlyMap<string, StateCounts>, skipLoop: (loop: string) => boolean = () => false): LiveCounts {
  const c: LiveCounts = { running: 0, waiting: 0, pending: 0, cancelling: 0, live: 0 }
  for (const [loop, counts] of byLoop) {
    if (skipLoop(loop)) continue
    for (const [state, n] of Object.entries(counts) as [TaskState, number][]) {
      if (!isLive(state)) continue
      c[state as Exclude<TaskState, FinalState>] += n
      c.live += n
    }
  }
  return c
}
