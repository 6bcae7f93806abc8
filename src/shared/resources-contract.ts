// The resources a loop's tasks hold and wait on (Locks, Semaphores, Events, Conditions, Queues,
// Barriers), as `loop:resources` answers them. Imports nothing at run time: the runtime
// (src/main/runtime/resources.ts) takes its vocabulary from here, and the renderer its types.
import type { LoopLabel, RunId } from './snapshots'

/** The kinds of resource, printable as is (the runtime's class names). */
export const RESOURCE_KINDS = ['Lock', 'Semaphore', 'BoundedSemaphore', 'Event', 'Condition', 'Queue', 'PriorityQueue', 'LifoQueue', 'Barrier'] as const
export type ResourceKind = (typeof RESOURCE_KINDS)[number]

/** What a waiting task waits for: acquire (a lock, a semaphore, a condition's lock), wait, get, put, join. */
export const WAIT_OPS = ['acquire', 'wait', 'get', 'put', 'join'] as const
export type WaitOp = (typeof WAIT_OPS)[number]

/** One waiting task. */
export interface ResourceWaiter {
  taskId: number
  op: WaitOp
}

/** What a resource is now, in plain JSON (task ids, numbers). */
export interface ResourceInfo {
  /** Stable for the resource's life, unique in its process. */
  id: number
  kind: ResourceKind
  /** Its name option, or kind and creation order among its kind: `Lock-3`. */
  label: string
  /** Tasks holding it: a lock's (or condition's) owner, a semaphore's unit holders; empty for the others. */
  holders: number[]
  /** Tasks parked on it (in task creation order). */
  waiters: ResourceWaiter[]
  /** Set when `holders` / `waiters` were cut to MAX_LISTED_TASKS: how many there are. */
  holdersTotal?: number
  waitersTotal?: number
  /** Locks and conditions: held now (by `holders`, or by code outside any task when that is empty). */
  locked?: boolean
  /** Semaphores: free units now, and the initial value. */
  value?: number
  initial?: number
  /** Events. */
  isSet?: boolean
  /** Queues: items now, maxsize (≤ 0: unbounded), items put and not yet marked done. */
  size?: number
  maxsize?: number
  unfinished?: number
  /** Barriers: parties, tasks waiting now, broken. */
  parties?: number
  nWaiting?: number
  broken?: boolean
}

/** One loop's resources. */
export interface LoopResources {
  loop: LoopLabel
  runId: RunId | null
  /** At most MAX_RESOURCES_PER_LOOP: those with holders or waiters first, then by id. */
  resources: ResourceInfo[]
  /** How many the loop has (more than `resources.length` when cut). */
  total: number
}

/** `loop:resources`: every watched loop of this app and of each connected Node process (task ids in the window's terms). */
export interface ResourcesSnapshot {
  loops: LoopResources[]
}

/** Resources one loop's reply lists at most. */
export const MAX_RESOURCES_PER_LOOP = 500
/** Holders or waiters one resource lists at most. */
export const MAX_LISTED_TASKS = 200
/** Loops one reply lists at most (the newest). */
export const MAX_LOOPS_LISTED = 50

/**
 * Bounds one loop's list for the wire: busy resources (held or waited on) first, then by id, at most
 * MAX_RESOURCES_PER_LOOP, each with at most MAX_LISTED_TASKS holders and waiters (totals kept).
 */
export function boundResources(list: readonly ResourceInfo[]): { resources: ResourceInfo[]; total: number } {
  const busy = (r: ResourceInfo): number => (r.holders.length > 0 || r.waiters.length > 0 ? 0 : 1)
  const kept = [...list].sort((a, b) => busy(a) - busy(b) || a.id - b.id).slice(0, MAX_RESOURCES_PER_LOOP)
  const resources = kept.map((r) => {
    if (r.holders.length <= MAX_LISTED_TASKS && r.waiters.length <= MAX_LISTED_TASKS) return r
    const out: ResourceInfo = { ...r, holders: r.holders.slice(0, MAX_LISTED_TASKS), waiters: r.waiters.slice(0, MAX_LISTED_TASKS) }
    if (r.holders.length > MAX_LISTED_TASKS) out.holdersTotal = r.holders.length
    if (r.waiters.length > MAX_LISTED_TASKS) out.waitersTotal = r.waiters.length
    return out
  })
  return { resources, total: list.length }
}
