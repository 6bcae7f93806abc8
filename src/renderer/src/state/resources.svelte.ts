// The resources view's data: `loop:resources`, polled while anything watches — a few times a second
// while a view shows them (the Resources and Await graph tabs), slowly for the deadlock banner
// alone, and then only while some task waits (nothing waiting: nothing can be stuck, nobody is asked).
import type { LoopwatchApi } from '../../../shared/contract'
import type { ResourceInfo, ResourcesSnapshot, WaitOp } from '../../../shared/resources-contract'
import type { TaskState } from '../../../shared/snapshots'
import { Poller } from './poller'
import { isReplayLoop } from './replay.svelte'

/** How often the resources are asked for while a view shows them (ms). */
export const RESOURCES_POLL_MS = 400
/** How often while only the deadlock banner watches (ms): a finding is confirmed by two polls. */
export const RESOURCES_BACKGROUND_POLL_MS = 2_000
/** The longest wait after failures in a row (ms). */
export const RESOURCES_MAX_BACKOFF_MS = 8_000

/** Who watches: a view showing the resources (`view`), or the banner in the background. */
export type ResourcesPace = 'view' | 'background'

/** What one task holds and waits on, for its details. */
export interface TaskResources {
  holds: ResourceInfo[]
  waitsOn: { resource: ResourceInfo; op: WaitOp }[]
}

export interface ResourcesOptions {
  pollMs?: number
  backgroundMs?: number
  /** Could any loop have a stuck task now (some task waits)? A background poll skips the request when not. */
  anyWaiting?: () => boolean
}

export class ResourcesState {
  snapshot = $state.raw<ResourcesSnapshot | null>(null)
  error = $state<string | null>(null)
  /** Bumped per poll (answered, or skipped with nothing waiting), so deadlock detection runs once per poll. */
  polls = $state(0)
  /** Requests sent (tests: a skipped background poll sends none). */
  requests = 0
  private views = 0
  private readonly poller: Poller
  private readonly pollMs: number
  private readonly backgroundMs: number

  constructor(
    private readonly api: () => LoopwatchApi | null,
    private readonly options: ResourcesOptions = {},
  ) {
    this.pollMs = options.pollMs ?? RESOURCES_POLL_MS
    this.backgroundMs = options.backgroundMs ?? RESOURCES_BACKGROUND_POLL_MS
    this.poller = new Poller(() => this.fetch(), { intervalMs: this.pollMs, maxBackoffMs: RESOURCES_MAX_BACKOFF_MS })
  }

  /**
   * Polls now and then at the pace `pace` asks for until the returned unwatch (counted: several
   * watchers share one poll, at the fastest pace any of them asks for).
   */
  watch(pace: ResourcesPace = 'view'): () => void {
    if (pace === 'view') this.views++
    const unwatch = this.poller.watch(pace === 'view' ? this.pollMs : this.backgroundMs)
    let undone = false
    return () => {
      if (undone) return
      undone = true
      if (pace === 'view') this.views--
      unwatch()
    }
  }

  /** Polls now (after one in flight) and resolves when it ended. */
  poll(): Promise<void> {
    return this.poller.pollNow()
  }

  private async fetch(): Promise<boolean> {
    const api = this.api()
    if (!api) return false
    if (this.views === 0 && this.options.anyWaiting && !this.options.anyWaiting()) {
      // Only the banner watches and no task waits: no deadlock is possible, no process is asked.
      this.snapshot = null
      this.error = null
      this.polls++
      return true
    }
    this.requests++
    const res = await api.invoke('loop:resources')
    if (res.ok) {
      this.snapshot = res.value
      this.error = null
    } else this.error = res.error.message
    this.polls++
    return res.ok
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

/** Does any loop (a replay's aside) have a waiting task — the only kind that can be stuck? */
export function anyWaiting(countsByLoop: ReadonlyMap<string, Partial<Record<TaskState, number>>>): boolean {
  for (const [loop, counts] of countsByLoop) if (!isReplayLoop(loop) && (counts.waiting ?? 0) > 0) return true
  return false
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
