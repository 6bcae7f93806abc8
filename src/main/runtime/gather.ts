/** gather(): run awaitables concurrently, results in input order (asyncio.gather). */
import type { Awaitable, AwaitedOf } from './awaitable'
import { ensureFuture } from './awaitable'
import { getRunningLoop } from './current'
import { CancelledError, ValueError } from './errors'
import { Future } from './future'
import type { EventLoop } from './loop'
import { Task, causeFrom, handUpThrough, noteCancelVia, requestCancel } from './task'
import type { CancelHop, CancelSource } from './types'

/** How a gather reads as a link of a cancel chain ("main ← gather ← Task-7 deadline"). */
const GATHER_HOP: CancelHop = { kind: 'gather', name: 'gather' }

type Results<T extends readonly unknown[]> = { -readonly [K in keyof T]: AwaitedOf<T[K]> }
type Settled<T extends readonly unknown[]> = { -readonly [K in keyof T]: AwaitedOf<T[K]> | Error }

/**
 * The outer future of a gather. Cancelling it cancels every child; it then settles, once the
 * children have finished, with a CancelledError as its exception (as CPython's _GatheringFuture).
 */
class GatheringFuture<T> extends Future<T> {
  /** @internal */ _cancelRequested = false
  /** @internal who cancelled the gather: the source of its CancelledError if the last child was not cancelled */
  _cancelSource: CancelSource = 'parent'
  constructor(
    loop: EventLoop,
    private readonly children: Future<unknown>[],
  ) {
    super(loop)
  }
  override _cancelWith(reason: string | undefined, source: CancelSource, error?: CancelledError): boolean {
    if (this.done()) return false
    let any = false
    // the awaiting task's error says where its cancellation began: each child is told, one link on
    const cause = error === undefined ? null : causeFrom(error, GATHER_HOP)
    for (const child of this.children) if (requestCancel(child, 'parent', reason, cause)) any = true
    if (any && !this._cancelRequested) {
      this._cancelRequested = true
      this._cancelSource = source
    }
    return any
  }
  override describe(): string {
    return `gather of ${this.children.length}`
  }
  /** What the awaiting task waits on through this gather (a monitor shows it as their awaiter). */
  waitsOn(): readonly Future<unknown>[] {
    return this.children
  }
}

/**
 * Runs every awaitable concurrently; resolves with their results in input order. Without
 * `returnExceptions` the first error settles the gather while the other children keep running;
 * with it, errors take their place in the results. Cancelling the gather cancels every child.
 * @example const [a, b] = await gather([fetchA, () => sleep(10, 'b')])
 */
export function gather<const T extends readonly Awaitable<unknown>[]>(aws: T, opts?: { returnExceptions?: false }): Future<Results<T>>
export function gather<const T extends readonly Awaitable<unknown>[]>(aws: T, opts: { returnExceptions: true }): Future<Settled<T>>
export function gather<const T extends readonly Awaitable<unknown>[]>(aws: T, opts?: { returnExceptions?: boolean }): Future<unknown[]>
export function gather(aws: readonly Awaitable<unknown>[], opts: { returnExceptions?: boolean } = {}): Future<unknown[]> {
  if (aws === null || typeof (aws as Iterable<unknown>)[Symbol.iterator] !== 'function') {
    throw new TypeError('gather() takes an array of awaitables')
  }
  const items = [...aws]
  const loop = gatherLoop(items)
  const returnExceptions = opts?.returnExceptions === true
  const { children, unique } = childFutures(items, loop)
  const outer = new GatheringFuture<unknown[]>(loop, unique)
  if (children.length === 0) {
    outer.setResult([])
    return outer
  }
  let finished = 0
  const onChildDone = (fut: Future<unknown>): void => {
    finished++
    if (fut._logTraceback) fut._markRetrieved() // as CPython's gather: every child's error is taken
    if (outer.done()) return
    if (!returnExceptions) {
      if (fut.cancelled()) {
        const e = fut._cancelledError ?? new CancelledError()
        // a child's cancellation settles the gather: its awaiters are told the way it came
        const up = handUpThrough(fut, e, GATHER_HOP)
        if (up !== null) noteCancelVia(outer, e, up.path, up.more ?? 0)
        outer.setException(e)
        return
      }
      if (fut._hasException) {
        outer.setException(fut._exception)
        return
      }
    }
    if (finished === unique.length) {
      const results = children.map((f) =>
        f.cancelled() ? (f._cancelledError ?? new CancelledError()) : f._hasException ? f._exception : f._result,
      )
      // As CPython 3.12: the error of the child that finished last, carrying its message and source.
      if (outer._cancelRequested) outer.setException(fut._cancelledError ?? new CancelledError(undefined, outer._cancelSource))
      else outer.setResult(results)
    }
  }
  for (const f of unique) f._onDone(onChildDone)
  return outer
}

/**
 * The gather's child futures in input order, and each distinct one once (an awaitable given twice
 * is awaited once, as CPython's gather). Futures (the usual case: tasks) need no map: when no
 * future repeats, both lists are the same array. Tasks in rising id order (as made, the usual
 * way to gather them) cannot repeat, which one pass over their ids shows with no hashing.
 */
function childFutures(items: unknown[], loop: EventLoop): { children: Future<unknown>[]; unique: Future<unknown>[] } {
  let allFutures = true
  let rising = true
  let lastId = 0
  for (const aw of items) {
    if (!(aw instanceof Future)) {
      allFutures = false
      break
    }
    if (rising) {
      if (aw instanceof Task && aw.id > lastId) lastId = aw.id
      else rising = false
    }
  }
  if (allFutures) {
    const futures = items as Future<unknown>[]
    if (rising) return { children: futures, unique: futures }
    const distinct = new Set(futures)
    return { children: futures, unique: distinct.size === futures.length ? futures : [...distinct] }
  }
  const seen = new Map<unknown, Future<unknown>>()
  const children = items.map((aw) => {
    let f = seen.get(aw)
    if (f === undefined) {
      f = ensureFuture(aw as Awaitable<unknown>, loop)
      seen.set(aw, f)
    }
    return f
  })
  return { children, unique: [...new Set(children)] }
}

/** The loop a future is bound to; null while it is unbound or its loop closed (it adopts the running one). */
function boundLoop(f: Future<unknown>): EventLoop | null {
  return f._loop === null || f._loop._closed ? null : f._loop
}

/**
 * The gather's loop, as CPython's: the first item's (a future's own loop; the running loop for a
 * coroutine function or a promise, which start there). Checked before any task is created, so a
 * refused gather starts nothing: a future of another loop is a ValueError.
 */
function gatherLoop(items: readonly unknown[]): EventLoop {
  let loop: EventLoop | null = null
  for (const aw of items) {
    const l = aw instanceof Future ? boundLoop(aw) : null
    if (loop === null) loop = l ?? getRunningLoop()
    else if (l !== null && l !== loop) throw new ValueError('gather() was given futures of two different event loops')
  }
  return loop ?? getRunningLoop()
}
