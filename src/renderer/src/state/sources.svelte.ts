// Connected processes (agents): the list the rail shows, the scope picker's source → loop groups,
// and Stop. A lost source's tasks stay in the store as they were last reported; they read stale
// from the source's state, the one place that fact lives.
import type { LoopwatchApi } from '../../../shared/contract'
import type { RunSummary, ShutdownReport, SourceInfo } from '../../../shared/snapshots'
import { DAEMONS_LOOP, runLoopLabel, sourceOfLoop } from '../../../shared/snapshots'

/** The scope value that shows every loop of one source. */
export function sourceScope(sourceId: string): string {
  return `source:${sourceId}`
}

/**
 * Does a task or line on `loop` fall in `scope` ('all', a loop label, or a whole source)? A line a
 * process printed outside every loop (a Python traceback after asyncio.run) carries the bare source id.
 */
export function inScope(scope: string, loop: string): boolean {
  if (scope === 'all' || scope === loop) return true
  if (!scope.startsWith('source:')) return false
  const source = scope.slice('source:'.length)
  return loop === source || sourceOfLoop(loop) === source
}

/** What a source is doing, as one short phrase: connected, stopping, exited (code 1), lost — stale. */
export function sourceStateLabel(s: Pick<SourceInfo, 'state' | 'exit'>): string {
  if (s.state === 'exited') return s.exit?.code == null ? 'exited' : `exited (code ${s.exit.code})`
  if (s.state === 'lost') return 'lost — stale'
  return s.state
}

/** What a source's role means for the app's graceful shutdown, for a tooltip. */
export function sourceRoleHint(s: Pick<SourceInfo, 'role'>): string {
  return s.role === 'child' ? 'started by the app: a graceful shutdown stops it' : 'runs on its own: a graceful shutdown tells it and leaves it running'
}

/** Connected services: what a graceful shutdown leaves running unless asked to stop them. */
export function runningServices(list: readonly SourceInfo[]): SourceInfo[] {
  return list.filter((s) => s.role === 'service' && (s.state === 'connected' || s.state === 'stopping'))
}

/** The source's clock as the launcher names clocks: real, 10×, virtual. */
export function sourceClockLabel(s: Pick<SourceInfo, 'clock'>): string {
  return s.clock.kind === 'scaled' ? `${s.clock.rate}×` : s.clock.kind
}

export interface ScopeOption {
  value: string
  label: string
}

export interface ScopeGroup {
  label: string
  options: ScopeOption[]
}

/** The scope picker's groups: this app's runs and daemons, then each source with its loops. */
export function scopeGroups(runs: readonly RunSummary[], sources: readonly SourceInfo[]): ScopeGroup[] {
  const own: ScopeGroup = {
    label: 'This app',
    options: [
      ...runs
        .slice()
        .sort((a, b) => b.runId - a.runId)
        .map((r) => ({ value: runLoopLabel(r.runId), label: `run #${r.runId} · ${r.scenarioId}` })),
      { value: DAEMONS_LOOP, label: 'Daemons' },
    ],
  }
  const external = sources.map((s) => ({
    label: `${s.name} · pid ${s.pid} · ${sourceStateLabel(s)}`,
    options: [
      { value: sourceScope(s.id), label: `${s.name}: every loop` },
      ...s.loops.map((loop) => ({ value: loop, label: `${s.name} › ${loop.slice(s.id.length + 1)}` })),
    ],
  }))
  return [own, ...external]
}

/** A source:stop answer: an editor child's says how it ended (graceful, killed past its grace). */
export type SourceStopReport = ShutdownReport & { how?: 'graceful' | 'killed' | 'already-ended' }

/** How a stop ended, for the rail: its tone and one short line. */
export interface StopNote {
  how: 'graceful' | 'forced' | 'killed' | 'already-ended'
  text: string
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`

/** One line for a stop report: "stopped gracefully (3 tasks)", "killed after its grace (2000 ms)". */
export function stopNote(r: SourceStopReport): StopNote {
  if (r.how === 'killed') return { how: 'killed', text: `killed after its grace (${r.graceMs} ms)` }
  if (r.how === 'already-ended') return { how: 'already-ended', text: 'had already ended' }
  const errors = r.cleanupErrors.length > 0 ? `, ${plural(r.cleanupErrors.length, 'cleanup error')}` : ''
  if (r.forced.length > 0) return { how: 'forced', text: `stopped: ${r.finished.length} finished, ${r.forced.length} forced after its grace${errors}` }
  return { how: 'graceful', text: `stopped gracefully (${plural(r.finished.length, 'task')}${errors})` }
}

/** How long the rail shows how a stop ended (unless the source comes back or goes first). */
export const STOP_NOTE_MS = 8_000

export class SourcesState {
  list = $state.raw<SourceInfo[]>([])
  /** A source whose stop is in flight (its button waits). */
  busy = $state<Record<string, boolean>>({})
  /** How each source's last stop ended, shown for STOP_NOTE_MS or until it connects again. */
  notes = $state<Record<string, StopNote>>({})
  error = $state<string | null>(null)
  private readonly noteTimers = new Map<string, ReturnType<typeof setTimeout>>()

  constructor(private readonly api: () => LoopwatchApi | null) {}

  setList(list: SourceInfo[]): void {
    const before = new Map(this.list.map((s) => [s.id, s.state]))
    this.list = list
    // A note is about the life that was stopped: a source that is gone, or connected again after
    // having ended, drops it (the exit that follows a stop keeps it).
    for (const id of Object.keys(this.notes)) {
      const now = list.find((s) => s.id === id)
      const back = now?.state === 'connected' && before.get(id) !== 'connected'
      if (!now || back) this.clearNote(id)
    }
  }

  byId(id: string | null): SourceInfo | undefined {
    return id === null ? undefined : this.list.find((s) => s.id === id)
  }

  /** The source of a task's loop, if it is a connected process's. */
  ofLoop(loop: string): SourceInfo | undefined {
    return this.byId(sourceOfLoop(loop))
  }

  /** True when the loop's source was lost: its tasks show their last known state. */
  isStale(loop: string): boolean {
    return this.ofLoop(loop)?.state === 'lost'
  }

  /** True when the loop's process has ended (exited or lost): nothing of it runs any more. */
  isEnded(loop: string): boolean {
    const state = this.ofLoop(loop)?.state
    return state === 'exited' || state === 'lost'
  }

  /**
   * Asks the process to shut its loops down gracefully; how it ended goes to `notes` (for a
   * moment), a failure to `error` naming the source.
   */
  async stop(id: string, graceMs = 2000): Promise<void> {
    const api = this.api()
    if (!api) return
    const name = this.byId(id)?.name ?? id
    this.busy = { ...this.busy, [id]: true }
    this.error = null
    this.clearNote(id)
    try {
      const r = await api.invoke('source:stop', { sourceId: id, graceMs })
      if (!r.ok) this.error = `Stopping ${name} failed: ${r.error.message}`
      else this.showNote(id, stopNote(r.value))
    } finally {
      this.busy = { ...this.busy, [id]: false }
    }
  }

  private showNote(id: string, note: StopNote): void {
    this.notes = { ...this.notes, [id]: note }
    this.noteTimers.set(id, setTimeout(() => this.clearNote(id), STOP_NOTE_MS))
  }

  private clearNote(id: string): void {
    const timer = this.noteTimers.get(id)
    if (timer !== undefined) clearTimeout(timer)
    this.noteTimers.delete(id)
    if (!(id in this.notes)) return
    const { [id]: _gone, ...rest } = this.notes
    this.notes = rest
  }
}
