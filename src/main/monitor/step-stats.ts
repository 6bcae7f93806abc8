/**
 * Where a task's real time goes (issue 11 §1): busy (inside its steps), idle (waiting for a wake-up),
 * scheduled (woken, waiting in the ready queue), with log2 histograms of step durations and of
 * scheduled delays, and every step longer than a threshold handed to a SlowSteps ring.
 *
 * Times come from a real monotonic clock (performance.now()), injectable so tests are exact: on a
 * virtual clock a synchronous busy loop takes no loop time, yet it holds the process that long.
 * The clock is read at each step's end, at its start only when something else ran since the last
 * step ended (loop._backToBack), and when a task's wake-up is queued by anything but its own step
 * (the loop stamps Task._queuedAt with `stepClock`); a step allocates nothing.
 */
import { performance } from 'node:perf_hooks'
import type { EventLoop, Future, Instrument, Task } from '../runtime/index'
import { STEP_BUCKETS } from '../../shared/snapshots'
import type { StepTiming } from '../../shared/snapshots'
import type { SlowSteps } from './slow-steps'
import type { LoopInfo } from './task-monitor'

/** The histogram bucket of a duration in ms (see STEP_BUCKETS): 0 under 1 µs, k for [2^(k-1), 2^k) µs. */
export function stepBucket(ms: number): number {
  const us = ms * 1000
  if (!(us >= 1)) return 0
  if (us >= 2 ** (STEP_BUCKETS - 2)) return STEP_BUCKETS - 1
  return 32 - Math.clz32(us)
}

/** One task's step timing: a few numbers and one fixed array of 2 × STEP_BUCKETS counts (bounded, whatever it runs). */
export class TaskSteps {
  steps = 0
  busyMs = 0
  idleMs = 0
  scheduledMs = 0
  maxStepMs = 0
  /** When its last step ended (NaN: none yet). */
  lastEnd = NaN
  /** Step durations in [0, STEP_BUCKETS), scheduled delays in [STEP_BUCKETS, 2 × STEP_BUCKETS). */
  readonly hist = new Uint32Array(2 * STEP_BUCKETS)

  /** What task:get shows (plain JSON). */
  timing(): StepTiming {
    return {
      steps: this.steps,
      busyMs: this.busyMs,
      idleMs: this.idleMs,
      scheduledMs: this.scheduledMs,
      maxStepMs: this.maxStepMs,
      stepHist: Array.from(this.hist.subarray(0, STEP_BUCKETS)),
      scheduledHist: Array.from(this.hist.subarray(STEP_BUCKETS)),
    }
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
  const clock = opts.clock ?? performance.now.bind(performance)
  const slow = opts.slow
  const stepsOf = opts.stepsOf
  let cur: TaskSteps | null = null
  let start = 0
  /** When the loop's last step ended: the next one starts then if nothing ran between (loop._backToBack). */
  let lastEnd = 0
  /** The future the step resumes from (read off the task before the step clears it; described only if slow). */
  let resumed: Future<unknown> | null = null
  return {
    stepClock: clock,
    beforeTaskStep: (t) => {
      const s = stepsOf(t)
      cur = s
      const now = loop._backToBack ? lastEnd : clock()
      start = now
      resumed = t.awaiting()
      let queued = t._queuedAt
      t._queuedAt = NaN
      if (s === null) return
      const last = s.lastEnd
      // Queued by its own last step (-1): it waited from that step's end.
      if (queued === -1) queued = last === last ? last : now
      if (queued === queued) {
        // Queued before this timer attached, or on a clock it did not read: counted from the step's start.
        const wait = now > queued ? now - queued : 0
        s.scheduledMs += wait
        s.hist[STEP_BUCKETS + stepBucket(wait)]! += 1
        if (last === last && queued > last) s.idleMs += queued - last
      } else if (last === last && now > last) s.idleMs += now - last
    },
    afterTaskStep: (t) => {
      const s = cur
      cur = null
      const end = clock()
      lastEnd = end
      const ms = end > start ? end - start : 0
      if (s !== null) {
        s.steps++
        s.busyMs += ms
        if (ms > s.maxStepMs) s.maxStepMs = ms
        s.hist[stepBucket(ms)]! += 1
        s.lastEnd = end
      }
      if (ms >= slow.thresholdMs) slow.record(loop, info, t, ms, resumed)
      resumed = null
    },
  }
}
