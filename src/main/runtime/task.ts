/**
 * Task: runs a coroutine function on the loop, one step at a time. A step starts when the loop
 * resumes the task and ends when V8's microtask queue has drained (the task has parked at its
 * next await of a runtime future, or finished).
 *
 * Cancellation is a counted request with an owner (asyncio + Trio): `cancel()` asks, `cancelling()`
 * counts, `cancelRequest()` says who asked and why, `cancelled()` is the outcome. The request is
 * delivered as CancelledError at the task's next await; `finally`/`catch` blocks run and may await.
 */
import type { EventLoop } from './loop'
import type { CancelCause, CancelHop, CancelOrigin, CancelRequest, CancelSource, TaskState } from './types'
import { CANCEL_SOURCES, MAX_CANCEL_HOPS, NOT_QUEUED } from './types'
import { current } from './current'
import { CancelledError, RuntimeError } from './errors'
import type { ThenWaiter } from './future'
import { Future, FutureStates, settleThen } from './future'
import type { Handle } from './types'

const { PENDING, CANCELLED } = FutureStates
/** The rarely set parts of a task (a cancel request, its error, a signal, a deadline): one object, made when first needed. */
interface CancelState {
  request: CancelRequest | null
  error: CancelledError | null
  controller: AbortController | null
  deadline: { when: number; handle: Handle } | null
  /** a cancellation that came from elsewhere: where it began and the way it came (see cancelCause) */
  cause: CancelCause | null
  /** the way a CancelledError is reaching this task, told by the future that completed with it */
  via: { error: CancelledError; path: CancelHop[]; more: number } | null
  /** pending cancellation requests (asyncio's _num_cancels_requested) */
  numCancels: number
  /** a request to deliver at the next step (asyncio's _must_cancel) */
  mustCancel: boolean
  /** the awaited future this task's own cancel request cancelled, if any */
  cancelledWaiter: Future<unknown> | null
}

let nextId = 1
const noop = (): void => {}
/** The constructor of every native async function: a coroutine that is one never returns a runtime future itself. */
const AsyncFunction = (async () => {}).constructor
const CANCEL_SOURCE_SET = new Set<string>(CANCEL_SOURCES)

export class Task<T> extends Future<T> {
  /** Unique across every loop of the process. */
  readonly id: number
  /** set when named or first read: `Task-<id>` is made only for tasks someone looks at */
  private _name: string | undefined
  /** The task that created this one (null when created from outside any task). */
  readonly parent: Task<unknown> | null
  /** The coroutine function's own name (`fn.name`; '' for an anonymous one): what the window groups by. */
  readonly coroName: string
  /** Loop times (ms) of creation, first step and end (NaN until they happen). */
  readonly createdAt: number
  startedAt = NaN
  endedAt = NaN

  /** @internal a task step is kind 1 in the ready queue (on the prototype: no field per task) */
  declare readonly _kind: 1
  /** @internal a Runnable's flag; a queued task step is never cancelled as a handle (prototype) */
  declare _cancelled: boolean
  /** @internal */ declare _loop: EventLoop
  /** @internal */ _inStep = false
  private _coro: (() => PromiseLike<T> | T) | null
  private _taskState: TaskState = 'pending'
  private _started = false
  /** the cold parts (see CancelState): a task never cancelled carries one null for all of them */
  private _cx: CancelState | null = null
  /** @internal what the task is parked on (asyncio's _fut_waiter) and how to resume it */
  _waitingOn: Future<unknown> | null = null
  private _then: ThenWaiter | null = null
  /** the task's own `then` registration, reused from await to await (none is made per await) */
  private _ownWaiter: ThenWaiter | null = null
  /** demoted thens whose futures completed, to settle in the next step */
  private _extras: { f: Future<unknown>; then: ThenWaiter }[] | null = null
  private _detached = false
  /**
   * @internal set while the loop tracks this failed task for a "never retrieved" report (null on
   * the prototype: only a failed task carries the field)
   */
  declare _unretrievedRef: WeakRef<Task<unknown>> | null
  /** @internal the loop's list of not-done tasks, in creation order (loop.ts: allTasks) */
  _prevLive: Task<unknown> | null = null
  /** @internal */ _nextLive: Task<unknown> | null = null
  /**
   * @internal One instrument's own per-task record (the TaskMonitor keeps its entry here, so a
   * state change needs no lookup by id). The runtime never reads or writes it; declared so every
   * task has the same shape whether or not something watches it.
   */
  _instrumentSlot: unknown = undefined
  /**
   * @internal when its pending wake-up was queued, on a step timer's clock (a small integer, so
   * this field never holds a boxed double); NOT_QUEUED: none, or nobody times steps; -1: queued
   * by its own step.
   */
  _queuedAt = NOT_QUEUED

  /** @internal use loop.createTask / createTask */
  constructor(loop: EventLoop, coro: () => PromiseLike<T> | T, name: string | undefined) {
    super(loop)
    this.id = nextId++
    this._name = name
    this.parent = current.task
    this.createdAt = loop.time()
    this._coro = coro
    this.coroName = coro.name
  }

  // The cold fields, kept in _cx: a task that is never cancelled, signalled or given a deadline carries one null.
  private get _request(): CancelRequest | null {
    return this._cx === null ? null : this._cx.request
  }
  private set _request(v: CancelRequest | null) {
    if (v !== null || this._cx !== null) this._cancelState().request = v
  }
  private get _cancelError(): CancelledError | null {
    return this._cx === null ? null : this._cx.error
  }
  private set _cancelError(v: CancelledError | null) {
    if (v !== null || this._cx !== null) this._cancelState().error = v
  }
  private get _controller(): AbortController | null {
    return this._cx === null ? null : this._cx.controller
  }
  private set _controller(v: AbortController | null) {
    if (v !== null || this._cx !== null) this._cancelState().controller = v
  }
  private get _deadline(): { when: number; handle: Handle } | null {
    return this._cx === null ? null : this._cx.deadline
  }
  private set _deadline(v: { when: number; handle: Handle } | null) {
    if (v !== null || this._cx !== null) this._cancelState().deadline = v
  }
  private get _numCancels(): number {
    return this._cx === null ? 0 : this._cx.numCancels
  }
  private set _numCancels(v: number) {
    if (v !== 0 || this._cx !== null) this._cancelState().numCancels = v
  }
  private get _mustCancel(): boolean {
    return this._cx === null ? false : this._cx.mustCancel
  }
  private set _mustCancel(v: boolean) {
    if (v || this._cx !== null) this._cancelState().mustCancel = v
  }
  private get _cancelledWaiter(): Future<unknown> | null {
    return this._cx === null ? null : this._cx.cancelledWaiter
  }
  private set _cancelledWaiter(v: Future<unknown> | null) {
    if (v !== null || this._cx !== null) this._cancelState().cancelledWaiter = v
  }
  private _cancelState(): CancelState {
    return (this._cx ??= {
      request: null,
      error: null,
      controller: null,
      deadline: null,
      cause: null,
      via: null,
      numCancels: 0,
      mustCancel: false,
      cancelledWaiter: null,
    })
  }

  get name(): string {
    return (this._name ??= `Task-${this.id}`)
  }
  set name(name: string) {
    this._name = name
  }

  get state(): TaskState {
    return this._taskState
  }

  /** Aborted when cancellation is requested; after uncancel() brings cancelling() to 0, a fresh one. */
  get signal(): AbortSignal {
    if (this._controller === null) {
      this._controller = new AbortController()
      if (this._numCancels > 0 && !this.done()) this._controller.abort(this._makeCancelledError())
    }
    return this._controller.signal
  }

  override describe(): string {
    return `Task ${this.name} (#${this.id})`
  }

  /** A task's result comes from its coroutine: refused, as asyncio's Task.set_result. */
  override setResult(_v: T): void {
    throw new RuntimeError('a Task does not support setResult(); its coroutine decides its result')
  }

  /** Refused, as asyncio's Task.set_exception. */
  override setException(_e: unknown): void {
    throw new RuntimeError('a Task does not support setException(); its coroutine decides its outcome')
  }

  /**
   * Asks the task to cancel; false if it is already done. Without `opts.source` the source says who
   * called: `program` when a task of this loop is running (`cancelRequest().by` names it), `user`
   * from outside every task (a UI, host code). A host stopping part of a loop says `{ source: 'shutdown' }`.
   * @example task.cancel('stopped from the UI')
   */
  override cancel(msg?: string, opts?: { source?: CancelSource }): boolean {
    const source = opts?.source
    if (source !== undefined && !CANCEL_SOURCE_SET.has(source)) throw new TypeError(`unknown cancel source ${JSON.stringify(source)}`)
    if (msg !== undefined && typeof msg !== 'string') throw new TypeError('cancel() takes a string message')
    const by = callerTask(this._loop)
    if (source !== undefined) return this._requestCancel(source, msg, source === 'program' ? by : null)
    return by === null ? this._requestCancel('user', msg) : this._requestCancel('program', msg, by)
  }

  /** How many cancellation requests are pending (asyncio's cancelling()). */
  cancelling(): number {
    return this._numCancels
  }

  /** Withdraws one request; meant for whoever asked (timeouts, task groups). Returns the count left. */
  uncancel(): number {
    if (this._numCancels > 0) {
      this._numCancels--
      if (this._numCancels === 0) {
        // 3.12: a cancellation already on its way (_mustCancel) is still delivered; 3.13 drops it.
        this._request = null
        this._cancelError = null
        this._controller = null
      }
      this._refresh()
    }
    return this._numCancels
  }

  /** What the task waits on now: the edge of the await graph. */
  awaiting(): Future<unknown> | null {
    return this._waitingOn
  }

  /** Who asked for cancellation, why and when; null when no request is pending. */
  cancelRequest(): CancelRequest | null {
    const r = this._request
    if (r === null) return null
    return r.by === undefined ? { ...r } : { ...r, by: { ...r.by } }
  }

  /**
   * Where this task's cancellation began when it came from elsewhere, and the way it came: a
   * request passed down an await or a gather (`parent`), across a task group (`sibling`), or a
   * CancelledError it received from what it awaited (a gather child's deadline reaching `main`:
   * `{ origin: Task-7 deadline, path: [gather] }`). Null when its own request is the origin, or none.
   */
  cancelCause(): CancelCause | null {
    const c = this._cx?.cause ?? null
    return c === null ? null : copyCause(c)
  }

  /**
   * Why the task is cancelling or ended cancelled, as a person reads it: its own request (with
   * `cause` when that request was passed on from elsewhere) or, for a task that ended cancelled by
   * a CancelledError it received without being asked, that error's source and origin.
   */
  cancelledBy(): (CancelRequest & { cause?: CancelCause }) | null {
    const r = this.cancelRequest()
    const cause = this.cancelCause()
    if (r !== null) return cause === null ? r : { ...r, cause }
    const e = this._state === CANCELLED ? this._cancelledError : null
    if (e === null) return null
    const told: CancelRequest & { cause?: CancelCause } = { source: cause?.origin.source ?? e.source, at: cause?.origin.at ?? this.endedAt }
    const reason = cause?.origin.reason ?? e.reason
    if (reason !== undefined) told.reason = reason
    if (cause !== null) told.cause = cause
    return told
  }

  /** The loop time at which the task's deadline cancels it (source `deadline`), or null. */
  deadline(): number | null {
    return this._deadline?.when ?? null
  }

  /**
   * Puts a deadline on the task, owned by the runtime: at loop time `when` the task is cancelled
   * with source `deadline`. `null` clears it; a later call replaces it (extend or shorten).
   */
  setDeadline(when: number | null): void {
    if (when !== null && (typeof when !== 'number' || Number.isNaN(when))) {
      throw new TypeError(`setDeadline() takes a loop time in ms or null, got ${String(when)}`)
    }
    this._deadline?.handle.cancel()
    this._deadline = null
    if (when === null || this.done()) return
    const fire = (): void => {
      this._deadline = null
      this._requestCancel('deadline', `deadline passed at ${(when / 1000).toFixed(3)}s`)
    }
    const handle = when <= this._loop.time() ? this._loop.callSoon(fire) : this._loop._callAtFor(when, fire, 'deadline', this as Task<unknown>)
    this._deadline = { when, handle }
  }

  /**
   * @internal a cancellation request with its source; the public cancel() is source `user`.
   * Passed down the await chain iteratively (each awaited task gets a `parent` request), so a
   * chain of 10k tasks awaiting each other does not overflow the stack.
   */
  _requestCancel(source: CancelSource, reason?: string, by: Task<unknown> | null = null, cause: CancelCause | null = null): boolean {
    if (this._state !== PENDING) return false
    let task: Task<unknown> = this as Task<unknown>
    let src = source
    // Tasks awaiting each other in a ring (a deadlock): the chain would come round for ever (CPython
    // recurses into a RecursionError). The ring's last task is unparked instead: it gets the
    // CancelledError at its await, and as it ends the others are woken and cancelled in turn.
    let seen: Set<Task<unknown>> | null = null
    for (let steps = 0; ; steps++) {
      task._record(src, reason, by, cause)
      by = null
      const w = task._waitingOn
      if (steps >= 64) (seen ??= new Set()).add(task)
      if (w instanceof Task && w._state === PENDING && (w === this || (seen?.has(w) ?? false))) {
        const stand = new Future<unknown>(task._loop)
        w._removeWaiter(task)
        task._waitingOn = stand
        stand._addWaiter(task)
        if (stand._cancelWith(reason, 'parent', task._makeCancelledError())) task._cancelledWaiter = stand
        return true
      }
      if (w instanceof Task && w._state === PENDING) {
        task._cancelledWaiter = w
        cause = w._request === null ? task._passOn() : null // only a first request keeps its cause
        task = w
        src = 'parent'
        continue
      }
      if (w !== null && !(w instanceof Task) && w._cancelWith(reason, 'parent', task._makeCancelledError())) task._cancelledWaiter = w
      else task._mustCancel = true // delivered at the next step (its wake-up may already be queued)
      return true
    }
  }

  /** Counts one request, keeps the first one's source, reason and cause, aborts the signal. */
  private _record(source: CancelSource, reason: string | undefined, by: Task<unknown> | null, cause: CancelCause | null): void {
    this._numCancels++
    if (this._request === null) {
      const r: CancelRequest = reason === undefined ? { source, at: this._loop.time() } : { source, reason, at: this._loop.time() }
      if (by !== null) r.by = { id: by.id, name: by.name }
      this._request = r
      this._cancelState().cause = cause
    }
    if (this._controller !== null && !this._controller.signal.aborted) this._controller.abort(this._makeCancelledError())
    this._refresh()
  }

  /**
   * @internal the CancelledError this task's request delivers: one per request, shared by the
   * awaited future it cancels and the task itself (errors are the main cost of mass cancellation).
   */
  _makeCancelledError(): CancelledError {
    if (this._cancelError === null) {
      const r = this._request
      const e = new CancelledError(r?.reason, r?.source ?? 'user')
      if (r !== null) {
        const c = this._cx!.cause
        if (c === null) e.origin = this._ownOrigin(r) // its own request: no links, no cause object
        else {
          const link = this._passOn()
          e.origin = link.origin
          e._path = link.path
        }
      }
      this._cancelError = e
    }
    return this._cancelError
  }

  /**
   * @internal the cause this task's request hands on to whatever it cancels in turn: the same
   * origin (this task when its request is its own), one link longer. Call only with a request.
   */
  _passOn(): CancelCause {
    const c = this._cx!.cause
    if (c !== null) return extend(c, { kind: 'task', id: this.id, name: this.name })
    return { origin: this._ownOrigin(this._request!), path: [] }
  }

  /** Where a cancellation begins when `r`, this task's own request, is its start. */
  private _ownOrigin(r: CancelRequest): CancelOrigin {
    const origin: CancelOrigin = { id: this.id, name: this.name, source: r.source, at: r.at }
    if (r.reason !== undefined) origin.reason = r.reason
    if (r.by !== undefined) origin.by = { id: r.by.id, name: r.by.name }
    return origin
  }

  /** @internal the cause this task's cancelled outcome hands to what awaited it (see noteCancelVia). */
  _handUp(): CancelCause | null {
    const c = this._cx?.cause ?? null
    if (c !== null) return extend(c, { kind: 'task', id: this.id, name: this.name })
    return this._request === null ? null : this._passOn()
  }

  /** @internal called by Future.then inside this task's step: the task parks on `f`. */
  _park(f: Future<unknown>, waiter: ThenWaiter): void {
    const prev = this._waitingOn
    if (prev !== null) {
      // A second `then` in one step (Promise.all / race over futures, a side chain): the last one is
      // the await edge; the earlier one is still settled in a step of this task once it completes.
      const prevThen = this._then!
      if (prevThen === this._ownWaiter) this._ownWaiter = null // the demoted registration keeps it
      prev._removeWaiter(this)
      this._demote(prev, prevThen)
    }
    this._waitingOn = f
    this._then = waiter
    if (f._yieldOnce) {
      // sleep(0): a bare yield. The future is done at once and the task goes to the back of the queue.
      f._yieldOnce = false
      f._state = FutureStates.FINISHED
      this._loop._scheduleStep(this)
    } else {
      f._addWaiter(this)
    }
    if (this._mustCancel && cancelAwaited(f, this._request?.reason)) {
      this._mustCancel = false
      this._cancelledWaiter = f
    }
  }

  /**
   * @internal The registration for an await by V8 (its resolvers, no callbacks), or for this
   * task's coroutine returning a future (`own`): the task's reusable one unless it is the edge
   * still (a second `then` in one step: the first is demoted and keeps its object).
   */
  _awaitWaiter(res: ((v: unknown) => void) | null, rej: ((e: unknown) => void) | null, own: Task<unknown> | null): ThenWaiter {
    const w = this._ownWaiter
    if (w !== null && w !== this._then) {
      w.res = res ?? noop
      w.rej = rej ?? noop
      w.own = own
      return w
    }
    const fresh: ThenWaiter = { onFulfilled: null, onRejected: null, res: res ?? noop, rej: rej ?? noop, own }
    if (w === null) this._ownWaiter = fresh
    return fresh
  }

  /** A `then` that is no longer the await edge: settled from a step of this task when `f` is done. */
  private _demote(f: Future<unknown>, then: ThenWaiter): void {
    f._onDone(() => {
      if (this._state !== PENDING) {
        settleThen(then, f) // the task has finished: nothing to run inside
        return
      }
      ;(this._extras ??= []).push({ f, then })
      this._loop._scheduleStep(this)
    })
  }

  /** @internal back on its loop: its next await of a runtime future parks it again. */
  _reattach(): void {
    if (!this._detached) return
    this._detached = false
    this._loop._setDetached(this, false)
  }

  /** @internal true when a queued step has something to resume (a stale wake-up has not). */
  _wantsStep(): boolean {
    if (this._state !== PENDING) return false
    if (!this._started || this._extras !== null) return true
    const f = this._waitingOn
    return f !== null && f._state !== PENDING
  }

  /** @internal Runnable: the loop runs a queued task as one step */
  _run(): void {
    this._step()
  }

  /** @internal one step: start the coroutine, or resume it with what it awaited. */
  _step(): void {
    if (!this._wantsStep()) return
    current.task = this
    this._inStep = true
    this._refresh()
    if (!this._started) {
      this._started = true
      this.startedAt = this._loop.time()
      const coro = this._coro!
      this._coro = null
      if (this._mustCancel) {
        // Cancelled before it started: asyncio throws into a fresh coroutine, whose body never runs.
        this._mustCancel = false
        this._finishCancelled(this._makeCancelledError())
        return
      }
      let p: PromiseLike<T> | T
      const plain = coro.constructor !== AsyncFunction
      if (plain) current.plainCoro = true // it may return a sleep as its outcome: see sleep()
      try {
        p = coro()
      } catch (e) {
        current.plainCoro = false
        this._onReject(e)
        return
      }
      current.plainCoro = false
      if (p instanceof Future) {
        // A coroutine returning a runtime future (`() => sleep(1000)`): the task awaits it, its
        // outcome is the task's, with no callbacks and no derived promise.
        p._awaitedBy(this as Task<unknown>, this._awaitWaiter(null, null, this as Task<unknown>))
      } else if (p !== null && typeof p === 'object' && typeof (p as PromiseLike<T>).then === 'function') {
        ;(p as PromiseLike<T>).then(
          // bound, not arrows: two small functions and no context object, for every task's lifetime
          this._onResolve.bind(this),
          this._onReject.bind(this),
        )
      } else {
        this._onResolve(p as T)
      }
      return
    }
    const extras = this._extras
    this._extras = null
    if (extras !== null) for (const x of extras) settleThen(x.then, x.f)
    const f = this._waitingOn
    if (f === null || f._state === PENDING) return // only demoted thens this time; the edge stays
    const waiter = this._then
    const ownCancel = this._cancelledWaiter === f
    this._waitingOn = null
    this._then = null
    this._cancelledWaiter = null
    if (f === null || waiter === null) return
    if (this._mustCancel) {
      this._mustCancel = false
      settleThen(waiter, f, this._makeCancelledError())
    } else if (f._state === CANCELLED && ownCancel) {
      // cancelled because this task was: deliver its own request (source, reason), as the UI shows it
      settleThen(waiter, f, this._makeCancelledError())
    } else {
      settleThen(waiter, f)
    }
    // The reused registration must not keep this await's promise (and its value) alive while parked.
    if (waiter === this._ownWaiter) waiter.res = waiter.rej = noop
  }

  /** @internal the loop calls this once the step's microtasks have drained. */
  _afterStep(): void {
    if (!this._inStep) return
    this._inStep = false
    if (current.task === this) current.task = null
    if (current.stepYield !== null) this._parkOnYields()
    if (this._state === PENDING) {
      this._refresh()
      if (this._waitingOn === null && !this._detached) {
        this._detached = true // parked on a foreign promise: its continuation runs outside the loop
        this._loop._setDetached(this, true)
      }
    }
  }

  /**
   * The native sleeps this step made that nothing has parked on or waited for: the step's code awaits
   * them natively (V8 calls no `then`), so the task parks on them now, in the order they were made,
   * as if each await's `then` came at the step's end — where asyncio queues a bare yield's wake-up.
   * The next step settles them through their native resolvers, inside the step as any await.
   */
  private _parkOnYields(): void {
    const first = current.stepYield as NativeYieldLike
    const more = current.moreYields
    current.stepYield = null
    current.moreYields = null
    if (this._state !== PENDING) return // a side chain's yield outlived the task: dropped, as a stale wake-up is
    this._parkOnYield(first)
    if (more !== null) for (const y of more) this._parkOnYield(y as NativeYieldLike)
  }

  private _parkOnYield(y: NativeYieldLike): void {
    if (y._state !== FutureStates.PENDING) return // parked on through `then`: settled in a step already
    const res = y._nres
    if (y._waiters !== null) {
      // Handed to gather, waitFor…: it completes from a callback. If this task awaits something
      // native (it is parked on no runtime future), that may be this sleep: it resumes in a step.
      if (this._waitingOn === null) {
        y._nres = noop // not from the callback that completes it
        this._demote(y, { onFulfilled: null, onRejected: null, res, rej: noop, own: null })
      }
      return
    }
    y._nres = noop // the registration resolves it, from the task's step
    if (this._waitingOn === null) {
      this._park(y, this._awaitWaiter(res, null, null))
      return
    }
    // Parked on a runtime future already (a side chain's sleep beside `await fut`): that future
    // stays the edge, as when the sleep's `then` came first; the sleep settles in a step of its own.
    if (y._yieldOnce) {
      y._yieldOnce = false
      y._state = FutureStates.FINISHED
    }
    this._demote(y, { onFulfilled: null, onRejected: null, res, rej: noop, own: null })
  }

  /** @internal */
  _onResolve(v: T): void {
    if (this._state !== PENDING) return
    if (this._mustCancel) {
      // Cancelled during its last step: asyncio ends it cancelled even though it returned.
      this._mustCancel = false
      this._finishCancelled(this._makeCancelledError())
      return
    }
    this._result = v
    this._finish(FutureStates.FINISHED, 'done')
  }

  /** @internal */
  _onReject(e: unknown): void {
    if (this._state !== PENDING) return
    if (e instanceof CancelledError) {
      this._finishCancelled(e)
      return
    }
    this._exception = e
    this._hasException = true
    this._finish(FutureStates.FINISHED, 'failed')
    // After the instruments' taskDone (observers reading the error do not retrieve it); an await,
    // result(), exception(), gather or a task group will. Otherwise the loop reports it.
    this._logTraceback = true
    this._loop._noteUnretrieved(this as Task<unknown>)
  }

  /** @internal */
  override _markRetrieved(): void {
    this._logTraceback = false
    this._loop._retrieved(this as Task<unknown>)
  }

  private _finishCancelled(e: CancelledError): void {
    this._cancelledError = e
    this._noteCause(e)
    this._finish(CANCELLED, 'cancelled')
  }

  /**
   * Cold (a cancelled end only): a task that ends cancelled by an error it was not asked for keeps
   * where that error began, and tells the tasks awaiting it how it reaches them.
   */
  private _noteCause(e: CancelledError): void {
    const cx = this._cx
    if (this._request === null && e.origin !== null && e.origin.id !== this.id) {
      const via = cx?.via ?? null
      const known = via !== null && via.error === e
      const cause: CancelCause = { origin: e.origin, path: known ? via.path : [] }
      if (known && via.more > 0) cause.more = via.more
      this._cancelState().cause = cause
    }
    if (cx !== null) cx.via = null
    const up = this._handUp()
    if (up !== null) noteCancelVia(this as Task<unknown>, e, up.path, up.more ?? 0)
  }

  /**
   * @internal a shutdown's grace ran out with this task unfinished: it ends `abandoned` (as a future,
   * cancelled with its shutdown request's error) and its coroutine is never resumed — the loop drops
   * its wake-ups, as CPython's loop drops a pending task when it closes. Its `finally` blocks that
   * have not run never will; code resumed by a foreign promise still runs, and is ignored.
   */
  _abandon(): void {
    if (this._state !== PENDING) return
    this._waitingOn?._removeWaiter(this as Task<unknown>)
    this._extras = null // demoted thens would resume the coroutine: dropped with it
    this._mustCancel = false
    this._cancelledError = this._makeCancelledError()
    this._finish(CANCELLED, 'abandoned')
  }

  /** @internal set by noteCancelVia: the error `from` completed with is coming this task's way. */
  _noteVia(error: CancelledError, path: CancelHop[], more: number): void {
    this._cancelState().via = { error, path, more }
  }

  private _finish(state: number, final: TaskState): void {
    this._state = state
    this.endedAt = this._loop.time()
    this._deadline?.handle.cancel()
    this._deadline = null
    this._waitingOn = null
    this._then = null
    this._cancelledWaiter = null
    this._flushExtras()
    this._reattach()
    this._setState(final)
    this._loop._taskFinished(this)
    this._scheduleWaiters()
  }

  /** Demoted thens that completed while the task was finishing still settle. */
  private _flushExtras(): void {
    const extras = this._extras
    this._extras = null
    if (extras !== null) for (const x of extras) settleThen(x.then, x.f)
  }

  private _refresh(): void {
    if (this._state !== PENDING) return
    // the phase follows from the step: running inside one, waiting between steps once started
    this._setState(this._numCancels > 0 ? 'cancelling' : this._inStep ? 'running' : this._started ? 'waiting' : 'pending')
  }

  private _setState(to: TaskState): void {
    const from = this._taskState
    if (from === to) return
    this._taskState = to
    this._loop._stateChanged(this, from, to)
  }
}

Object.defineProperties(Task.prototype, {
  _kind: { value: 1 },
  _cancelled: { value: false, writable: true },
  _unretrievedRef: { value: null, writable: true },
})

/** What Task reads of sleep.ts's NativeYield and NativeSleep (a shape: sleep.ts imports the loop). */
type NativeYieldLike = Future<unknown> & { _nres: (v: unknown) => void }

/**
 * @internal the task of `loop` whose step is running (a cancel it makes has source `program`), or
 * null when the caller is outside every task of that loop (a UI, host code, a loop callback).
 */
export function callerTask(loop: EventLoop | null): Task<unknown> | null {
  const t = current.task
  return t !== null && t._inStep && t._loop === loop ? t : null
}

/** Cancelling a task cancels what it awaits (asyncio); a task passes the request on as `parent`. */
function cancelAwaited(w: Future<unknown>, reason: string | undefined): boolean {
  return requestCancel(w, 'parent', reason)
}

/** @internal cancels a future, or asks a task to cancel, recording who asked (and, passed on, from where). */
export function requestCancel(f: Future<unknown>, source: CancelSource, reason?: string, cause: CancelCause | null = null): boolean {
  return f instanceof Task ? f._requestCancel(source, reason, null, cause) : f._cancelWith(reason, source)
}

/** @internal the cause a CancelledError hands on through `hop` (a gather, a task group), or null if it has no origin. */
export function causeFrom(e: CancelledError, hop: CancelHop): CancelCause | null {
  return e.origin === null ? null : extend({ origin: e.origin, path: [...e._path] }, hop)
}

/**
 * @internal Cold (a cancelled outcome only): `f` is completing with CancelledError `e`, which
 * reached it by `path` (the links from `f`'s side to the origin); each task awaiting `f` is told,
 * so if that error ends it, it can say how the cancellation came (see Task._noteCause).
 */
export function noteCancelVia(f: Future<unknown>, e: CancelledError, path: CancelHop[], more = 0): void {
  const ws = f._waiters
  if (ws === null) return
  if (!Array.isArray(ws)) {
    if (ws instanceof Task) ws._noteVia(e, path, more)
    return
  }
  for (const w of ws) if (w instanceof Task) w._noteVia(e, path, more)
}

/**
 * @internal the cause a cancelled `f` (a gather's child, a group's) hands on through `hop`: a
 * task's own (see _handUp), or for a plain future just its error's origin; null if none is known.
 */
export function handUpThrough(f: Future<unknown>, e: CancelledError, hop: CancelHop): CancelCause | null {
  const up = f instanceof Task ? f._handUp() : e.origin === null ? null : { origin: e.origin, path: [] }
  return up === null ? null : extend(up, hop)
}

/** A cause one link longer (`hop` nearest), keeping at most MAX_CANCEL_HOPS links. */
function extend(c: CancelCause, hop: CancelHop): CancelCause {
  const path = [hop, ...c.path]
  let more = c.more ?? 0
  if (path.length > MAX_CANCEL_HOPS) {
    more += path.length - MAX_CANCEL_HOPS
    path.length = MAX_CANCEL_HOPS
  }
  return more > 0 ? { origin: c.origin, path, more } : { origin: c.origin, path }
}

function copyCause(c: CancelCause): CancelCause {
  const origin: CancelOrigin = { ...c.origin }
  if (c.origin.by !== undefined) origin.by = { ...c.origin.by }
  const out: CancelCause = { origin, path: c.path.map((h) => ({ ...h })) }
  if (c.more !== undefined) out.more = c.more
  return out
}
