// Deadlocks found live: findDeadlocks (src/shared/deadlocks.ts) over the task store and the last
// resources answer, once per resources poll. A finding is shown once two polls in a row found it:
// the task store and the resources answer are read at slightly different moments, and a lock
// released just as its holder ended must not flash a false alarm.
import { findDeadlocks, flaggedTasks } from '../../../shared/deadlocks'
import type { DeadlockFinding } from '../../../shared/deadlocks'
import type { ResourcesState } from './resources.svelte'
import type { TaskStore } from './task-store.svelte'

export class DeadlocksState {
  /** The confirmed findings (seen by two polls in a row). */
  findings = $state.raw<DeadlockFinding[]>([])
  /** Every task a finding names or blocks: the table and the await graph highlight these. */
  readonly flagged: ReadonlySet<number> = $derived(flaggedTasks(this.findings))
  /** Only the tasks at the heart of a finding (the ring, the waiters on the resource). */
  readonly core: ReadonlySet<number> = $derived(flaggedTasks(this.findings, false))
  private previous = new Set<string>()

  constructor(
    private readonly store: TaskStore,
    private readonly resources: ResourcesState,
  ) {}

  /** Re-evaluates from the store and the last resources answer (call once per poll). */
  update(): void {
    const found = findDeadlocks(this.store.tasks.values(), this.resources.snapshot?.loops ?? [])
    const keys = new Set(found.map((f) => f.key))
    const confirmed = found.filter((f) => this.previous.has(f.key))
    this.previous = keys
    const same = confirmed.length === this.findings.length && confirmed.every((f, i) => f.key === this.findings[i]!.key && f.explanation === this.findings[i]!.explanation)
    if (!same) this.findings = confirmed
  }
}
