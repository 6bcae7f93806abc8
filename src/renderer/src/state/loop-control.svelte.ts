// Loop controls in the window: per loop, its control state and inspection (ready queue + timer
// heap) as the last loop:control / loop:inspect answered, refreshed on a bounded interval while a
// loop is held (paused, stepping) or its inspector is opened live, one request per loop at a time.
import type { LoopwatchApi } from '../../../shared/contract'
import type { LoopAction, LoopSpeed, LoopView } from '../../../shared/loop-control-contract'
import type { RunSummary, SourceInfo } from '../../../shared/snapshots'
import { DAEMONS_LOOP, runLoopLabel, sourceOfLoop } from '../../../shared/snapshots'
import { sourceScope } from './sources.svelte'

/** Real ms between refreshes of a held or watched loop. */
export const INSPECT_POLL_MS = 700

/** The speeds offered: virtual (time holds still unless the loop jumps), or a rate. */
export const SPEED_CHOICES: { speed: LoopSpeed; label: string }[] = [
  { speed: 'virtual', label: 'virtual' },
  { speed: 0.1, label: '0.1×' },
  { speed: 1, label: '1×' },
  { speed: 10, label: '10×' },
  { speed: 60, label: '60×' },
]

/**
 * Whether a connected process's agent carries loop controls: a connected Node agent (`watch()`,
 * `loopwatch run`). The Python agent answers them `unsupported`, so they are not offered.
 */
export function sourceHasLoopControls(source: SourceInfo | undefined): boolean {
  return source !== undefined && source.state === 'connected' && source.runtime.kind === 'node'
}

/**
 * The loops of a table scope that have loop controls: this app's own loops (a run's, the daemons'),
 * and a connected Node process's (a source's scope: all its loops; one of its loops: that one).
 * 'all' offers every live run's loop, not the processes' (each shown loop is read from its process).
 */
export function controllableLoops(scope: string, runs: readonly RunSummary[], sources: readonly SourceInfo[] = []): string[] {
  const live = (r: RunSummary) => r.status === 'running' || r.status === 'stopping'
  const controlled = sources.filter(sourceHasLoopControls)
  if (scope === 'all') return runs.filter(live).map((r) => runLoopLabel(r.runId))
  if (scope === DAEMONS_LOOP) return [DAEMONS_LOOP]
  if (scope.startsWith('source:')) return controlled.find((s) => sourceScope(s.id) === scope)?.loops ?? []
  const sourceId = sourceOfLoop(scope)
  if (sourceId !== null) return controlled.some((s) => s.id === sourceId && s.loops.includes(scope)) ? [scope] : []
  const run = runs.find((r) => runLoopLabel(r.runId) === scope)
  return run && live(run) ? [scope] : []
}

/** A loop is held when it does not run freely: paused, pausing, or inside a step. */
export function isHeld(view: LoopView | undefined): boolean {
  return view !== undefined && view.state !== 'running'
}

export class LoopControlState {
  /** The last answer per loop. */
  views = $state<Record<string, LoopView>>({})
  /** Loops whose inspector is open while they run (live). */
  live = $state<Record<string, boolean>>({})
  /** The loop with an action in flight, and which. */
  acting = $state<{ loopId: string; action: LoopAction } | null>(null)
  /** Why the last action failed, per loop. */
  errors = $state<Record<string, string>>({})
  private timer: ReturnType<typeof setTimeout> | null = null
  private readonly inFlight = new Set<string>()
  private readonly gone = new Set<string>()

  constructor(private readonly api: () => LoopwatchApi | null) {}

  /** Whether the inspector of `loopId` is shown: held, or opened live. */
  shown(loopId: string): boolean {
    return isHeld(this.views[loopId]) || this.live[loopId] === true
  }

  /** Pause / resume / step / toNextTimer / speed; the answer replaces the loop's view. */
  async act(loopId: string, action: LoopAction, speed?: LoopSpeed): Promise<void> {
    const api = this.api()
    if (!api || this.acting) return
    this.acting = { loopId, action }
    try {
      const res = await api.invoke('loop:control', speed === undefined ? { loopId, action } : { loopId, action, speed })
      if (res.ok) {
        this.views[loopId] = res.value
        delete this.errors[loopId]
      } else {
        this.errors[loopId] = res.error.message
      }
    } finally {
      this.acting = null
    }
    this.schedule()
  }

  /** Opens or closes a running loop's inspector. */
  toggleLive(loopId: string): void {
    this.live[loopId] = !this.live[loopId]
    void this.refresh(loopId)
  }

  /** Whether a loop in view still needs its first reading (not read yet, and not found gone). */
  needsFirstRead(loopId: string): boolean {
    return this.views[loopId] === undefined && !this.gone.has(loopId) && !this.inFlight.has(loopId)
  }

  /** Reads a loop's inspection now (the loops in view call it once when they appear). */
  async refresh(loopId: string): Promise<void> {
    const api = this.api()
    if (!api || this.inFlight.has(loopId)) return
    this.inFlight.add(loopId)
    try {
      const res = await api.invoke('loop:inspect', { loopId })
      if (res.ok) this.views[loopId] = res.value
      else if (res.error.code === 'not_found') {
        this.gone.add(loopId) // its run ended: never asked again
        delete this.views[loopId]
      }
    } finally {
      this.inFlight.delete(loopId)
    }
    this.schedule()
  }

  /** Keeps refreshing, every INSPECT_POLL_MS, the loops whose inspector is shown; stops when none is. */
  private schedule(): void {
    if (this.timer !== null) return
    const watched = Object.keys(this.views).filter((id) => this.shown(id))
    if (watched.length === 0) return
    this.timer = setTimeout(() => {
      this.timer = null
      for (const id of watched) void this.refresh(id)
    }, INSPECT_POLL_MS)
  }

  /** Forgets loops no longer in view (ended runs). */
  keepOnly(loopIds: readonly string[]): void {
    const keep = new Set(loopIds)
    for (const id of Object.keys(this.views)) if (!keep.has(id)) delete this.views[id]
  }
}
