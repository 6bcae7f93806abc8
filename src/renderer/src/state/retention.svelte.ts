// The history's retention policy as the settings panel edits it: the saved policy, a draft, and
// what the database holds. Bounds come from the contract's one list (RETENTION_FIELDS).
import type { LoopwatchApi } from '../../../shared/contract'
import { RETENTION_FIELD_NAMES, RETENTION_FIELDS } from '../../../shared/history-contract'
import type { RetentionField, RetentionPolicy } from '../../../shared/history-contract'
import type { RetentionStatus } from '../../../shared/snapshots'

export class RetentionState {
  status = $state.raw<RetentionStatus | null>(null)
  /** The fields as typed: a number input binds a number, or null while empty; tests may set strings. */
  draft = $state<Record<RetentionField, number | string | null>>({ maxAgeDays: null, maxRuns: null, maxMegabytes: null })
  saving = $state(false)
  error = $state<string | null>(null)

  constructor(
    private readonly api: () => LoopwatchApi | null,
    /** Called after a save applied the policy (runs may have been deleted). */
    private readonly onApplied: () => void,
  ) {}

  /** The first field that is not a whole number within its bounds, as a sentence; null if all are. */
  get problem(): string | null {
    for (const name of RETENTION_FIELD_NAMES) {
      const f = RETENTION_FIELDS[name]
      const n = this.value(name)
      if (!Number.isInteger(n) || n < f.min || n > f.max) {
        return `${f.label}: a whole number from ${f.min.toLocaleString('en-US')} to ${f.max.toLocaleString('en-US')}`
      }
    }
    return null
  }

  get dirty(): boolean {
    const p = this.status?.policy
    return !!p && RETENTION_FIELD_NAMES.some((n) => p[n] !== this.value(n))
  }

  /** A field's draft as a number (NaN while empty or not a number). */
  private value(name: RetentionField): number {
    const raw = this.draft[name]
    return raw === null || (typeof raw === 'string' && raw.trim() === '') ? Number.NaN : Number(raw)
  }

  async load(): Promise<void> {
    const api = this.api()
    if (!api) return
    const res = await api.invoke('retention:get')
    if (res.ok) this.show(res.value)
    else this.error = res.error.message
  }

  /** Saves the draft; main applies it at once and answers with what the database holds now. */
  async save(): Promise<void> {
    const api = this.api()
    if (!api || this.problem) return
    const policy = Object.fromEntries(RETENTION_FIELD_NAMES.map((n) => [n, this.value(n)])) as RetentionPolicy
    this.saving = true
    try {
      const res = await api.invoke('retention:set', policy)
      if (res.ok) {
        this.show(res.value)
        this.onApplied()
      } else this.error = res.error.message
    } finally {
      this.saving = false
    }
  }

  resetToDefaults(): void {
    const d = this.status?.defaults
    if (d) for (const n of RETENTION_FIELD_NAMES) this.draft[n] = d[n]
  }

  private show(status: RetentionStatus): void {
    this.status = status
    this.error = null
    for (const n of RETENTION_FIELD_NAMES) this.draft[n] = status.policy[n]
  }
}
