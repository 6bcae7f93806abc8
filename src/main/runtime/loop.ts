/**
 * EventLoop: asyncio's _run_once on native async functions.
 *
 * One iteration: every timer due now moves to the ready queue (equal deadlines in scheduling
 * order) before anything it wakes runs; then exactly the handles queued at that point run, in FIFO
 * order — anything they schedule waits for the next iteration. A task step is one handle; it lasts
 * until V8's microtask queue is empty. The loop learns that by a `process.nextTick` scheduled from a
 * promise job: Node runs nextTicks only once the microtask queue has drained.
 *
 * Time comes from an injectable Clock. With a VirtualClock (autojump) the clock jumps to the next
 * timer only when nothing is ready, so hour-long programs finish at once and deterministically.
 */
import { performance } from 'node:perf_hooks'
import type { Clock, WallTimer } from './clock'
import { MAX_WALL_DELAY_MS, RealClock, ScaledClock, VirtualClock, hostWallTimer } from './clock'
import { current } from './current'
import { RuntimeError } from './errors'
import { Future } from './future'
import type { Runnable, Timer, TimerPurpose } from './handle'
import { CallbackHandle, TimerHandle } from './handle'
import { inspectLoop } from './loop-inspect'
import type { InspectView } from './loop-inspect'
import type { LoopControlState, LoopInspection, LoopSpeed } from './loop-control-types'
import { Deque, TimerHeap } from './queue-structures'
import type { ResourceRegistry } from './resources'
import { Task } from './task'
import type { ExceptionContext, ExceptionHandler, Handle, Instrument, ShutdownReport, TaskState } from './types'
import { NOT_QUEUED } from './types'
import { describeValue, validateDelay, validateCoroutineFunction } from './validate'

const NEVER_RETRIEVED = 'Task exception was never retrieved'

interface UnretrievedEntry {
  loop: EventLoop
  ref: WeakRef<Task<unknown>>
  task: { id: number; name: string }
  error: unknown
}

/** One registry for every loop; the held entry names its loop (held strongly only until reported). */
const unretrievedRegistry = new FinalizationRegistry<UnretrievedEntry>((held) => held.loop._collectedUnretrieved(held))

/** Give Node's own event loop (I/O, real timers, sockets) a turn at least this often (ms). */
const SLICE_MS = 10
const resolved = Promise.resolve()

/**
 * Node's runNextTicks (`process._tickCallback`): from a macrotask it runs V8's microtask queue to
 * empty, and the nextTicks those microtasks queue, before it returns — the very point where a task
 * step ends. Called after each step it makes the step's end synchronous: no promise job and no
 * nextTick per step (the barrier below). Null where the host has none; then the barrier serves.
 */
const hostTick = (process as unknown as { _tickCallback?: () => void })._tickCallback
let drainMicrotasks: (() => void) | null | undefined = typeof hostTick === 'function' ? undefined : null

/**
 * Whether a synchronous drain works here (probed once, from a macrotask: the loop's first entry).
 * Inside a microtask V8 would not start a nested checkpoint, so a host that runs the loop's entry
 * there (none known) keeps the barrier.
 */
function syncDrain(): (() => void) | null {
  if (drainMicrotasks !== undefined) return drainMicrotasks
  let ran = false
  void resolved.then(() => {
    ran = true
  })
  hostTick!.call(process)
  drainMicrotasks = ran ? () => hostTick!.call(process) : null
  return drainMicrotasks
}

// Loop controls (pause, stepOnce, runToNextTimer): the hold the pump reads once per iteration, at
// its boundary (FREE: none). STEP lets one iteration begin, then holds again; TO_TIMER runs freely
// until the iteration that fires a timer, which it lets run as a STEP.
const FREE = 0
const PAUSED = 1
const STEP = 2
const TO_TIMER = 3

/** Called for each new loop; what it returns (if a function) is called when that loop closes. */
export type LoopCreatedListener = (loop: EventLoop) => void | (() => void)
const loopCreatedListeners = new Set<LoopCreatedListener>()

let defaultClock: (() => Clock) | null = null

/**
 * Chooses the clock of every later loop made without a `clock` option — by run() or by
 * `new EventLoop()` — (null: the real clock again). `loopwatch run --virtual` sets a fresh
 * VirtualClock per loop, so the same file runs on virtual time for a lesson and on the real clock
 * for a demo, whether it calls run() or drives a loop it made by hand.
 * @example setDefaultClock(() => new VirtualClock())
 */
export function setDefaultClock(makeClock: (() => Clock) | null): void {
  defaultClock = makeClock
}

/**
 * Hears of every EventLoop made from now on (the agent's watch() attaches its monitor so), and
 * with `existing: true` of every live loop made before too; the listener may return a function to
 * be called when that loop closes. Returns the unsubscribe. Costs nothing while nobody listens.
 * @example const off = onLoopCreated((loop) => { const detach = monitor.attach(loop, info); return detach })
 */
export function onLoopCreated(listener: LoopCreatedListener, opts: { existing?: boolean } = {}): () => void {
  loopCreatedListeners.add(listener)
  // `existing`: the loops made before the call are heard of too (watch() called after run() began).
  if (opts.existing) for (const loop of liveLoops()) loop._tell(listener)
  return () => void loopCreatedListeners.delete(listener)
}

// Loops not yet closed, held weakly: a loop dropped without close() is not kept alive by this list.
const liveLoopRefs = new Set<WeakRef<EventLoop>>()
let pruneLiveAt = 64

/** Every EventLoop made and not yet closed, oldest first. */
export function liveLoops(): EventLoop[] {
  const out: EventLoop[] = []
  for (const ref of liveLoopRefs) {
    const loop = ref.deref()
    if (loop && !loop._closed) out.push(loop)
    else liveLoopRefs.delete(ref)
  }
  return out
}

export class EventLoop {
  private _clock: Clock
  /** Real time, for grace periods (shutdown, stopTasks): injectable for deterministic tests. */
  readonly wallTimer: WallTimer
  /** @internal */ _closed = false
  /** @internal this loop's resources while something tracks them (resources.ts: trackResources) */
  _resources: ResourceRegistry | null = null
  private readonly ready = new Deque<Runnable>()
  private readonly timers = new TimerHeap<Timer>()
  private timerSeq = 0
  private cancelledTimers = 0
  /**
   * Not-done tasks, in creation order: a list linked through each task's _prevLive/_nextLive, so
   * adding a task and dropping it as it ends cost two stores each, with no hashing and no table
   * to grow (a Set of 100k tasks was a tenth of a tiny task's cost).
   */
  private liveHead: Task<unknown> | null = null
  private liveTail: Task<unknown> | null = null
  private instruments: Instrument[] = []
  private stepHooks = false
  /** The one instrument with step hooks, when exactly one has them (a step timer): called without the generic emit. */
  private soleStepHook: Instrument | null = null
  /**
   * @internal True from a task step's end until anything else runs (a callback, a host turn): the
   * next step then starts when the last one ended, and a step timer need not read its clock again.
   */
  _backToBack = false
  private stateHooks = false
  /**
   * The one instrument with a taskStateChanged, when exactly one has it (the usual case: a monitor):
   * called directly, without the loop over the list (a state change happens twice per step).
   */
  private soleStateHook: Instrument | null = null
  /** An instrument's step clock (see Instrument.stepClock): null while nobody times steps. */
  private stepClock: (() => number) | null = null

  // Running state. `busy`: a pump is in progress or a task step's barrier is pending.
  private running = false
  private stopping = false
  private busy = false
  private todo = 0
  private sliceEnd = 0
  private stepping: Task<unknown> | null = null
  private stepCount = 0
  private readonly detached = new Set<Task<unknown>>()
  private iterated = false
  private immediate: NodeJS.Immediate | null = null
  private hostTimer: NodeJS.Timeout | null = null
  private onStopped: (() => void) | null = null
  private readonly stopListeners = new Set<() => void>()
  private readonly clockListener = (): void => this.wakeup()
  private hold = FREE
  /** Held at an iteration boundary: nothing runs until the hold changes. */
  private parked = false
  /** stepOnce / runToNextTimer callers, told when the loop holds again (or stops). */
  private holdWaiters: (() => void)[] = []

  constructor(opts: { clock?: Clock; wallTimer?: WallTimer } = {}) {
    this._clock = opts.clock ?? defaultClock?.() ?? new RealClock()
    this.wallTimer = opts.wallTimer ?? hostWallTimer
    if (this.clock instanceof VirtualClock) this.clock.listeners.add(this.clockListener)
    liveLoopRefs.add(this.liveRef)
    // Loops dropped unclosed leave dead refs behind: sweep them whenever the list has doubled.
    if (liveLoopRefs.size >= pruneLiveAt) pruneLiveAt = Math.max(64, 2 * liveLoops().length)
    if (loopCreatedListeners.size > 0) this.notifyCreated()
  }

  /** This loop in liveLoopRefs (weakly; field initializers run before the constructor's body). */
  private readonly liveRef = new WeakRef(this)

  private closeListeners: (() => void)[] | null = null

  private notifyCreated(): void {
    for (const listener of [...loopCreatedListeners]) this._tell(listener)
  }

  /** @internal Tells one onLoopCreated listener of this loop, keeping what it returns for close(). */
  _tell(listener: LoopCreatedListener): void {
    try {
      const onClose = listener(this)
      if (typeof onClose === 'function') (this.closeListeners ??= []).push(onClose)
    } catch (error) {
      // A watcher's bug must not stop the program from making its loop.
      this.reportError(error, 'onLoopCreated listener')
    }
  }

  /** The loop's clock (setSpeed may replace it: read it here, do not keep it). */
  get clock(): Clock {
    return this._clock
  }

  /** The loop's time in ms, on its clock. */
  time(): number {
    return this._clock.now()
  }

  isRunning(): boolean {
    return this.running
  }
  isClosed(): boolean {
    return this._closed
  }

  /**
   * Wraps a coroutine function in a task. Its first step runs on a later loop iteration, never
   * inside createTask; tasks start in creation order.
   * @example loop.createTask(async () => { await sleep(1000); return 42 }, { name: 'answer' })
   */
  createTask<T>(coro: () => PromiseLike<T>, opts?: { name?: string }): Task<T> {
    this.checkOpen('createTask')
    validateCoroutineFunction(coro)
    const name = opts?.name
    if (name !== undefined && typeof name !== 'string') throw new TypeError(`task name must be a string, got ${describeValue(name)}`)
    const task = new Task<T>(this, coro, name)
    this.linkLive(task as Task<unknown>)
    this.emit('taskCreated', task as Task<unknown>)
    this._scheduleStep(task as Task<unknown>)
    return task
  }

  createFuture<T>(): Future<T> {
    return new Future<T>(this)
  }

  /** Runs `fn` on the next iteration, after what is already queued (FIFO). */
  callSoon(fn: () => void): Handle {
    this.checkOpen('callSoon')
    if (typeof fn !== 'function') throw new TypeError(`callSoon() takes a function, got ${describeValue(fn)}`)
    // kind 2: a callback may resolve a promise some code awaits; that code runs before the next handle
    const h = new CallbackHandle<undefined>(fn, undefined, this.reportError, 2)
    this.push(h)
    return h
  }

  /**
   * Runs `fn` after `ms` on the loop's clock. As asyncio, a negative delay is simply an earlier
   * deadline (due at the next iteration, ordered before later ones); NaN or a non-number is a
   * TypeError and schedules nothing.
   */
  callLater(ms: number, fn: () => void): Handle {
    validateDelay(ms, 'callLater')
    return this.callAt(this.time() + ms, fn)
  }

  /** Runs `fn` once the loop's clock reaches `when` (ms). Equal deadlines fire in scheduling order. */
  callAt(when: number, fn: () => void): Handle {
    this.checkOpen('callAt')
    if (typeof when !== 'number' || Number.isNaN(when)) throw new TypeError(`callAt() takes a time in ms, got ${describeValue(when)}`)
    if (typeof fn !== 'function') throw new TypeError(`callAt() takes a function, got ${describeValue(fn)}`)
    return this._callAtFor(when, fn, 'callLater', current.loop === this ? current.task : null)
  }

  /** @internal callAt with what the loop inspector says of it: a timeout scope's, a deadline's. */
  _callAtFor(when: number, fn: () => void, purpose: TimerPurpose, task: Task<unknown> | null): Handle {
    this.checkOpen('callAt')
    const h = new TimerHandle(when, fn, this.reportError, this.timerCancelled)
    h._purpose = purpose
    h._for = task
    this._addTimer(h)
    return h
  }

  /** Runs the loop until `aw` is done; returns its result or throws its error. */
  async runUntilComplete<T>(aw: Task<T> | Future<T> | (() => PromiseLike<T>)): Promise<T> {
    this.checkOpen('runUntilComplete')
    this.checkNotRunning()
    const fut: Future<T> =
      aw instanceof Future ? aw : typeof aw === 'function' ? this.createTask(aw) : invalidAwaitable(aw)
    // As asyncio: even for a done future the loop runs, so callbacks already queued get their turn.
    const stop = (): void => this.stop()
    fut._onDone(stop)
    await this.runWhile(() => {
      fut.removeDoneCallback(stop)
    })
    if (!fut.done()) throw new RuntimeError('the event loop stopped before the future completed')
    return fut.result()
  }

  /** Runs the loop until stop(); settles then. */
  async runForever(): Promise<void> {
    this.checkOpen('runForever')
    this.checkNotRunning()
    await this.runWhile(() => {})
  }

  /** Stops a running loop once the current iteration's handles have run. */
  stop(): void {
    this.stopping = true
    this.wakeup()
  }

  allTasks(): Set<Task<unknown>> {
    return new Set(this.liveTasks())
  }

  /** The not-done tasks, oldest first (a fresh array: the caller may keep it while tasks end). */
  private liveTasks(): Task<unknown>[] {
    const out: Task<unknown>[] = []
    for (let t = this.liveHead; t !== null; t = t._nextLive) out.push(t)
    return out
  }

  private linkLive(task: Task<unknown>): void {
    const tail = this.liveTail
    task._prevLive = tail
    if (tail === null) this.liveHead = task
    else tail._nextLive = task
    this.liveTail = task
  }

  /** Drops an ending task from the list (a task not in it, or no longer, is left alone). */
  private unlinkLive(task: Task<unknown>): void {
    const prev = task._prevLive
    const next = task._nextLive
    if (prev === null && this.liveHead !== task) return
    if (prev === null) this.liveHead = next
    else prev._nextLive = next
    if (next === null) this.liveTail = prev
    else next._prevLive = prev
    task._prevLive = null
    task._nextLive = null
  }

  /** Adds an instrument; returns a function that removes it. */
  addInstrument(i: Instrument): () => void {
    if (i === null || typeof i !== 'object') throw new TypeError(`addInstrument() takes an object, got ${describeValue(i)}`)
    this.instruments = [...this.instruments, i]
    this.recomputeHooks()
    return () => {
      this.instruments = this.instruments.filter((x) => x !== i)
      this.recomputeHooks()
    }
  }

  /**
   * Graceful shutdown: cancels every task newest-first (source `shutdown`), lets their cleanup run
   * for up to `graceMs` of real (wall-clock) time, then reports what finished, what was forced
   * (still running) and which cleanups failed. The grace is wall time whatever the loop's clock: a
   * person waiting on a 5 s grace waits 5 s, at speed 0.01 or on a virtual clock (`elapsedMs` is
   * on the loop's clock, `wallMs` in real ms). Tasks already cancelling are not asked again (that
   * would cut their cleanup short), only waited for — unless `recancel`, asyncio.run's exit: then
   * every task is asked again except those a shutdown already asked. Drives the loop itself if
   * nobody else is running it, and shares it with whoever else does (a second shutdown, runUntilComplete).
   */
  async shutdown(opts: { graceMs?: number; recancel?: boolean } = {}): Promise<ShutdownReport> {
    const graceMs = opts?.graceMs ?? 5000
    const recancel = opts?.recancel === true
    if (typeof graceMs !== 'number' || Number.isNaN(graceMs) || graceMs < 0) {
      throw new TypeError(`shutdown() graceMs must be a number ≥ 0, got ${describeValue(graceMs)}`)
    }
    this.resume() // a paused loop would hold every cleanup until the grace ran out
    const wall = this.wallTimer
    const start = this.time()
    const wallStart = wall.now()
    let end = start
    let wallEnd = wallStart
    const self = current.loop === this ? current.task : null
    const targets = this.liveTasks().filter((t) => t !== self).sort((a, b) => b.id - a.id)
    if (targets.length > 0 && !this._closed) {
      // A task already cancelling is in its cleanup: asking again would interrupt that cleanup's
      // awaits, which a graceful shutdown exists to let finish. It is waited for like the others.
      for (const t of targets) {
        const asked = t.cancelRequest()
        if (asked === null || (recancel && asked.source !== 'shutdown')) t._requestCancel('shutdown', 'graceful shutdown')
      }
      const waiter = this.createFuture<void>()
      let timer: unknown = null
      // Settle at the moment the last cleanup ends or the grace period runs out. The grace timer is
      // a host timer, not callLater: on the loop's clock a 5 s grace at speed 0.01 lasted 500 s, and
      // a virtual clock would jump to it as soon as cleanup idled.
      const finish = (): void => {
        if (waiter.done()) return
        end = this.time()
        wallEnd = wall.now()
        if (timer !== null) wall.clearTimeout(timer)
        timer = null
        waiter.setResult()
      }
      let left = 0
      const settled = (): void => {
        if (--left === 0) finish()
      }
      for (const t of targets) {
        if (!t.done()) {
          left++
          t._onDone(settled)
        }
      }
      if (left === 0) finish()
      else if (graceMs <= MAX_WALL_DELAY_MS) timer = wall.setTimeout(finish, graceMs)
      await this.drive(waiter)
      if (timer !== null) wall.clearTimeout(timer) // the loop was closed under us
      for (const t of targets) t.removeDoneCallback(settled)
    }
    // The grace ran out on these: they end `abandoned`, never resumed, and leave every count.
    const forced = targets.filter((t) => !t.done())
    for (const t of forced) t._abandon()
    const abandoned = new Set(forced)
    return {
      graceMs,
      elapsedMs: end - start,
      wallMs: Math.round(wallEnd - wallStart),
      finished: targets.filter((t) => !abandoned.has(t)).map((t) => ({ id: t.id, name: t.name, state: t.state })),
      forced: forced.map((t) => ({ id: t.id, name: t.name })),
      cleanupErrors: targets
        .filter((t) => t.state === 'failed')
        .map((t) => ({ id: t.id, name: t.name, message: errorMessage(t.exception()) })),
    }
  }

  /**
   * After close, createTask and friends throw RuntimeError. A running loop cannot be closed.
   * Failed tasks whose error nobody retrieved are reported now (see _noteUnretrieved).
   */
  close(): void {
    if (this.running) throw new RuntimeError('cannot close a running event loop')
    if (this._closed) return
    this._closed = true
    liveLoopRefs.delete(this.liveRef)
    this.reportUnretrieved()
    if (this.clock instanceof VirtualClock) this.clock.listeners.delete(this.clockListener)
    this.ready.clear()
    this.timers.prune(() => true)
    this.releaseHoldWaiters()
    for (const onClose of this.closeListeners?.splice(0) ?? []) {
      try {
        onClose()
      } catch (error) {
        this.reportError(error, 'onLoopCreated close listener')
      }
    }
  }

  /**
   * Where errors of loop callbacks and instruments go, and failed tasks whose error nobody
   * retrieved (asyncio's exception handler; `context.message` is then
   * "Task exception was never retrieved" and `context.task` names the task).
   */
  setExceptionHandler(handler: ExceptionHandler | null): void {
    this.exceptionHandler = handler
  }

  // ---- "Task exception was never retrieved" ------------------------------------------------
  //
  // CPython reports it from Task.__del__, when reference counting frees a failed task nobody asked.
  // Here it is reported (1) when the loop closes — deterministic, and what run() does on exit — and
  // (2) when a FinalizationRegistry sees the task collected, for loops that never close (daemons).
  // The loop holds such tasks only weakly, so an endless loop full of dropped failures stays
  // bounded; failures cost one WeakRef and one registration, awaits nothing.

  /** @internal a task just failed; nobody has its error yet */
  _noteUnretrieved(task: Task<unknown>): void {
    const ref = new WeakRef(task)
    task._unretrievedRef = ref
    this.unretrieved.add(ref)
    unretrievedRegistry.register(task, { loop: this, ref, task: { id: task.id, name: task.name }, error: task._exception }, ref)
  }

  /** @internal someone retrieved its error */
  _retrieved(task: Task<unknown>): void {
    const ref = task._unretrievedRef
    if (ref === null) return
    task._unretrievedRef = null
    this.unretrieved.delete(ref)
    unretrievedRegistry.unregister(ref)
  }

  /** @internal a failed task was collected without anyone retrieving its error */
  _collectedUnretrieved(held: UnretrievedEntry): void {
    if (!this.unretrieved.delete(held.ref)) return
    this.reportError(held.error, 'a task', { message: NEVER_RETRIEVED, task: held.task })
  }

  private reportUnretrieved(): void {
    const refs = [...this.unretrieved]
    this.unretrieved.clear()
    for (const ref of refs) {
      unretrievedRegistry.unregister(ref)
      const task = ref.deref()
      if (task === undefined || !task._logTraceback) continue
      task._logTraceback = false
      task._unretrievedRef = null
      this.reportError(task._exception, 'a task', { message: NEVER_RETRIEVED, task: { id: task.id, name: task.name } })
    }
  }

  // ---- loop controls ------------------------------------------------------------------------

  /**
   * Pauses the loop at the end of the current iteration: then nothing runs — no handle, no task
   * step, no timer — until resume(), stepOnce() or runToNextTimer(). Nothing is lost: what is ready
   * stays queued in order; on a real or scaled clock, timers that come due meanwhile run on resume
   * in deadline order; a virtual clock does not advance while paused. stop() and shutdown() still
   * work (shutdown resumes first, so cleanups run).
   * @example loop.pause(); console.log(loop.inspect().ready); await loop.stepOnce()
   */
  pause(): void {
    this.checkOpen('pause')
    if (this.hold === FREE) this.hold = PAUSED
  }

  /** Lets a paused (or stepping) loop run freely again. */
  resume(): void {
    if (this.hold === FREE) return
    this.hold = FREE
    this.parked = false
    this.releaseHoldWaiters()
    this.wakeup()
  }

  /**
   * Runs exactly one iteration of a paused loop — the timers due at its start, then the handles
   * queued at that point, as asyncio's _run_once — then holds again. Resolves once it holds (or the
   * loop stops). With nothing ready it waits for the next timer (a virtual clock jumps to it).
   * Throws RuntimeError unless the loop is paused.
   */
  stepOnce(): Promise<void> {
    this.checkOpen('stepOnce')
    if (this.hold !== PAUSED) throw new RuntimeError('stepOnce() needs a paused loop: pause() first')
    this.hold = STEP
    return this.untilHeld()
  }

  /**
   * Runs a paused loop until the next timer has fired: iterations run as usual (time passing on
   * its clock; a virtual one jumps once nothing is ready), and the iteration that fires a timer is
   * the last; then it holds again. Throws RuntimeError unless paused with a finite timer scheduled.
   */
  runToNextTimer(): Promise<void> {
    this.checkOpen('runToNextTimer')
    if (this.hold !== PAUSED) throw new RuntimeError('runToNextTimer() needs a paused loop: pause() first')
    const next = this.nextLiveTimer()
    if (next === undefined || !Number.isFinite(next.when)) throw new RuntimeError('no timer is scheduled: nothing to run to')
    this.hold = TO_TIMER
    return this.untilHeld()
  }

  /** running; pausing (asked, the iteration is finishing); paused; stepping; toNextTimer. */
  controlState(): LoopControlState {
    switch (this.hold) {
      case FREE:
        return 'running'
      case PAUSED:
        return this.parked || (!this.busy && this.todo === 0) ? 'paused' : 'pausing'
      case STEP:
        return 'stepping'
      default:
        return 'toNextTimer'
    }
  }

  isPaused(): boolean {
    return this.controlState() === 'paused'
  }

  /** 'virtual', or loop ms per real ms (a real clock: 1); null for a clock of some other kind. */
  speed(): LoopSpeed | null {
    const c = this._clock
    if (c instanceof VirtualClock) return 'virtual'
    if (c instanceof ScaledClock) return c.rate
    return c instanceof RealClock ? 1 : null
  }

  /**
   * Changes the clock's speed live, loop time continuing where it is: a scaled clock's rate is
   * changed in place; otherwise a new clock starts at the loop's current time — a VirtualClock
   * (autojump) for 'virtual', a ScaledClock for a rate (1: real speed). Timers keep their deadlines.
   */
  setSpeed(speed: LoopSpeed): void {
    this.checkOpen('setSpeed')
    if (speed !== 'virtual' && !(typeof speed === 'number' && Number.isFinite(speed) && speed > 0)) {
      throw new TypeError(`setSpeed() takes 'virtual' or a rate > 0, got ${describeValue(speed)}`)
    }
    const old = this._clock
    if (speed !== 'virtual' && old instanceof ScaledClock) old.setRate(speed)
    else if (!(speed === 'virtual' && old instanceof VirtualClock)) {
      const start = old.now()
      const next = speed === 'virtual' ? new VirtualClock({ start }) : new ScaledClock(speed, { start })
      if (old instanceof VirtualClock) old.listeners.delete(this.clockListener)
      if (next instanceof VirtualClock) next.listeners.add(this.clockListener)
      this._clock = next
    }
    this.wakeup() // a host timer set for the old speed is planned again
  }

  /**
   * The ready queue and the timer heap, described (first `limit` of each, default 200, with
   * totals): what runs next and when. Readable at any time; exact at a pause.
   */
  inspect(opts: { limit?: number } = {}): LoopInspection {
    return inspectLoop(this._inspectView(), opts)
  }

  /** @internal the raw structures inspectLoop reads */
  _inspectView(): InspectView {
    return {
      ready: this.ready,
      timers: this.timers.view(),
      tasks: this.liveTasks(),
      todo: this.todo,
      now: this.time(),
      state: this.controlState(),
      speed: this.speed(),
    }
  }

  private untilHeld(): Promise<void> {
    this.parked = false
    const held = new Promise<void>((resolve) => this.holdWaiters.push(resolve))
    this.wakeup()
    return held
  }

  private releaseHoldWaiters(): void {
    if (this.holdWaiters.length === 0) return
    for (const resolve of this.holdWaiters.splice(0)) resolve()
  }

  /**
   * The iteration boundary under a loop control. True when the pump must return (held, or nothing
   * to do yet); false when an iteration has begun.
   */
  private heldIteration(): boolean {
    if (this.hold === TO_TIMER && this.timerFiresNext()) this.hold = STEP
    const hold = this.hold
    if (hold === PAUSED) {
      this.parked = true
      this.idle()
      this.releaseHoldWaiters()
      return true
    }
    this.iterated = true
    if (!this.beginIteration()) {
      this.idle()
      return true
    }
    if (hold === STEP) this.hold = PAUSED // this iteration runs; the next boundary holds
    return false
  }

  /** runToNextTimer: does the iteration about to begin fire a timer? */
  private timerFiresNext(): boolean {
    const top = this.nextLiveTimer()
    if (top === undefined) return false
    const clock = this._clock
    if (top.when <= clock.now()) return true
    return this.ready.length === 0 && clock instanceof VirtualClock && clock.autojump && Number.isFinite(top.when)
  }

  /** The earliest timer not cancelled (cancelled ones on top are dropped, as beginIteration does). */
  private nextLiveTimer(): Timer | undefined {
    let top = this.timers.peek()
    while (top !== undefined && top._cancelled) {
      this.timers.pop()
      this.cancelledTimers = Math.max(0, this.cancelledTimers - 1)
      top = this.timers.peek()
    }
    return top
  }

  // ---- internals used by Task and Future ---------------------------------------------------

  /** @internal */
  _scheduleStep(task: Task<unknown>): void {
    // The first wake-up queued since its last step starts its ready-queue wait.
    // -1: queued by its own step (sleep(0)): the wait starts at that step's end, which the timer reads anyway.
    if (this.stepClock !== null && task._queuedAt === NOT_QUEUED) task._queuedAt = task === this.stepping ? -1 : this.stepClock()
    this.push(task)
  }

  /** @internal done callbacks: one handle each, as asyncio's call_soon(cb, fut) */
  _callSoonArg<A>(fn: (a: A) => void, arg: A, resumesCode = false): void {
    if (this._closed) return
    this.push(new CallbackHandle<A>(fn, arg, this.reportError, resumesCode ? 2 : 0))
  }

  /** @internal a task whose last step ended on a promise the loop does not know (or no longer) */
  _setDetached(task: Task<unknown>, detached: boolean): void {
    if (detached) this.detached.add(task)
    else this.detached.delete(task)
    if (this.detached.size > 0) current.detachedLoops.add(this)
    else current.detachedLoops.delete(this)
  }

  /**
   * @internal the one detached task, if exactly one: code awaiting a runtime future from outside
   * any step, inside this loop's turn, can only be that task resuming (a promise a callback resolved).
   */
  _soleDetached(): Task<unknown> | null {
    return this.detached.size === 1 ? (this.detached.values().next().value as Task<unknown>) : null
  }

  /** @internal */
  _addTimer(t: Timer): void {
    t.seq = this.timerSeq++
    this.timers.push(t)
    this.wakeup()
  }

  /** @internal */
  _taskFinished(task: Task<unknown>): void {
    this.unlinkLive(task)
    if (this.instruments.length > 0) this.emit('taskDone', task)
  }

  /** @internal */
  _stateChanged(task: Task<unknown>, from: TaskState, to: TaskState): void {
    if (!this.stateHooks) return
    const sole = this.soleStateHook
    if (sole !== null) {
      try {
        sole.taskStateChanged!(task, from, to)
      } catch (e) {
        this.dropInstrument(sole, e)
      }
      return
    }
    for (const i of this.instruments) {
      if (i.taskStateChanged === undefined) continue
      try {
        i.taskStateChanged(task, from, to)
      } catch (e) {
        this.dropInstrument(i, e)
      }
    }
  }

  /** @internal waits for `fut` whether or not someone else runs the loop meanwhile. */
  async drive(fut: Future<unknown>): Promise<void> {
    while (!fut.done() && !this._closed) {
      if (this.running) {
        await new Promise<void>((resolve) => {
          const done = (): void => {
            this.stopListeners.delete(done)
            fut.removeDoneCallback(done)
            resolve()
          }
          this.stopListeners.add(done)
          fut.addDoneCallback(done) // resumes the caller (host code): let it run before the next handle
        })
      } else {
        try {
          await this.runUntilComplete(fut)
        } catch (e) {
          if (!fut.done()) throw e // could not run the loop at all; fut's own error is not ours to throw
        }
      }
    }
  }

  // ---- the pump ---------------------------------------------------------------------------

  private exceptionHandler: ExceptionHandler | null = null
  private readonly unretrieved = new Set<WeakRef<Task<unknown>>>()

  private readonly reportError = (error: unknown, where: string, context?: ExceptionContext): void => {
    if (this.exceptionHandler !== null) {
      try {
        if (context === undefined) this.exceptionHandler(error, where)
        else this.exceptionHandler(error, where, context)
        return
      } catch {
        // fall through to the default report
      }
    }
    if (context?.task !== undefined) console.error(`loopwatch runtime: ${context.message}: task ${context.task.name} (#${context.task.id}):`, error)
    else console.error(`loopwatch runtime: unhandled error in ${where}:`, error)
  }

  private readonly timerCancelled = (): void => {
    this.cancelledTimers++
    if (this.cancelledTimers > 100 && this.cancelledTimers * 2 > this.timers.size) {
      this.timers.prune((t) => t._cancelled)
      this.cancelledTimers = 0
    }
  }

  private push(r: Runnable): void {
    this.ready.push(r)
    if (!this.busy) this.wakeup()
  }

  private runWhile(onStop: () => void): Promise<void> {
    if (current.loop !== null && current.task !== null) {
      return Promise.reject(new RuntimeError('cannot run an event loop from inside a running task; await instead'))
    }
    return new Promise<void>((resolve) => {
      this.running = true // a stop() made before running still counts: one iteration, then out
      this.iterated = false
      this.onStopped = () => {
        onStop()
        resolve()
      }
      this.wakeup()
    })
  }

  /** Makes sure an idle, running loop gets a turn soon. */
  private wakeup(): void {
    if (!this.running || this.busy || this.immediate !== null) return
    if (this.hostTimer !== null) {
      clearTimeout(this.hostTimer)
      this.hostTimer = null
    }
    this.immediate = setImmediate(this.enter)
  }

  /** Entry from Node's event loop (immediate or host timer): a fresh time slice. */
  private readonly enter = (): void => {
    this.immediate = null
    this.hostTimer = null
    if (!this.running || this.busy) return
    this.busy = true
    this._backToBack = false
    this.sliceEnd = performance.now() + SLICE_MS
    this.drain = syncDrain()
    this.pump()
  }

  /** Runs the microtask queue to empty now (see syncDrain); null: steps end on the barrier instead. */
  private drain: (() => void) | null = null

  private pump(): void {
    current.loop = this
    let n = 0
    for (;;) {
      if (this.todo === 0) {
        // As run_forever: stop() takes effect at the end of an iteration, so a stop() made before
        // running still lets one iteration run.
        if (this.stopping && this.iterated) {
          this.finishRunning()
          return
        }
        if (this.hold !== FREE && !this.stopping) {
          if (this.heldIteration()) return
          continue
        }
        this.iterated = true
        if (!this.beginIteration()) {
          this.idle()
          return
        }
        continue
      }
      const r = this.ready.shift()!
      this.todo--
      if (r._kind === 1) {
        const task = r as unknown as Task<unknown>
        if (!task._wantsStep()) continue // a stale wake-up (its future was re-awaited, or it finished)
        this.stepping = task
        if (this.stepHooks) this.stepHook('beforeTaskStep', task)
        task._step()
        const drain = this.drain
        if (drain === null) {
          resolved.then(this.barrierJob)
          return // the step goes on in microtasks; afterStep resumes the pump
        }
        // The step goes on in microtasks: run them all now; when drain returns, the task has parked.
        try {
          drain()
        } catch (e) {
          this.recoverFromDrain(e) // a nextTick callback threw: end the step, carry on from the host
        }
        this.stepEnded()
        // Reading the clock costs as much as a small step: look at it every 16 steps.
        if ((++this.stepCount & 15) === 0 && performance.now() > this.sliceEnd) {
          this.yieldToHost()
          return
        }
        continue
      }
      if (r._kind === 2) {
        if (r._cancelled) continue
        this._backToBack = false
        r._run()
        const drain = this.drain
        if (drain === null) {
          resolved.then(this.barrierJob) // the code it resumed runs now, before the next handle
          return
        }
        try {
          drain()
        } catch (e) {
          this.recoverFromDrain(e)
        }
        current.task = null
        if ((++this.stepCount & 15) === 0 && performance.now() > this.sliceEnd) {
          this.yieldToHost()
          return
        }
        continue
      }
      if (!r._cancelled) {
        this._backToBack = false
        r._run()
      }
      if ((++n & 31) === 0 && performance.now() > this.sliceEnd) {
        this.yieldToHost()
        return
      }
    }
  }

  private readonly barrierJob = (): void => {
    process.nextTick(this.afterStep)
  }

  /** The stepped task has parked (or finished): every microtask of its step has run. */
  private readonly afterStep = (): void => {
    this.stepEnded()
    // Reading the clock costs as much as a small step: look at it every 16 steps.
    if ((++this.stepCount & 15) === 0 && performance.now() > this.sliceEnd) this.yieldToHost()
    else this.pump()
  }

  /** The end of a task step (or of a resuming callback's code): the task's and the instruments' bookkeeping. */
  private stepEnded(): void {
    const task = this.stepping
    if (task !== null) {
      task._afterStep() // while still `stepping`: the sleep(0)s it parks on are queued by its own step
      this.stepping = null
      if (this.stepHooks) {
        this.stepHook('afterTaskStep', task)
        this._backToBack = true
      }
    }
    current.task = null
  }

  /**
   * A nextTick callback run by the drain threw (microtask errors never reach here): Node reports it
   * as uncaught once it leaves the pump, as it would have from its own tick queue. The microtasks
   * and ticks left run when the host resumes; the loop goes on from a fresh entry after them.
   */
  private recoverFromDrain(e: unknown): never {
    this.stepEnded()
    this.yieldToHost()
    throw e
  }

  private yieldToHost(): void {
    current.loop = null
    this.busy = false
    this.immediate = setImmediate(this.enter)
  }

  private idle(): void {
    current.loop = null
    this.busy = false
  }

  /** Starts one iteration; false when there is nothing to do yet (a host timer is set if due later). */
  private beginIteration(): boolean {
    const clock = this._clock
    if (this.ready.length === 0) {
      let top = this.timers.peek()
      while (top !== undefined && top._cancelled) {
        this.timers.pop()
        this.cancelledTimers = Math.max(0, this.cancelledTimers - 1)
        top = this.timers.peek()
      }
      if (top === undefined) {
        if (this.stopping) {
          this.todo = 0
          return true
        }
        return false
      }
      if (top.when > clock.now()) {
        if (this.stopping) {
          this.todo = 0 // stopping: this iteration only polls, it does not wait for timers
          return true
        }
        if (!Number.isFinite(top.when)) return false // sleep(Infinity): wait for something from outside
        if (clock instanceof VirtualClock && clock.autojump) clock.jumpTo(top.when)
        else {
          const wait = clock.sleepTimeUntil(top.when)
          if (Number.isFinite(wait)) this.hostTimer = setTimeout(this.enter, Math.max(1, Math.ceil(wait)))
          return false
        }
      }
    }
    const now = clock.now()
    for (let top = this.timers.peek(); top !== undefined && top.when <= now; top = this.timers.peek()) {
      this.timers.pop()
      if (top._cancelled) this.cancelledTimers = Math.max(0, this.cancelledTimers - 1)
      else this.ready.push(top)
    }
    this.todo = this.ready.length
    return true
  }

  private finishRunning(): void {
    current.loop = null
    this.busy = false
    this.running = false
    this.stopping = false
    this.parked = false
    if (this.hostTimer !== null) clearTimeout(this.hostTimer)
    this.hostTimer = null
    this.releaseHoldWaiters()
    const cb = this.onStopped
    this.onStopped = null
    cb?.()
    for (const l of [...this.stopListeners]) l()
  }

  private checkOpen(what: string): void {
    if (this._closed) throw new RuntimeError(`${what}() on a closed event loop`)
  }

  private checkNotRunning(): void {
    if (this.running) throw new RuntimeError('this event loop is already running')
  }

  private recomputeHooks(): void {
    const withSteps = this.instruments.filter((i) => i.beforeTaskStep !== undefined || i.afterTaskStep !== undefined)
    this.stepHooks = withSteps.length > 0
    this.soleStepHook = withSteps.length === 1 ? withSteps[0]! : null
    const withState = this.instruments.filter((i) => i.taskStateChanged !== undefined)
    this.stateHooks = withState.length > 0
    this.soleStateHook = withState.length === 1 ? withState[0]! : null
    this.stepClock = this.instruments.find((i) => i.stepClock !== undefined)?.stepClock ?? null
  }

  private emit(hook: 'taskCreated' | 'taskDone' | 'beforeTaskStep' | 'afterTaskStep', task: Task<unknown>): void {
    for (const i of this.instruments) {
      const fn = i[hook]
      if (fn === undefined) continue
      try {
        fn.call(i, task)
      } catch (e) {
        this.dropInstrument(i, e)
      }
    }
  }

  private stepHook(hook: 'beforeTaskStep' | 'afterTaskStep', task: Task<unknown>): void {
    const sole = this.soleStepHook
    if (sole === null) return this.emit(hook, task)
    try {
      if (hook === 'beforeTaskStep') sole.beforeTaskStep?.(task)
      else sole.afterTaskStep?.(task)
    } catch (e) {
      this.dropInstrument(sole, e)
    }
  }

  /** An instrument must not throw into the scheduler: log it once and remove it. */
  private dropInstrument(i: Instrument, e: unknown): void {
    if (!this.instruments.includes(i)) return
    this.instruments = this.instruments.filter((x) => x !== i)
    this.recomputeHooks()
    this.reportError(e, 'an instrument (removed)')
  }
}

function invalidAwaitable(aw: unknown): never {
  throw new TypeError(`runUntilComplete() takes a Task, a Future or a coroutine function, got ${describeValue(aw)}`)
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e)
}
