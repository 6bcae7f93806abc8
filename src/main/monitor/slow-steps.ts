/**
 * The steps that blocked a loop: every step at least `thresholdMs` long (real ms), with its task,
 * duration, loop time and where it was (the await it resumed from, the await it parked on). Kept
 * in a bounded ring per loop (the newest SLOW_STEPS_PER_LOOP); the records since the last delta
 * travel in TaskDelta.slowSteps, all kept ones in `steps:slow`.
 */
import type { EventLoop, Future, Task } from '../runtime/index'
import { SLOW_STEPS_PER_LOOP, SLOW_STEP_DEFAULT_MS } from '../../shared/snapshots'
import type { LoopLabel, SlowStep, SlowStepsInfo } from '../../shared/snapshots'
import { describeAwait } from './describe-await'
import type { LoopInfo } from './task-monitor'

export class SlowSteps {
  /** Steps at least this long (real ms) are recorded. */
  thresholdMs: number
  private readonly rings = new Map<LoopLabel, SlowStep[]>()
  private fresh: SlowStep[] = []
  private seq = 0

  private readonly perLoop: number
  private readonly wallNow: () => number

  constructor(opts: { thresholdMs?: number; perLoop?: number; wallNow?: () => number } = {}) {
    this.thresholdMs = opts.thresholdMs ?? SLOW_STEP_DEFAULT_MS
    this.perLoop = opts.perLoop ?? SLOW_STEPS_PER_LOOP
    this.wallNow = opts.wallNow ?? Date.now
  }

  /** Records a step of `task` that ran `ms`; it resumed from `resumed` and parks on what the task awaits now. */
  record(loop: EventLoop, info: LoopInfo, task: Task<unknown>, ms: number, resumed: Future<unknown> | null): void {
    const step: SlowStep = {
      seq: ++this.seq,
      loop: info.label,
      runId: info.runId,
      taskId: task.id,
      taskName: task.name,
      durationMs: ms,
      at: { loop: loop.time(), wall: this.wallNow() },
      resumedFrom: describeAwait(resumed)?.text ?? null,
      parkedOn: task.done() ? null : (describeAwait(task.awaiting())?.text ?? null),
    }
    let ring = this.rings.get(info.label)
    if (ring === undefined) this.rings.set(info.label, (ring = []))
    ring.push(step)
    if (ring.length > this.perLoop) ring.splice(0, ring.length - this.perLoop)
    this.fresh.push(step)
    // Nobody takes them (no delta for a while): the newest are what the rings keep anyway.
    if (this.fresh.length > 4 * this.perLoop) this.fresh.splice(0, this.fresh.length - this.perLoop)
  }

  /** The records since the last call (for the next delta). */
  takeFresh(): SlowStep[] {
    if (this.fresh.length === 0) return EMPTY
    const out = this.fresh
    this.fresh = []
    return out
  }

  /** Every kept record, oldest first. */
  info(): SlowStepsInfo {
    const steps = [...this.rings.values()].flat().sort((a, b) => a.seq - b.seq)
    return { thresholdMs: this.thresholdMs, steps }
  }

  /** A loop's records go with its tasks (TaskMonitor.forget). */
  forget(label: LoopLabel): void {
    this.rings.delete(label)
    this.fresh = this.fresh.filter((s) => s.loop !== label)
  }
}

const EMPTY: SlowStep[] = []
