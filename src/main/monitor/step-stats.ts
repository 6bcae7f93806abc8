/**
 * Where a task's real time goes (issue 11 §1): busy (inside its steps), idle (waiting for a wake-up),
 * scheduled (woken, waiting in the ready queue), with log2 histograms of step durations and of
 * scheduled delays, and every step longer than a threshold handed to a SlowSteps ring.
 *
 * Times come from a real monotonic clock (performance.now()), injectable so tests are exact: on a
 * virtual clock a synchronous busy loop takes no loop time, yet it holds the process that long.
 * The clock is read at each step's end, at its start only when something else ran since the last
 * step ended (loop._backToBack), and when a task's wake-up is queued outside every step (a timer's
 * callback; the loop stamps Task._queuedAt with `stepClock`); a step allocates nothing.
 *
 * Per step, times are whole microseconds modulo 2^30 (WRAP): always small integers, so neither a
 * task's `_queuedAt` nor a TaskSteps field is ever a boxed double (after 18 minutes of a loop's life
 * plain µs would have turned every such field into a pointer to a heap number, read per step).
 * A difference of two such stamps is right for any span under 2^30 µs (17.9 min): a step, a wait
 * in the ready queue. Idle time is not one (a task may sleep for hours): it is the rest of the
 * task's real lifetime, from a start time kept as a plain number once per task.
 */
import { performance } from 'node:perf_hooks'
import { NOT_QUEUED } from '../runtime/types'
import type { EventLoop, Future, Instrument, Task } from '../runtime/index'
import { STEP_BUCKETS } from '../../shared/snapshots'
import type { StepTiming } from '../../shared/snapshots'
import type { SlowSteps } from './slow-steps'
import type { LoopInfo } from './task-monitor'

/** The histogram bucket of a duration in ms (see STEP_BUCKETS): 0 under 1 µs, k for [2^(k-1), 2^k) µs. */
export function stepBucket(ms: number): number {
  return bucketOfUs(ms * 1000)
}

/** Durations from here on share the last bucket (2 ** (STEP_BUCKETS - 2) µs, made once, not per step). */
const TOP_US = 2 ** (STEP_BUCKETS - 2)
const TOP_BUCKET = STEP_BUCKETS - 1

// Twice per step: no `**` here (a bundle's module constant is not folded, and it called Math.pow).
function bucketOfUs(us: number): number {
  if (!(us >= 1)) return 0
  if (us >= TOP_US) return TOP_BUCKET
  return 32 - Math.clz32(us)
}

/** Buckets held inline (5 bits each in one small integer) before they are added to the histogram array. */
const INLINE = 6
const BITS = 5

/**
 * One task's step timing, bounded whatever it runs: times as whole microseconds (small integers,
 * so no field is a boxed number), and the newest INLINE buckets of each histogram packed into a
 * small integer, added to the array of 2 × STEP_BUCKETS counts only when the packed ones fill: a
 * step writes into this object alone (the array is elsewhere in memory: counting into it at every
 * step was most of what step timing cost on 10,000 busy tasks). The array is made only for a task
 * that steps more often than INLINE times, so a short task (most of 100,000) costs one small object.
 */
export class TaskSteps {
  steps = 0
  busyUs = 0
  scheduledUs = 0
  maxUs = 0
  /** When its last step ended, wrapped µs of its timer (-1: none yet). */
  lastUs = -1
  /** Its idle µs, fixed when it ended (-1: live, worked out from `firstMs` when read). */
  idleUs = -1
  /** When it was first queued, real ms (a number written once: see the file's comment). */
  firstMs: number
  private nStep = 0
  private nSched = 0
  private pStep = 0
  private pSched = 0
  /** Step durations in [0, STEP_BUCKETS), scheduled delays in [STEP_BUCKETS, 2 × STEP_BUCKETS). */
  private hist: Uint32Array | null = null

  constructor() {
    this.firstMs = 0 // set at its first step
  }

  /** It ended at real time `endMs`: what is not busy or scheduled of its lifetime was idle. */
  finish(endMs: number): void {
    if (this.idleUs < 0) this.idleUs = this.idleAt(endMs)
  }

  private idleAt(nowMs: number): number {
    const idle = Math.round((nowMs - this.firstMs) * 1000) - this.busyUs - this.scheduledUs
    return idle > 0 ? idle : 0
  }

  /** Counts a step duration's bucket. */
  addStep(bucket: number): void {
    if (this.nStep === INLINE) {
      addPacked(this.hist ??= new Uint32Array(2 * STEP_BUCKETS), 0, this.pStep, INLINE)
      this.pStep = this.nStep = 0
    }
    this.pStep |= bucket << (BITS * this.nStep++)
  }

  /** Counts a scheduled delay's bucket. */
  addScheduled(bucket: number): void {
    if (this.nSched === INLINE) {
      addPacked(this.hist ??= new Uint32Array(2 * STEP_BUCKETS), STEP_BUCKETS, this.pSched, INLINE)
      this.pSched = this.nSched = 0
    }
    this.pSched |= bucket << (BITS * this.nSched++)
  }

  /** What task:get shows (plain JSON); `nowMs` (real ms) ends a live task's idle time. */
  timing(nowMs: number): StepTiming {
    // Reading must not change the task: the packed buckets are added to a copy.
    const h = this.hist === null ? new Uint32Array(2 * STEP_BUCKETS) : this.hist.slice()
    addPacked(h, 0, this.pStep, this.nStep)
    addPacked(h, STEP_BUCKETS, this.pSched, this.nSched)
    return {
      steps: this.steps,
      busyMs: this.busyUs / 1000,
      idleMs: (this.idleUs >= 0 ? this.idleUs : this.idleAt(nowMs)) / 1000,
      scheduledMs: this.scheduledUs / 1000,
      maxStepMs: this.maxUs / 1000,
      stepHist: Array.from(h.subarray(0, STEP_BUCKETS)),
      scheduledHist: Array.from(h.subarray(STEP_BUCKETS)),
    }
  }
}

/** Adds `n` buckets packed BITS each in `packed` to the counts at `h[base + bucket]`. */
function addPacked(h: Uint32Array, base: number, packed: number, n: number): void {
  for (let i = 0; i < n; i++) h[base + ((packed >>> (BITS * i)) & 31)]! += 1
}

/** Stamps and spans are µs modulo this (see the file's comment). */
const WRAP = 2 ** 30
const MASK = WRAP - 1

/** The real clock steps are timed by, ms: performance.now(), or a test's fake. */
export function realClock(clock?: () => number): () => number {
  return clock ?? performance.now.bind(performance)
}

/**
 * µs from wrapped stamp `a` to `b`: a `b` before `a` by less than half the wrap is an earlier
 * reading taken as `a` (0), not a span of 17.9 minutes.
 */
function span(a: number, b: number): number {
  const d = b - a
  return d >= 0 ? d : d < -(WRAP >> 1) ? d + WRAP : 0
}

export interface StepTimerOptions {
  /** The real clock, ms (see realClock). */
  clock: () => number
  /** Where slow steps go. */
  slow: SlowSteps
  /** The TaskSteps of a task of this loop, made at its first step (null: a task the monitor does not know). */
  stepsOf: (task: Task<unknown>) => TaskSteps | null
}

/**
 * The instrument that times one loop's steps: its beforeTaskStep / afterTaskStep read the clock,
 * and its stepClock lets the loop stamp wake-ups; the step that ends a task fixes its idle time (one
 * a shutdown abandons without a step is finished by the monitor, see TaskMonitor's taskDone).
 * One step runs at a time on a loop, so the step in progress is a few variables.
 */
export function stepTimer(loop: EventLoop, info: LoopInfo, opts: StepTimerOptions): Instrument {
  const read = opts.clock
  const epoch = read()
  /** The last reading, ms (a typed array: a closure variable holding a double is a new heap number per write). */
  const lastRead = new Float64Array(1)
  lastRead[0] = epoch
  /** Whole µs since the timer began, modulo WRAP (a small integer whatever the loop's age). */
  const clock = (): number => {
    const ms = read()
    lastRead[0] = ms
    return Math.round((ms - epoch) * 1000) & MASK
  }
  const slow = opts.slow
  const stepsOf = opts.stepsOf
  let cur: TaskSteps | null = null
  let start = 0
  /** When the loop's last step ended: the next one starts then if nothing ran between (loop._backToBack). */
  let lastEnd = 0
  /** The future the step resumes from (read off the task before the step clears it; described only if slow). */
  let resumed: Future<unknown> | null = null
  /** Between beforeTaskStep and afterTaskStep: a wake-up queued now is stamped with the step's start. */
  let inStep = false
  /** The reading that stamps wake-ups queued outside steps since the last step ended (-1: none yet). */
  let outside = -1
  return {
    // A wake-up queued inside a step (a future resolved, a queue put) is stamped with that step's
    // start, not a fresh reading: one clock read fewer per wake-up, over-counting the woken task's
    // wait by at most the part of the waker's step before it (microseconds, unless that step was
    // slow). Outside steps (timer callbacks: W5's 100,000 sleeps fire in batches) one reading
    // serves until a step ends: every task a callback wakes steps soon after, so the loop cannot
    // sit idle between that reading and a later stamp; the error is the callbacks run between.
    stepClock: () => {
      if (inStep) return start
      if (outside < 0) outside = clock()
      return outside
    },
    beforeTaskStep: (t) => {
      const now = loop._backToBack ? lastEnd : clock()
      start = now
      inStep = true
      resumed = t.awaiting()
      let queued = t._queuedAt
      t._queuedAt = NOT_QUEUED
      const s = stepsOf(t)
      cur = s
      if (s === null) return
      // Its wait in the ready queue: from the stamp, or from its own last step's end (-1: that step queued it).
      if (queued === -1) queued = s.lastUs >= 0 ? s.lastUs : now
      const wait = queued >= 0 ? span(queued, now) : 0
      if (s.steps === 0) s.firstMs = lastRead[0]! - wait / 1000 // its lifetime starts when it was queued
      if (queued >= 0) {
        s.scheduledUs += wait
        s.addScheduled(bucketOfUs(wait))
      }
    },
    afterTaskStep: (t) => {
      const s = cur
      cur = null
      inStep = false
      const end = clock()
      lastEnd = end
      outside = -1
      const us = span(start, end)
      if (s !== null) {
        s.steps++
        s.busyUs += us
        if (us > s.maxUs) s.maxUs = us
        s.lastUs = end
        s.addStep(bucketOfUs(us))
        if (t.done()) s.finish(lastRead[0]!)
      }
      if (us >= slow.thresholdMs * 1000) slow.record(loop, info, t, us / 1000, resumed)
      resumed = null
    },
  }
}
