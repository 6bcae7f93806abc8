// Bulk actions on what the filter shows: the confirmation dialog (its count, reason or deadline),
// the one tasks:bulk command, and the outcome summary, which follows the tasks as they end.
import { MAX_BULK_TASKS, MAX_DEADLINE_MS } from '../../../shared/bulk-contract'
import type { BulkActionKind, BulkOutcome } from '../../../shared/bulk-contract'
import type { LoopwatchApi } from '../../../shared/contract'
import { bulkSummary, type SummaryPart } from './bulk-summary'
import type { TaskStore } from './task-store.svelte'

export class BulkState {
  /** The open dialog's action, or null. */
  kind = $state<BulkActionKind | null>(null)
  /** The tasks the dialog acts on: what the filter showed live when it opened (the count it states). */
  targets = $state.raw<number[]>([])
  /** What the filter text was then, to say which tasks these are. */
  filterText = $state('')
  /** The table scope the dialog was opened in; the outcome is shown in that scope only. */
  scope = $state('all')
  reason = $state('')
  /** Bound to a number input: a number once edited, so read it through `String()`. */
  deadlineSeconds = $state<string | number>('10')
  busy = $state(false)
  error = $state<string | null>(null)
  outcome = $state.raw<BulkOutcome | null>(null)

  readonly tooMany = $derived(this.targets.length > MAX_BULK_TASKS)

  readonly deadlineError = $derived.by(() => {
    const n = Number(this.deadlineSeconds)
    if (String(this.deadlineSeconds).trim() === '' || !Number.isFinite(n)) return 'enter seconds, e.g. 10'
    if (n < 0) return 'must not be negative'
    if (n * 1000 > MAX_DEADLINE_MS) return `at most ${MAX_DEADLINE_MS / 3_600_000} hours`
    return null
  })

  /** The outcome so far, re-read as the store changes (tasks still ending count as such). */
  readonly summary: SummaryPart[] = $derived.by(() => {
    const outcome = this.outcome
    if (!outcome) return []
    void this.store.version
    return bulkSummary(outcome, (id) => this.store.tasks.get(id))
  })

  constructor(
    private readonly api: () => LoopwatchApi | null,
    private readonly store: TaskStore,
  ) {}

  /** Opens the confirmation for `kind` on exactly these tasks (the live ones the filter shows in `scope`). */
  open(kind: BulkActionKind, taskIds: readonly number[], filterText: string, scope = 'all'): void {
    if (taskIds.length === 0) return
    this.kind = kind
    this.targets = [...taskIds]
    this.filterText = filterText.trim()
    this.scope = scope
    this.error = null
  }

  close(): void {
    if (!this.busy) this.kind = null
  }

  /** The outcome to show in table scope `scope`: the last action's, if it was made there. */
  outcomeIn(scope: string): BulkOutcome | null {
    return this.scope === scope ? this.outcome : null
  }

  dismissOutcome(): void {
    this.outcome = null
  }

  /** Sends the one command; on success the dialog closes and the summary shows. */
  async confirm(): Promise<boolean> {
    const api = this.api()
    const kind = this.kind
    if (!api || !kind || this.busy || this.tooMany) return false
    if (kind === 'deadline' && this.deadlineError) return false
    const reason = this.reason.trim()
    const action = kind === 'cancel' ? { kind, reason: reason === '' ? null : reason } : { kind, inMs: Math.round(Number(this.deadlineSeconds) * 1000) }
    this.busy = true
    this.error = null
    try {
      const res = await api.invoke('tasks:bulk', { action, taskIds: this.targets })
      if (!res.ok) {
        this.error = res.error.message
        return false
      }
      this.outcome = res.value
      this.reason = ''
      this.kind = null
      return true
    } finally {
      this.busy = false
    }
  }
}
