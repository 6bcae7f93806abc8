/**
 * The resources of a loop: every Lock, Semaphore, Event, Condition, Queue and Barrier a watched loop
 * has used, with who holds it and who waits on it. Host-free (plain JS: WeakRef, no Node imports).
 *
 * Cost: a primitive binds to the loop it is first used on (as asyncio's mixins bind at first use),
 * and joins that loop's registry only while something tracks the loop (trackResources: the
 * TaskMonitor does, as it attaches). Untracked, each operation reads one field and `current.loop`.
 * The registry holds primitives weakly, so a program making millions of locks keeps none of them
 * alive; dead entries are swept whenever the registry has doubled since the last sweep.
 *
 * Waiters are not recorded at all: every wait parks its task on a WaitFuture that names the resource
 * and the operation, so a snapshot reads them off the loop's tasks (`task.awaiting()`), and finds
 * even a resource first waited on before tracking began.
 */
import { current } from './current'
import { Future } from './future'
import type { EventLoop } from './loop'
import type { Task } from './task'
import { describeValue } from './validate'
import type { ResourceInfo, ResourceKind, ResourceWaiter, WaitOp } from '../../shared/resources-contract'

export { RESOURCE_KINDS, WAIT_OPS } from '../../shared/resources-contract'
export type { ResourceInfo, ResourceKind, ResourceWaiter, WaitOp } from '../../shared/resources-contract'

/** A resource's name option: at most this many characters. */
export const MAX_RESOURCE_NAME = 100

/** The options every primitive takes (as its last argument). */
export interface ResourceOptions {
  /** Shown instead of the default label (`Lock-3`: kind and creation order). */
  name?: string
}

/** What each primitive gives the registry (internal). */
export interface TrackedResource {
  /** @internal */ readonly _rid: number
  /** @internal */ readonly _resKind: ResourceKind
  /** @internal */ readonly _label: string
  /** @internal the registry it joined; null until it is used on a tracked loop */
  _reg: ResourceRegistry | null
  /** @internal set on a primitive another one is built from (a Queue's Event): it never registers, its waits count for the owner */
  _owner: TrackedResource | null
  /** @internal holders and kind-specific fields, without waiters */
  _info(): { holders: Task<unknown>[]; extra: Partial<ResourceInfo> }
}

let nextRid = 1
const kindCounts = new Map<ResourceKind, number>()

/** Marks a primitive built inside another (a Queue's Event, a Condition's own Lock): no ordinal, no registration. */
export const INTERNAL: unique symbol = Symbol('internal resource')
export type InternalMark = typeof INTERNAL

/**
 * A fresh id and label for a primitive being constructed; validates the name option. Internal
 * primitives get id 0 and no ordinal, so `Queue-1`'s Event does not make the first user Event `Event-2`.
 */
export function resourceIdentity(kind: ResourceKind, opts: ResourceOptions | InternalMark | undefined): { rid: number; label: string } {
  if (opts === INTERNAL) return { rid: 0, label: kind }
  if (opts !== undefined && (opts === null || typeof opts !== 'object')) throw new TypeError(`${kind} options must be an object, got ${describeValue(opts)}`)
  const name = opts?.name
  if (name !== undefined && (typeof name !== 'string' || name.length === 0 || name.length > MAX_RESOURCE_NAME)) {
    throw new TypeError(`${kind} name must be a string of 1 to ${MAX_RESOURCE_NAME} characters, got ${describeValue(name)}`)
  }
  const n = (kindCounts.get(kind) ?? 0) + 1
  kindCounts.set(kind, n)
  return { rid: nextRid++, label: name ?? `${kind}-${n}` }
}

/**
 * Joins the running loop's registry if that loop is tracked and `r` has not joined one yet. Called
 * by each operation of a primitive; costs two field reads when already bound or untracked.
 */
export function bindResource(r: TrackedResource): void {
  if (r._reg !== null || r._owner !== null) return
  const reg = current.loop?._resources ?? null
  if (reg !== null) reg.add(r)
}

/**
 * The future a task parks on while it waits for a resource: names the resource and the operation,
 * so the loop's tasks say who waits on what (and the window reads "acquire Lock-3", not "Future").
 */
export class WaitFuture<T> extends Future<T> {
  readonly resource: TrackedResource
  readonly op: WaitOp
  constructor(loop: EventLoop, resource: TrackedResource, op: WaitOp) {
    super(loop)
    const owner = resource._owner
    this.resource = owner ?? resource
    this.op = owner !== null && op === 'acquire' && owner._resKind === 'Barrier' ? 'wait' : op
  }
  override describe(): string {
    return `${this.op} ${this.resource._label}`
  }
}

/** Where a tracked loop keeps its resources, weakly. */
export class ResourceRegistry {
  private readonly refs = new Set<WeakRef<TrackedResource>>()
  private sweepAt = 64
  /** trackResources() calls not yet undone */
  watchers = 0

  /** @internal */
  add(r: TrackedResource): void {
    r._reg = this
    this.refs.add(new WeakRef(r))
    if (this.refs.size >= this.sweepAt) this.sweepAt = Math.max(64, 2 * this.sweep())
  }

  /** Drops entries whose primitive was collected; returns how many are left. */
  sweep(): number {
    for (const ref of this.refs) if (ref.deref() === undefined) this.refs.delete(ref)
    return this.refs.size
  }

  /** How many entries it holds now (collected primitives included until the next sweep). */
  get size(): number {
    return this.refs.size
  }

  /**
   * Every live resource of `loop`, ordered by id, with holders and the waiters read off the loop's
   * tasks. A resource some task waits on that never joined (first used before tracking began)
   * joins now.
   */
  snapshot(loop: EventLoop): ResourceInfo[] {
    const waiters = new Map<TrackedResource, ResourceWaiter[]>()
    for (const t of loop.allTasks()) {
      const f = t.awaiting()
      if (!(f instanceof WaitFuture)) continue
      const r = f.resource
      if (r._reg === null && r._owner === null) this.add(r)
      let list = waiters.get(r)
      if (list === undefined) waiters.set(r, (list = []))
      list.push({ taskId: t.id, op: f.op })
    }
    const out: ResourceInfo[] = []
    for (const ref of this.refs) {
      const r = ref.deref()
      if (r === undefined) {
        this.refs.delete(ref)
        continue
      }
      const { holders, extra } = r._info()
      out.push({ id: r._rid, kind: r._resKind, label: r._label, holders: holders.map((h) => h.id), waiters: waiters.get(r) ?? [], ...extra })
    }
    return out.sort((a, b) => a.id - b.id)
  }
}

/**
 * Keeps a registry of `loop`'s resources from now on (primitives join at their next use); returns
 * the undo. While no one tracks a loop its primitives register nowhere.
 * @example const untrack = trackResources(loop); …; resourcesOf(loop); untrack()
 */
export function trackResources(loop: EventLoop): () => void {
  const reg = (loop._resources ??= registries.get(loop) ?? new ResourceRegistry())
  registries.set(loop, reg)
  reg.watchers++
  let undone = false
  return () => {
    if (undone) return
    undone = true
    if (--reg.watchers === 0 && loop._resources === reg) loop._resources = null
  }
}

/** One registry per loop, kept across untrack/track so primitives already bound stay listed. */
const registries = new WeakMap<EventLoop, ResourceRegistry>()

/** The resources of a tracked loop now (empty if nobody tracks it). */
export function resourcesOf(loop: EventLoop): ResourceInfo[] {
  return loop._resources?.snapshot(loop) ?? []
}

/**
 * Semaphore holders: which tasks hold how many units. Kept only once the semaphore joined a
 * registry (untracked, acquire and release do not touch it). A release from a task that holds no
 * unit (asyncio allows it) frees the longest-held unit.
 */
export class Holders {
  private readonly counts = new Map<Task<unknown>, number>()

  add(t: Task<unknown> | null): void {
    if (t !== null) this.counts.set(t, (this.counts.get(t) ?? 0) + 1)
  }

  remove(t: Task<unknown> | null): void {
    const key = t !== null && this.counts.has(t) ? t : (this.counts.keys().next().value as Task<unknown> | undefined)
    if (key === undefined) return
    const n = this.counts.get(key)! - 1
    if (n > 0) this.counts.set(key, n)
    else this.counts.delete(key)
  }

  list(): Task<unknown>[] {
    return [...this.counts.keys()]
  }
}
