// A list of slow steps shown in a table of their own, sortable (a past run's in the History view;
// the live tab's SlowStepsState sorts the same way).
import type { SlowStep } from '../../../shared/snapshots'
import { sortSlowSteps, type SlowSortKey } from './slow-steps.svelte'

/** What the slow-step table reads and calls: the sorted rows and the sort. */
export interface SortedSlowSteps {
  readonly sorted: SlowStep[]
  readonly sortKey: SlowSortKey
  readonly desc: boolean
  sortBy(key: SlowSortKey): void
}

export class SlowStepList implements SortedSlowSteps {
  steps = $state.raw<SlowStep[]>([])
  /** A past run's: the longest first. */
  sortKey = $state<SlowSortKey>('durationMs')
  desc = $state(true)
  readonly sorted = $derived(sortSlowSteps(this.steps, this.sortKey, this.desc))

  sortBy(key: SlowSortKey): void {
    if (this.sortKey === key) this.desc = !this.desc
    else {
      this.sortKey = key
      this.desc = key !== 'taskName'
    }
  }
}
