// Deadlocks found live: findDeadlocks (src/shared/deadlocks.ts) over the task store and the last
// resources answer, once per resources poll. A finding is shown once two polls in a row found it:
// the task store and the resources answer are read at slightly different moments, and a lock
// released just as its holder ended must not flash a false alarm.
import { findDeadlocks, flaggedTasks } from '../../../shared/deadlocks'
import type { DeadlockFinding } from '../../../shared/deadlocks'
import type { ResourcesState } from './resources.svelte'
import type { TaskStore } from './task-store.svelte'

/** A look costing more than this (ms) spaces out the next ones. */
const PACE_ABOVE_MS = 8

export class DeadlocksState {
  /** The confirmed findings (seen by two polls in a row). */
  findings = $state.raw<DeadlockFinding[]>([])
  /** Every task a finding names or blocks: the table and the await graph highlight these. */
  readonly flagged: ReadonlySet<number> = $derived(flaggedTasks(this.findings))
  /** Only the tasks at the heart of a finding (the ring, the waiters on the resource). */
  readonly core: ReadonlySet<number> = $derived(flaggedTasks(this.findings, false))
  private previous = new Set<string>()
  /** performance.now() before which a poll does not look again (see update). */
  private nextAt = 0

  constructor(
    private readonly store: TaskStore,
    private readonly resources: ResourcesState,
    /** The clock the pacing reads (tests pass a fake). */
    private readonly now: () => number = () => performance.now(),
  ) {}

  /**
   * Re-evaluates from the store and the last resources answer (call once per poll). A look that
   * took longer than half a frame (100,000 live tasks: ~45 ms) makes the next wait nine times its
   * cost, so detection takes at most a tenth of the renderer's time; a finding is then confirmed a
   * little later, never missed.
   */
  update(): void {
    const started = this.now()
    if (started < this.nextAt) return
    const found = findDeadlocks(this.store.tasks.values(), this.resources.snapshot?.loops ?? [])
    const cost = this.now() - started
    this.nextAt = cost > PACE_ABOVE_MS ? started + 10 * cost : 0
    const keys = new Set(found.map((f) => f.key))
    const confirmed = found.filter((f) => this.previous.has(f.key))
    this.previous = keys
    const same = confirmed.length === this.findings.length && confirmed.every((f, i) => f.key === this.findings[i]!.key && f.explanation === this.findings[i]!.explanation)
    if (!same) this.findings = confirmed
  }
}
