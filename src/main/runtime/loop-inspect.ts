/**
 * The loop inspector: the ready queue and the timer heap of one loop, described for a person —
 * what runs next, in order, and which timer fires when. Read on demand (a paused loop, or live);
 * it costs the scheduler nothing when nobody asks. Bounded: the first `limit` of each, with totals.
 */
import { Future } from './future'
import type { Runnable, Timer } from './handle'
import { CallbackHandle, TimerHandle } from './handle'
import type { Deque } from './queue-structures'
import { Task } from './task'
import { INSPECT_LIMIT, MAX_INSPECT_LIMIT } from './loop-control-types'
import type { LoopControlState, LoopInspection, LoopSpeed, ReadyEntry, TimerEntry, TimerKind } from './loop-control-types'

export type { LoopControlState, LoopInspection, LoopSpeed, ReadyEntry, TimerEntry } from './loop-control-types'

/** What EventLoop._inspectView hands over: its own structures, read only. */
export interface InspectView {
  ready: Deque<Runnable>
  timers: readonly Timer[]
  /** the not-done tasks, oldest first */
  tasks: readonly Task<unknown>[]
  todo: number
  now: number
  state: LoopControlState
  speed: LoopSpeed | null
}

/** Describes a loop's ready queue and timer heap (see LoopInspection). */
export function inspectLoop(view: InspectView, opts: { limit?: number } = {}): LoopInspection {
  const limit = Math.max(1, Math.min(MAX_INSPECT_LIMIT, Math.floor(opts.limit ?? INSPECT_LIMIT)))
  const waiters = waiterIndex(view.tasks)
  const ready: ReadyEntry[] = []
  for (let i = 0; i < view.ready.length && ready.length < limit; i++) ready.push(describeReady(view.ready.at(i)!, waiters, view.now))
  const live = view.timers.filter((t) => !t._cancelled)
  const timers = firstTimers(live, limit).map((t) => describeTimer(t, waiters, view.now))
  return {
    state: view.state,
    speed: view.speed,
    now: view.now,
    inIteration: view.todo,
    ready,
    readyTotal: view.ready.length,
    timers,
    timersTotal: live.length,
    limit,
  }
}

/** Which task is parked on which future (asyncio's _fut_waiter), for "sleep of Task X". */
function waiterIndex(tasks: readonly Task<unknown>[]): Map<Future<unknown>, Task<unknown>> {
  const out = new Map<Future<unknown>, Task<unknown>>()
  for (const t of tasks) if (t._waitingOn !== null) out.set(t._waitingOn, t)
  return out
}

function who(task: Task<unknown> | null | undefined): { taskId: number | null; taskName: string | null } {
  return task ? { taskId: task.id, taskName: task.name } : { taskId: null, taskName: null }
}

function describeReady(r: Runnable, waiters: Map<Future<unknown>, Task<unknown>>, now: number): ReadyEntry {
  if (r instanceof Task) {
    return { kind: 'step', text: `step of ${r.describe()}`, ...who(r), skipped: !r._wantsStep() }
  }
  if (r instanceof CallbackHandle) {
    const { fn, arg } = (r as CallbackHandle<unknown>)._target()
    const name = fn?.name ? `${fn.name} ` : ''
    if (arg instanceof Future) {
      const about = arg instanceof Task ? arg : (waiters.get(arg) ?? null)
      return { kind: 'doneCallback', text: `done callback ${name}of ${arg.describe()}`, ...who(about), skipped: fn === null }
    }
    return { kind: 'callback', text: `callback ${name || '(anonymous)'}`.trimEnd(), taskId: null, taskName: null, skipped: fn === null }
  }
  const t = describeTimer(r as Timer, waiters, now)
  return { kind: 'timer', text: `timer: ${t.text}`, taskId: t.taskId, taskName: t.taskName, skipped: r._cancelled }
}

function describeTimer(t: Timer, waiters: Map<Future<unknown>, Task<unknown>>, now: number): TimerEntry {
  let kind: TimerKind = 'callLater'
  let task: Task<unknown> | null = null
  let text: string
  if (t instanceof TimerHandle) {
    kind = t._purpose
    task = t._for
    const of = task ? ` of ${task.describe()}` : ''
    text = kind === 'timeout' ? `timeout() / waitFor${of}` : kind === 'deadline' ? `deadline${of}` : `callLater${task ? ` set by ${task.describe()}` : ''}`
  } else if (t instanceof Future) {
    // The only future that is its own timer is a sleep.
    kind = 'sleep'
    task = waiters.get(t) ?? null
    text = task ? `sleep of ${task.describe()}` : t.describe()
  } else {
    text = 'timer'
  }
  return { kind, when: t.when, inMs: t.when - now, text, ...who(task) }
}

const before = (a: Timer, b: Timer): boolean => a.when < b.when || (a.when === b.when && a.seq < b.seq)

/** The `n` earliest timers in firing order: a sort when few, else a partial selection (O(size · log n)). */
function firstTimers(live: Timer[], n: number): Timer[] {
  if (live.length <= 4 * n) return live.sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0)).slice(0, n)
  const kept: Timer[] = [] // sorted, at most n
  for (const t of live) {
    if (kept.length === n && !before(t, kept[n - 1]!)) continue
    let lo = 0
    let hi = kept.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (before(kept[mid]!, t)) lo = mid + 1
      else hi = mid
    }
    kept.splice(lo, 0, t)
    if (kept.length > n) kept.pop()
  }
  return kept
}
