import { EventLoop, VirtualClock } from '../../src/main/runtime/index'
import { TaskMonitor } from '../../src/main/monitor/index'
import type { MonitorOptions, Timers } from '../../src/main/monitor/index'
import type { TaskDelta, TaskSnapshot } from '../../src/shared/snapshots'

/** Timers that only fire when the test says so: batching is checked without real waiting. */
export function manualTimers(): Timers & { advance(ms: number): void; pending(): number } {
  let now = 0
  let seq = 0
  const queue = new Map<number, { at: number; fn: () => void }>()
  return {
    now: () => now,
    setTimeout: (fn, ms) => {
      queue.set(++seq, { at: now + ms, fn })
      return seq
    },
    clearTimeout: (h) => void queue.delete(h as number),
    pending: () => queue.size,
    advance(ms) {
      const end = now + ms
      for (;;) {
        const next = [...queue.entries()].sort((a, b) => a[1].at - b[1].at)[0]
        if (!next || next[1].at > end) break
        queue.delete(next[0])
        now = next[1].at
        next[1].fn()
      }
      now = end
    },
  }
}

/** A virtual-clock loop with a monitor attached as `run-1`, collecting every delta it emits. */
export function watchedLoop(opts: Partial<MonitorOptions> = {}) {
  const loop = new EventLoop({ clock: new VirtualClock() })
  const deltas: TaskDelta[] = []
  const timers = manualTimers()
  const monitor = new TaskMonitor({ timers, ...opts, emit: (d) => deltas.push(d) })
  monitor.attach(loop, { label: 'run-1', runId: 1, rate: null })
  /** The latest snapshot of each task over every delta so far (what a UI would show). */
  const view = () => {
    const tasks = new Map<number, TaskSnapshot>()
    for (const d of deltas) {
      for (const t of [...d.created, ...d.changed, ...d.ended]) tasks.set(t.id, t)
      for (const id of d.removed) tasks.delete(id)
    }
    return tasks
  }
  const byName = (name: string) => [...view().values()].find((t) => t.name === name)
  return { loop, monitor, deltas, timers, view, byName }
}
