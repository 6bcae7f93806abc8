// Connected processes (agents): the list the rail shows, the scope picker's source → loop groups,
// and Stop. A lost source's tasks stay in the store as they were last reported; they read stale
// from the source's state, the one place that fact lives.
import type { LoopwatchApi } from '../../../shared/contract'
import type { RunSummary, SourceInfo } from '../../../shared/snapshots'
import { DAEMONS_LOOP, runLoopLabel, sourceOfLoop } from '../../../shared/snapshots'

/** The scope value that shows every loop of one source. */
export function sourceScope(sourceId: string): string {
  return `source:${sourceId}`
}

/** Does a task on `loop` fall in `scope` ('all', a loop label, or a whole source)? */
export function inScope(scope: string, loop: string): boolean {
  if (scope === 'all' || scope === loop) return true
  return scope.startsWith('source:') && sourceOfLoop(loop) === scope.slice('source:'.length)
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

export class SourcesState {
  list = $state.raw<SourceInfo[]>([])
  /** A source whose stop is in flight (its button waits). */
  busy = $state<Record<string, boolean>>({})
  error = $state<string | null>(null)

  constructor(private readonly api: () => LoopwatchApi | null) {}

  setList(list: SourceInfo[]): void {
    this.list = list
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

  /** Asks the process to shut its loops down gracefully. */
  async stop(id: string, graceMs = 2000): Promise<void> {
    const api = this.api()
    if (!api) return
    this.busy = { ...this.busy, [id]: true }
    this.error = null
    const r = await api.invoke('source:stop', { sourceId: id, graceMs })
    this.busy = { ...this.busy, [id]: false }
    if (!r.ok) this.error = r.error.message
  }
}
