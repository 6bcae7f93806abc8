// The resources view's data: `loop:resources`, polled a few times a second while anything watches
// (the resources tab, the deadlock banner), one request at a time.
import type { LoopwatchApi } from '../../../shared/contract'
import type { ResourceInfo, ResourcesSnapshot, WaitOp } from '../../../shared/resources-contract'

/** How often the resources are asked for while watched (ms). */
export const RESOURCES_POLL_MS = 400

/** What one task holds and waits on, for its details. */
export interface TaskResources {
  holds: ResourceInfo[]
  waitsOn: { resource: ResourceInfo; op: WaitOp }[]
}

export class ResourcesState {
  snapshot = $state.raw<ResourcesSnapshot | null>(null)
  error = $state<string | null>(null)
  /** Bumped per answer, so listeners (deadlock detection) run once per poll. */
  polls = $state(0)
  private watching = 0
  private timer: ReturnType<typeof setTimeout> | null = null
  private polling = false

  constructor(
    private readonly api: () => LoopwatchApi | null,
    private readonly pollMs = RESOURCES_POLL_MS,
  ) {}

  /** Polls now and every pollMs until the returned unwatch (counted: several watchers share one poll). */
  watch(): () => void {
    this.watching++
    if (this.watching === 1) void this.poll()
    let undone = false
    return () => {
      if (undone) return
      undone = true
      this.watching--
      if (this.watching === 0 && this.timer) {
        clearTimeout(this.timer)
        this.timer = null
      }
    }
  }

  async poll(): Promise<void> {
    const api = this.api()
    if (this.polling || !api) {
      this.schedule()
      return
    }
    this.polling = true
    try {
      const res = await api.invoke('loop:resources')
      if (res.ok) {
        this.snapshot = res.value
        this.error = null
      } else this.error = res.error.message
      this.polls++
    } finally {
      this.polling = false
      this.schedule()
    }
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    if (this.watching > 0) this.timer = setTimeout(() => void this.poll(), this.pollMs)
  }

  /** What task `id` holds and waits on, in the last answer. */
  ofTask(id: number): TaskResources {
    const out: TaskResources = { holds: [], waitsOn: [] }
    for (const l of this.snapshot?.loops ?? []) {
      for (const r of l.resources) {
        if (r.holders.includes(id)) out.holds.push(r)
        const w = r.waiters.find((x) => x.taskId === id)
        if (w) out.waitsOn.push({ resource: r, op: w.op })
      }
    }
    return out
  }
}

/** One line of a resource's state, as the view shows it: `size 0/10`, `set`, `2 of 3 free`. */
export function resourceState(r: ResourceInfo): string {
  if (r.kind === 'Event') return r.isSet ? 'set' : 'not set'
  if (r.kind === 'Lock' || r.kind === 'Condition') return r.locked ? 'locked' : 'free'
  if (r.kind === 'Semaphore' || r.kind === 'BoundedSemaphore') return `${r.value ?? 0} of ${r.initial ?? 0} free`
  if (r.kind === 'Barrier') return `${r.nWaiting ?? 0} of ${r.parties ?? 0} waiting${r.broken ? ', broken' : ''}`
  const max = r.maxsize !== undefined && r.maxsize > 0 ? `/${r.maxsize}` : ''
  return `size ${r.size ?? 0}${max}, ${r.unfinished ?? 0} unfinished`
}
