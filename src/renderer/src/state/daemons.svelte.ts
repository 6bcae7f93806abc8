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

  /** Start a stopped daemon or stop a running one (gracefully). */
  async toggle(id: DaemonId, config?: Record<string, unknown>): Promise<void> {
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
        const res = await api.invoke('daemon:start', config ? { id, config } : { id })
        if (!res.ok) this.error = res.error.message
        else this.list = this.list.map((x) => (x.id === id ? res.value : x))
      }
    } finally {
      this.busy = { ...this.busy, [id]: false }
    }
  }
}
