// Daemons: their on/off state and since when, the stats daemon's samples and the job workers'
// progress (bounded rings for the charts), and the chart series derived from them.
import type { DaemonId, DaemonInfo, JobsProgress, StatsSample, TaskSnapshot, TaskState } from '../../../shared/snapshots'
import { DAEMONS_LOOP, FINAL_STATES, TASK_STATES } from '../../../shared/snapshots'
import type { LoopwatchApi } from '../../../shared/contract'

/**
 * Samples kept for the charts: a minute at the fastest interval (200 ms), five at one a second.
 * Bounded so six live uPlot charts redraw in well under a millisecond each.
 */
export const MAX_SAMPLES = 300
export const MAX_PROGRESS = 300

/** Columns for uPlot: x in wall seconds, then one array per series (null = no value there). */
export type ChartColumns = [number[], ...(number | null)[][]]

/** Appends to a ring kept as an immutable array (`$state.raw` sees a new array each time). */
export function pushBounded<T>(list: readonly T[], item: T, max: number): T[] {
  const next = list.length >= max ? list.slice(list.length - max + 1) : list.slice()
  next.push(item)
  return next
}

/**
 * Which daemon a task of the daemons' loop belongs to, by the names the daemons give their tasks
 * (src/main/daemons): `stats-daemon`; `jobs-producer`, `jobs-progress`, `job-worker-N`; `worker-N`.
 */
export function daemonOfTask(t: Pick<TaskSnapshot, 'loop' | 'name'>): DaemonId | null {
  if (t.loop !== DAEMONS_LOOP) return null
  if (t.name === 'stats-daemon') return 'stats'
  if (t.name.startsWith('jobs-') || t.name.startsWith('job-worker-')) return 'jobs'
  if (/^worker-\d+$/.test(t.name)) return 'heartbeat'
  return null
}

/** What a daemon is doing now: its unfinished tasks (by id) and how many of each state it has. */
export interface DaemonActivity {
  live: TaskSnapshot[]
  counts: Partial<Record<TaskState, number>>
  /** When its oldest unfinished task was created (wall ms); null when nothing runs. */
  since: number | null
}

/** Groups the daemons' loop tasks by daemon. */
export function daemonActivity(tasks: Iterable<TaskSnapshot>): Record<DaemonId, DaemonActivity> {
  const out: Record<DaemonId, DaemonActivity> = {
    stats: { live: [], counts: {}, since: null },
    heartbeat: { live: [], counts: {}, since: null },
    jobs: { live: [], counts: {}, since: null },
  }
  for (const t of tasks) {
    const id = daemonOfTask(t)
    if (!id) continue
    const a = out[id]
    a.counts[t.state] = (a.counts[t.state] ?? 0) + 1
    if (FINAL_STATES.includes(t.state)) continue
    a.live.push(t)
    if (a.since == null || t.createdAt.wall < a.since) a.since = t.createdAt.wall
  }
  for (const a of Object.values(out)) a.live.sort((x, y) => x.id - y.id)
  return out
}

/**
 * Breaks a line where reports stopped (the daemon was off): a null point after any pause longer
 * than three typical intervals, so uPlot leaves a gap instead of drawing a slope across the pause.
 * `withGaps([[0, 1, 10], [5, 6, 0]])` → `[[0, 1, 5.5, 10], [5, 6, null, 0]]`.
 */
export function withGaps(cols: ChartColumns): ChartColumns {
  const [x, ...ys] = cols
  if (x.length < 3) return cols
  const steps = x.slice(1).map((v, i) => v - x[i]!).sort((a, b) => a - b)
  const limit = 3 * steps[Math.floor(steps.length / 2)]!
  const outX: number[] = [x[0]!]
  const outYs = ys.map((y) => [y[0] ?? null])
  for (let i = 1; i < x.length; i++) {
    if (x[i]! - x[i - 1]! > limit) {
      outX.push((x[i]! + x[i - 1]!) / 2)
      for (const y of outYs) y.push(null)
    }
    outX.push(x[i]!)
    ys.forEach((y, k) => outYs[k]!.push(y[i] ?? null))
  }
  return [outX, ...outYs]
}

const xs = (list: readonly { wall: number }[]): number[] => list.map((s) => s.wall / 1000)

/** Event-loop delay p50, p99 and max (ms) per sample. */
export function delayColumns(samples: readonly StatsSample[]): ChartColumns {
  return withGaps([xs(samples), samples.map((s) => s.loopDelayMs.p50), samples.map((s) => s.loopDelayMs.p99), samples.map((s) => s.loopDelayMs.max)])
}

/** Resident set size and used heap (MB) per sample. */
export function memoryColumns(samples: readonly StatsSample[]): ChartColumns {
  return withGaps([xs(samples), samples.map((s) => s.memory.rssMb), samples.map((s) => s.memory.heapUsedMb)])
}

/** Process CPU (%) per sample. */
export function cpuColumns(samples: readonly StatsSample[]): ChartColumns {
  return withGaps([xs(samples), samples.map((s) => s.cpuPercent)])
}

/** Task count per state (TASK_STATES order) per sample; a state the sample omits counts 0. */
export function taskStateColumns(samples: readonly StatsSample[]): ChartColumns {
  return withGaps([xs(samples), ...TASK_STATES.map((st) => samples.map((s) => s.tasks[st] ?? 0))])
}

/** Job throughput (jobs/s) per progress report. */
export function throughputColumns(progress: readonly JobsProgress[]): ChartColumns {
  return withGaps([xs(progress), progress.map((p) => p.perSecond)])
}

/** The jobs counters: done, failed, pending per progress report. */
export function jobCountColumns(progress: readonly JobsProgress[]): ChartColumns {
  return withGaps([xs(progress), progress.map((p) => p.done), progress.map((p) => p.failed), progress.map((p) => p.pending)])
}

export class DaemonsState {
  list = $state.raw<DaemonInfo[]>([])
  samples = $state.raw<StatsSample[]>([])
  progress = $state.raw<JobsProgress[]>([])
  busy = $state<Partial<Record<DaemonId, boolean>>>({})
  /** Edited settings per daemon, as typed; used by the next start. */
  drafts = $state<Partial<Record<DaemonId, Record<string, string>>>>({})
  error = $state<string | null>(null)
  /** Wall ms this window saw each daemon turn on (a daemon already on at connect has none). */
  startedWall = $state.raw<Partial<Record<DaemonId, number>>>({})
  /** The card the Daemons view scrolls to when it opens from a daemon's row. */
  focused = $state<DaemonId | null>(null)

  readonly latestSample = $derived(this.samples[this.samples.length - 1] ?? null)
  readonly latestProgress = $derived(this.progress[this.progress.length - 1] ?? null)

  constructor(
    private readonly api: () => LoopwatchApi | null,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** Replaces the list (snapshot, `daemons:changed`), noting when a daemon turned on or off. */
  setList(list: DaemonInfo[]): void {
    const before = new Map(this.list.map((d) => [d.id, d.running]))
    const started = { ...this.startedWall }
    for (const d of list) {
      if (!d.running) delete started[d.id]
      else if (before.get(d.id) === false && started[d.id] == null) started[d.id] = this.now()
    }
    this.startedWall = started
    this.list = list
  }

  addSample(s: StatsSample): void {
    this.samples = pushBounded(this.samples, s, MAX_SAMPLES)
  }

  addProgress(p: JobsProgress): void {
    this.progress = pushBounded(this.progress, p, MAX_PROGRESS)
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
        else this.setList(this.list.map((x) => (x.id === id ? { ...x, running: false } : x)))
      } else {
        // The listed config is "the one the next start uses"; a start without one would fall back
        // to the defaults (e.g. the stats daemon's 60 s) instead of what the window shows.
        const config = this.configFromDraft(d) ?? d.config
        const res = await api.invoke('daemon:start', { id, config })
        if (!res.ok) this.error = res.error.message
        else this.setList(this.list.map((x) => (x.id === id ? res.value : x)))
      }
    } finally {
      this.busy = { ...this.busy, [id]: false }
    }
  }
}

/**
 * The word beside a daemon's switch: `starting…` / `stopping…` while a toggle is under way, `on`,
 * `ended` when its tasks all ended on their own (cancelled from the window, failed), else `off`.
 */
export function daemonStateLabel(d: Pick<DaemonInfo, 'running' | 'ended'>, busy: boolean): string {
  if (busy) return d.running ? 'stopping…' : 'starting…'
  if (d.running) return 'on'
  return d.ended?.by === 'tasks' ? 'ended' : 'off'
}

/** How long a daemon has run: `formatUptime(4_200)` → `"4 s"`, `192_000` → `"3 m 12 s"`, `3_780_000` → `"1 h 03 m"`. */
export function formatUptime(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000))
  if (s < 60) return `${s} s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m} m ${String(s % 60).padStart(2, '0')} s`
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} m`
}
