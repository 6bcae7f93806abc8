// The scenario launcher: which scenario is open, its form values, the clock, and the errors the
// main side sent back for the last attempt.
import type { ClockChoice, RunSummary, ScenarioInfo } from '../../../shared/snapshots'
import type { LoopwatchApi } from '../../../shared/contract'
import { initialValues, issuesToErrors, toParams, type FormValues } from './param-form'

export type ClockKey = 'virtual' | '1' | '10' | '60'
export const CLOCK_CHOICES: { key: ClockKey; label: string }[] = [
  { key: 'virtual', label: 'virtual' },
  { key: '1', label: '1×' },
  { key: '10', label: '10×' },
  { key: '60', label: '60×' },
]

export function clockFromKey(key: ClockKey): ClockChoice {
  return key === 'virtual' ? 'virtual' : { speed: Number(key) }
}

export function clockLabel(clock: ClockChoice): string {
  return clock === 'virtual' ? 'virtual' : `${clock.speed}×`
}

export interface ScenarioSection {
  section: string
  scenarios: ScenarioInfo[]
}

/** Consecutive scenarios of the same course section, in course order. */
export function groupBySection(list: readonly ScenarioInfo[]): ScenarioSection[] {
  const out: ScenarioSection[] = []
  for (const s of list) {
    const last = out[out.length - 1]
    if (last && last.section === s.section) last.scenarios.push(s)
    else out.push({ section: s.section, scenarios: [s] })
  }
  return out
}

export class LauncherState {
  scenarios = $state.raw<ScenarioInfo[]>([])
  openId = $state<string | null>(null)
  values = $state<FormValues>({})
  errors = $state<Record<string, string>>({})
  clock = $state<ClockKey>('virtual')
  busy = $state(false)
  /** The params last used per scenario, so the rail's Run repeats what the form held. */
  private lastValues = new Map<string, FormValues>()

  readonly sections = $derived(groupBySection(this.scenarios))
  readonly open = $derived(this.scenarios.find((s) => s.id === this.openId) ?? null)

  constructor(
    private readonly api: () => LoopwatchApi | null,
    private readonly onStarted: (run: RunSummary) => void,
  ) {}

  show(id: string): void {
    const s = this.scenarios.find((x) => x.id === id)
    if (!s) return
    this.openId = id
    this.values = { ...(this.lastValues.get(id) ?? initialValues(s.params)) }
    this.errors = {}
  }

  close(): void {
    this.openId = null
  }

  resetDefaults(): void {
    if (this.open) this.values = initialValues(this.open.params)
    this.errors = {}
  }

  /** Start scenario `id` with the form's values (or the last used / defaults). */
  async run(id: string, values?: FormValues): Promise<boolean> {
    const s = this.scenarios.find((x) => x.id === id)
    const api = this.api()
    if (!s || !api) return false
    const form = values ?? this.lastValues.get(id) ?? initialValues(s.params)
    const parsed = toParams(s.params, form)
    if (!parsed.ok) {
      this.errors = parsed.errors
      return false
    }
    this.busy = true
    try {
      const res = await api.invoke('scenario:start', { id, params: parsed.params, clock: clockFromKey(this.clock) })
      if (!res.ok) {
        // Field issues show beside their fields; the message stands alone only when none apply.
        const errs = issuesToErrors(s.params, res.error.details)
        if (Object.keys(errs).length === 0) errs[''] = res.error.message
        if (this.openId !== id) this.show(id)
        this.errors = errs
        return false
      }
      this.lastValues.set(id, { ...form })
      this.errors = {}
      this.onStarted(res.value)
      return true
    } finally {
      this.busy = false
    }
  }
}
