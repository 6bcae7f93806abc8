// Which of the process's tasks the hub holds. The hub keeps at most 20,000 tasks per source
// (forgetting the oldest ended ones first) and refuses a delta that would pass that with live
// tasks, then counts every later mention of a task it refused as an error — 20 errors and the
// agent is disconnected. So the agent mirrors the hub's bookkeeping and sends only what it holds:
// beyond the bound, new tasks are not shown (counted in `hidden`) until room frees up.
import { FINAL_STATES } from '../shared/snapshots'
import type { TaskDelta, TaskSnapshot, TaskState } from '../shared/snapshots'

const FINAL = new Set<TaskState>(FINAL_STATES)

/** The hub's DEFAULT_HUB_LIMITS.maxTasksPerSource (the protocol's per-source task bound). */
export const HUB_TASKS_PER_SOURCE = 20_000

export class ShownTasks {
  private readonly live = new Set<number>()
  /** In the order they ended: the hub forgets from the front. */
  private readonly ended = new Set<number>()
  /** Tasks never shown because the hub was full of live tasks. */
  hidden = 0

  constructor(private readonly limit = HUB_TASKS_PER_SOURCE) {}

  /** The part of a monitor delta the hub can take, updating the mirror as the hub will. */
  filter(delta: TaskDelta): TaskDelta {
    const admitted = new Set<number>()
    const created: TaskSnapshot[] = []
    for (const t of delta.created) {
      if (this.live.size + admitted.size >= this.limit) {
        this.hidden++
        continue
      }
      admitted.add(t.id)
      created.push(t)
    }
    // The hub forgets ended tasks on its own (oldest first) after every delta part it applies, so
    // a task that ended in an earlier delta may be gone by the time a later part names it. Only
    // live tasks and this delta's own are named; `removed` is left to the hub's own forgetting.
    const inThisDelta = new Set<number>(admitted)
    for (const t of delta.changed) if (this.live.has(t.id)) inThisDelta.add(t.id)
    for (const t of delta.ended) if (this.live.has(t.id)) inThisDelta.add(t.id)
    const named = (id: number) => this.live.has(id) || inThisDelta.has(id)
    const out: TaskDelta = {
      seq: delta.seq,
      created,
      changed: delta.changed.filter((t) => named(t.id)),
      ended: delta.ended.filter((t) => named(t.id)),
      removed: [],
      logs: delta.logs.map((l) => (l.taskId === null || named(l.taskId) ? l : { ...l, taskId: null })),
      clocks: delta.clocks,
    }
    for (const list of [out.created, out.changed, out.ended]) for (const t of list) this.upsert(t)
    // One iterator for the whole trim: a fresh `values().next()` per task walks past every entry
    // deleted before it (V8 keeps them as holes until a rehash), which made this loop quadratic.
    const oldest = this.ended.values()
    while (this.live.size + this.ended.size > this.limit) {
      const next = oldest.next()
      if (next.done) break
      this.ended.delete(next.value)
    }
    // Segments and slow steps of a task the hub holds: live, this delta's, or ended and still kept
    // once this delta is applied (the hub forgets oldest first, so it holds those while it reads
    // every part). A busy task's segments often go deltas after its end (the segment budget
    // makes busy tasks take turns): keeping only live tasks' lost them, and the hub's timeline of
    // the task stopped where its end was sent.
    const held = (id: number) => named(id) || this.ended.has(id)
    if (delta.segments) out.segments = delta.segments.filter((s) => held(s.taskId))
    const slow = delta.slowSteps?.filter((s) => held(s.taskId))
    if (slow !== undefined && slow.length > 0) out.slowSteps = slow
    return out
  }

  /**
   * How many new tasks the next delta can show: filter() hides every created task past it, so the
   * monitor is told this (roomForNew) and does not read snapshots that would be thrown away.
   */
  room(): number {
    return Math.max(0, this.limit - this.live.size)
  }

  /** A fresh hub: forget the mirror (the resync's deltas then go through filter()). */
  reset(): void {
    this.live.clear()
    this.ended.clear()
    this.hidden = 0
  }

  private upsert(t: TaskSnapshot): void {
    if (FINAL.has(t.state)) {
      this.live.delete(t.id)
      if (!this.ended.has(t.id)) this.ended.add(t.id)
    } else {
      this.ended.delete(t.id)
      this.live.add(t.id)
    }
  }
}
