import type { TaskSteps } from './step-stats'

/**
 * The step timing of the newest `capacity` ended tasks, by task id: a ring of slots and a Map from
 * id to slot. Letting the oldest go overwrites its slot. A Map used as a queue (delete its first key)
 * made an iterator per ended task and, with 100,000 tasks ending a second, scanned the deleted
 * entries at the front of its table until it rehashed: most of what step timing cost on W5.
 */
export class EndedTimings {
  private readonly slotOf = new Map<number, number>()
  private readonly ids: Float64Array
  private readonly steps: (TaskSteps | null)[]
  private head = 0

  constructor(readonly capacity: number) {
    this.ids = new Float64Array(capacity).fill(-1)
    this.steps = new Array<TaskSteps | null>(capacity).fill(null)
  }

  get size(): number {
    return this.slotOf.size
  }

  /**
   * Keeps a task's timing; past capacity the oldest kept is let go. A task kept again (taken out
   * first, as a revived one is, or not) moves to the newest slot; the slot it had is reused in turn.
   */
  keep(id: number, steps: TaskSteps): void {
    const slot = this.head
    this.head = slot + 1 === this.capacity ? 0 : slot + 1
    const old = this.ids[slot]!
    if (old !== -1 && this.slotOf.get(old) === slot) this.slotOf.delete(old)
    this.ids[slot] = id
    this.steps[slot] = steps
    this.slotOf.set(id, slot)
  }

  get(id: number): TaskSteps | null {
    const slot = this.slotOf.get(id)
    return slot === undefined ? null : this.steps[slot]!
  }

  /** Lets one task's timing go (returns it, or null if none was kept). */
  delete(id: number): TaskSteps | null {
    const slot = this.slotOf.get(id)
    if (slot === undefined) return null
    this.slotOf.delete(id)
    const steps = this.steps[slot]!
    this.steps[slot] = null
    this.ids[slot] = -1
    return steps
  }
}
