// The scenario launcher: which scenario is open, its form values, the clock, and the errors the
// main side sent back for the last attempt.
import type { ClockChoice, RunSummary, ScenarioInfo } from '../../../shared/snapshots'
import type { LoopwatchApi } from '../../../shared/contract'
import { initialValues, issuesToErrors, toParams, type FormValues } from './param-form'
import { CoursePythonState } from './course-python.svelte'

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

/** A program run both ways at once, for the side-by-side view: the port's run and the Python run. */
export interface RunPair {
  scenarioId: string
  /** The TypeScript port's run (null: it was refused). */
  runId: number | null
  /** The course's Python run (null: it was refused or cannot run here). */
  pythonKey: number | null
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
  /** The course's own Python: which programs can run here, and its runs. */
  readonly python: CoursePythonState
  /** The last "Run both side by side", shown in the launcher of its program. */
  pair = $state<RunPair | null>(null)
  /** The params last used per scenario, so the rail's Run repeats what the form held. */
  private lastValues = new Map<string, FormValues>()

  readonly sections = $derived(groupBySection(this.scenarios))
  readonly open = $derived(this.scenarios.find((s) => s.id === this.openId) ?? null)

  constructor(
    private readonly api: () => LoopwatchApi | null,
    private readonly onStarted: (run: RunSummary) => void,
  ) {
    this.python = new CoursePythonState(api)
  }

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
    const started = await this.startPort(id, values)
    if (started) this.onStarted(started)
    return started !== null
  }

  /** Starts the course's Python of `id` on the launcher's clock; the source it became, once connected. */
  async runPython(id: string): Promise<string | null> {
    const r = await this.python.run(id, clockFromKey(this.clock))
    return r?.sourceId ?? null
  }

  /**
   * Starts the TypeScript port (with the form's values) and the course's Python of `id` at once, on
   * one clock, and keeps the launcher open on the side-by-side view of the two.
   */
  async runBoth(id: string, values?: FormValues): Promise<boolean> {
    const [port, python] = await Promise.all([this.startPort(id, values), this.python.run(id, clockFromKey(this.clock))])
    this.pair = { scenarioId: id, runId: port?.runId ?? null, pythonKey: python?.runKey ?? null }
    return port !== null && python !== null
  }

  /** scenario:start with the form's values; field errors go beside their fields. */
  private async startPort(id: string, values?: FormValues): Promise<RunSummary | null> {
    const s = this.scenarios.find((x) => x.id === id)
    const api = this.api()
    if (!s || !api) return null
    const form = values ?? this.lastValues.get(id) ?? initialValues(s.params)
    const parsed = toParams(s.params, form)
    if (!parsed.ok) {
      this.errors = parsed.errors
      return null
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
        return null
      }
      this.lastValues.set(id, { ...form })
      this.errors = {}
      return res.value
    } finally {
      this.busy = false
    }
  }
}
