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
 */
import { performance } from 'node:perf_hooks'
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

/** Buckets kept inline (5 bits each in one small integer) before a task gets its histogram array. */
const INLINE = 6
const BITS = 5

/**
 * One task's step timing, bounded whatever it runs: times as whole microseconds (small integers,
 * so no field is a boxed number), and the first INLINE buckets of each histogram packed into a
 * small integer; the array of 2 × STEP_BUCKETS counts is made only for a task that steps more
 * often. A short task (most of 100,000) then costs one small object.
 */
export class TaskSteps {
  steps = 0
  busyUs = 0
  idleUs = 0
  scheduledUs = 0
  maxUs = 0
  /** When its last step ended, µs from its timer's epoch (-1: none yet). */
  lastUs = -1
  private nStep = 0
  private nSched = 0
  private pStep = 0
  private pSched = 0
  /** Step durations in [0, STEP_BUCKETS), scheduled delays in [STEP_BUCKETS, 2 × STEP_BUCKETS). */
  private hist: Uint32Array | null = null

  /** Counts a step duration's bucket. */
  addStep(bucket: number): void {
    if (this.hist === null && this.nStep < INLINE) this.pStep |= bucket << (BITS * this.nStep++)
    else (this.hist ?? this.spill())[bucket]! += 1
  }

  /** Counts a scheduled delay's bucket. */
  addScheduled(bucket: number): void {
    if (this.hist === null && this.nSched < INLINE) this.pSched |= bucket << (BITS * this.nSched++)
    else (this.hist ?? this.spill())[STEP_BUCKETS + bucket]! += 1
  }

  private spill(): Uint32Array {
    const h = new Uint32Array(2 * STEP_BUCKETS)
    for (let i = 0; i < this.nStep; i++) h[(this.pStep >>> (BITS * i)) & 31]! += 1
    for (let i = 0; i < this.nSched; i++) h[STEP_BUCKETS + ((this.pSched >>> (BITS * i)) & 31)]! += 1
    this.hist = h
    return h
  }

  /** What task:get shows (plain JSON). */
  timing(): StepTiming {
    const h = this.hist ?? this.spillCopy()
    return {
      steps: this.steps,
      busyMs: this.busyUs / 1000,
      idleMs: this.idleUs / 1000,
      scheduledMs: this.scheduledUs / 1000,
      maxStepMs: this.maxUs / 1000,
      stepHist: Array.from(h.subarray(0, STEP_BUCKETS)),
      scheduledHist: Array.from(h.subarray(STEP_BUCKETS)),
    }
  }

  /** The histogram as it would be, without keeping it (reading must not grow a short task). */
  private spillCopy(): Uint32Array {
    const h = this.spill()
    this.hist = null
    return h
  }
}

export interface StepTimerOptions {
  /** The real clock, ms (default performance.now); a test passes a fake one. */
  clock?: () => number
  /** Where slow steps go. */
  slow: SlowSteps
  /** The TaskSteps of a task of this loop, made on first use (null: a task the monitor does not know). */
  stepsOf: (task: Task<unknown>) => TaskSteps | null
}

/**
 * The instrument that times one loop's steps: its beforeTaskStep / afterTaskStep read the clock,
 * and its stepClock lets the loop stamp wake-ups. One step runs at a time on a loop, so the step
 * in progress is three fields.
 */
export function stepTimer(loop: EventLoop, info: LoopInfo, opts: StepTimerOptions): Instrument {
  const read = opts.clock ?? performance.now.bind(performance)
  const epoch = read()
  /** Whole µs since the timer began: small integers for ~35 min of a loop's life, plain numbers after. */
  const clock = (): number => Math.round((read() - epoch) * 1000)
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
  return {
    // A wake-up queued inside a step (a future resolved, a queue put) is stamped with that step's
    // start, not a fresh reading: one clock read fewer per wake-up, over-counting the woken task's
    // wait by at most the part of the waker's step before it (microseconds, unless that step was slow).
    stepClock: () => (inStep ? start : clock()),
    beforeTaskStep: (t) => {
      const s = stepsOf(t)
      cur = s
      const now = loop._backToBack ? lastEnd : clock()
      start = now
      inStep = true
      resumed = t.awaiting()
      let queued = t._queuedAt
      t._queuedAt = NaN
      if (s === null) return
      const last = s.lastUs
      // Queued by its own last step (-1): it waited from that step's end.
      if (queued === -1) queued = last >= 0 ? last : now
      if (queued === queued) {
        const wait = now > queued ? now - queued : 0
        s.scheduledUs += wait
        s.addScheduled(bucketOfUs(wait))
        if (last >= 0 && queued > last) s.idleUs += queued - last
      } else if (last >= 0 && now > last) s.idleUs += now - last // queued before this timer attached
    },
    afterTaskStep: (t) => {
      const s = cur
      cur = null
      inStep = false
      const end = clock()
      lastEnd = end
      const us = end > start ? end - start : 0
      if (s !== null) {
        s.steps++
        s.busyUs += us
        if (us > s.maxUs) s.maxUs = us
        s.lastUs = end
        s.addStep(bucketOfUs(us))
      }
      if (us >= slow.thresholdMs * 1000) slow.record(loop, info, t, us / 1000, resumed)
      resumed = null
    },
  }
}
