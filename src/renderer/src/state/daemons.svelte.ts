// Daemons: their on/off state, the stats daemon's samples (a ring for the chart) and the job
// workers' throughput.
import type { DaemonId, DaemonInfo, JobsProgress, StatsSample } from '../../../shared/snapshots'
import type { LoopwatchApi } from '../../../shared/contract'

/** Samples kept for the chart: an hour at one a second is plenty, and uPlot draws 3,600 points easily. */
const MAX_SAMPLES = 3_600
const MAX_PROGRESS = 600

export class DaemonsState {
  list = $state.raw<DaemonInfo[]>([])
  samples = $state.raw<StatsSample[]>([])
  progress = $state.raw<JobsProgress[]>([])
  busy = $state<Partial<Record<DaemonId, boolean>>>({})
  /** Edited settings per daemon, as typed; used by the next start. */
  drafts = $state<Partial<Record<DaemonId, Record<string, string>>>>({})
  error = $state<string | null>(null)

  readonly latestSample = $derived(this.samples[this.samples.length - 1] ?? null)
  readonly latestProgress = $derived(this.progress[this.progress.length - 1] ?? null)

  constructor(private readonly api: () => LoopwatchApi | null) {}

  addSample(s: StatsSample): void {
    const next = this.samples.length >= MAX_SAMPLES ? this.samples.slice(1) : this.samples.slice()
    next.push(s)
    this.samples = next
  }

  addProgress(p: JobsProgress): void {
    const next = this.progress.length >= MAX_PROGRESS ? this.progress.slice(1) : this.progress.slice()
    next.push(p)
    this.progress = next
  }

  /** The settings form's text for a daemon: its draft, else its current config. */
  draftOf(d: DaemonInfo): Record<string, string> {
    return this.drafts[d.id] ?? Object.fromEntries(Object.entries(d.config).map(([k, v]) => [k, String(v)]))
  }

  setDraft(d: DaemonInfo, key: string, value: string): void {
    this.drafts = { ...this.drafts, [d.id]: { ...this.draftOf(d), [key]: value } }
  }

  /** The draft as config: numbers where the current config has numbers; null if none was edited. */
  configFromDraft(d: DaemonInfo): Record<string, unknown> | null {
    const draft = this.drafts[d.id]
    if (!draft) return null
    const out: Record<string, unknown> = {}
    for (const [k, text] of Object.entries(draft)) {
      out[k] = typeof d.config[k] === 'number' && text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : text
    }
    return out
  }

  /** Start a stopped daemon (with edited settings, if any) or stop a running one (gracefully). */
  async toggle(id: DaemonId): Promise<void> {
    const api = this.api()
    const d = this.list.find((x) => x.id === id)
    if (!api || !d || this.busy[id]) return
    this.busy = { ...this.busy, [id]: true }
    this.error = null
    try {
      if (d.running) {
        const res = await api.invoke('daemon:stop', { id })
        if (!res.ok) this.error = res.error.message
        else this.list = this.list.map((x) => (x.id === id ? { ...x, running: false } : x))
      } else {
        const config = this.configFromDraft(d)
        const res = await api.invoke('daemon:start', config ? { id, config } : { id })
        if (!res.ok) this.error = res.error.message
        else this.list = this.list.map((x) => (x.id === id ? res.value : x))
      }
    } finally {
      this.busy = { ...this.busy, [id]: false }
    }
  }
}
