// One source's last known state: its loops, task snapshots and recent logs. Each agent message is
// checked in full against this state first and applied only if every part holds, so a bad message
// changes nothing.
import { FINAL_STATES, emptyHistory, mergeSegments } from '../../shared/snapshots'
import type { TaskDelta, TaskSnapshot } from '../../shared/snapshots'
import { DEFAULT_AGENT_ROLE } from '../../shared/agent-protocol/index'
import type { AgentClock, Hello, SessionErrorCode } from '../../shared/agent-protocol/index'
import type { HubLimits } from './limits'
import type { SourceId, SourceInfo, SourceLog, SourceState } from './types'

export interface Rejection {
  code: SessionErrorCode
  message: string
}

const FINAL = new Set<string>(FINAL_STATES)

/**
 * The state of one source. Task ids are the agent's own; the source's id namespaces them. Bounded:
 * at most `maxTasksPerSource` tasks (the oldest ended ones are forgotten first), `maxLoopsPerSource`
 * loops, `maxLogsPerSource` recent lines.
 */
export class SourceRecord {
  state: SourceState = 'connected'
  exit: { code: number | null; reason: string } | null = null
  endedWall: number | null = null
  dropped = 0
  discarded = 0
  errors = 0
  readonly loops = new Map<string, AgentClock>()
  readonly tasks = new Map<number, TaskSnapshot>()
  /** Ended tasks in the order they ended: the first to forget when the cap is reached. */
  private readonly ended = new Set<number>()
  private readonly logs: SourceLog[] = []

  constructor(
    readonly id: SourceId,
    public hello: Hello,
    public connectedWall: number,
    private readonly limits: Pick<HubLimits, 'maxTasksPerSource' | 'maxLoopsPerSource' | 'maxLogsPerSource'>,
  ) {}

  info(): SourceInfo {
    const h = this.hello
    return {
      id: this.id,
      name: h.name,
      pid: h.pid,
      runtime: { kind: h.runtime.kind, version: h.runtime.version },
      clock: h.clock,
      instance: h.instance ?? null,
      role: h.role ?? DEFAULT_AGENT_ROLE,
      state: this.state,
      exit: this.exit,
      connectedWall: this.connectedWall,
      endedWall: this.endedWall,
      loops: [...this.loops].map(([label, clock]) => ({ label, clock })),
      taskCount: this.tasks.size,
      dropped: this.dropped,
      discarded: this.discarded,
      errors: this.errors,
    }
  }

  addLoop(label: string, clock: AgentClock): Rejection | null {
    if (!this.loops.has(label) && this.loops.size >= this.limits.maxLoopsPerSource) {
      return { code: 'too_many_loops', message: `a source may have ${this.limits.maxLoopsPerSource} loops at once; remove one first` }
    }
    this.loops.set(label, clock)
    return null
  }

  removeLoop(label: string): Rejection | null {
    if (!this.loops.delete(label)) return { code: 'unknown_loop', message: `loop:removed names a loop never added (${label.slice(0, 100)})` }
    return null
  }

  addLog(log: SourceLog): Rejection | null {
    if (log.taskId !== null && !this.tasks.has(log.taskId)) return unknownTask('log', log.taskId)
    this.pushLog(log)
    return null
  }

  /** Checks a delta against the known loops and tasks; returns why it is refused, or null. */
  check(delta: TaskDelta): Rejection | null {
    const created = new Set<number>()
    for (const t of delta.created) {
      if (!this.loops.has(t.loop)) return unknownLoop(`created task ${t.id}`, t.loop)
      created.add(t.id)
    }
    const known = (id: number) => this.tasks.has(id) || created.has(id)
    for (const t of delta.changed) if (!known(t.id)) return unknownTask('changed', t.id)
    for (const t of delta.ended) if (!known(t.id)) return unknownTask('ended', t.id)
    for (const id of delta.removed) if (!known(id)) return unknownTask('removed', id)
    for (const s of delta.segments ?? []) if (!known(s.taskId)) return unknownTask('segments', s.taskId)
    for (const l of delta.logs) if (l.taskId !== null && !known(l.taskId)) return unknownTask('logs', l.taskId)
    for (const c of delta.clocks) if (!this.loops.has(c.loop)) return unknownLoop('clocks', c.loop)
    let fresh = 0
    for (const id of created) if (!this.tasks.has(id)) fresh++
    // Room: free slots, plus the tasks this delta removes, plus ended tasks that can be forgotten.
    const removed = new Set(delta.removed)
    let forgettable = removed.size
    for (const id of this.ended) if (!removed.has(id)) forgettable++
    const room = this.limits.maxTasksPerSource - this.tasks.size + forgettable
    if (fresh > room) {
      return { code: 'too_many_tasks', message: `the hub keeps ${this.limits.maxTasksPerSource} tasks per source and none more has ended; send removed for old tasks` }
    }
    return null
  }

  /** Applies a delta that passed check(). */
  apply(delta: TaskDelta): void {
    for (const t of delta.created) this.upsert(t)
    for (const t of delta.changed) this.upsert(t)
    for (const t of delta.ended) this.upsert(t)
    for (const s of delta.segments ?? []) {
      const task = this.tasks.get(s.taskId)
      if (!task) continue
      task.history ??= emptyHistory()
      mergeSegments(task.history, s)
    }
    for (const id of delta.removed) this.forget(id)
    for (const l of delta.logs) this.pushLog({ stream: l.stream, line: l.line, wall: l.wall, taskId: l.taskId })
    while (this.tasks.size > this.limits.maxTasksPerSource) {
      const oldest = this.ended.values().next()
      if (oldest.done) break
      this.forget(oldest.value)
    }
  }

  private upsert(t: TaskSnapshot): void {
    const had = this.tasks.get(t.id)
    // Deltas carry no history (segments do): keep what this task has gathered so far.
    const history = t.history ?? had?.history
    this.tasks.set(t.id, history ? { ...t, history } : t)
    if (FINAL.has(t.state)) this.ended.add(t.id)
    else this.ended.delete(t.id)
  }

  private forget(id: number): void {
    this.tasks.delete(id)
    this.ended.delete(id)
  }

  /** The most recent log lines, oldest first (at most maxLogsPerSource). */
  recentLogs(): SourceLog[] {
    return this.logs.slice(-this.limits.maxLogsPerSource)
  }

  private pushLog(log: SourceLog): void {
    this.logs.push(log)
    // Trimmed in halves, so a delta of 5,000 lines costs a few splices, not one per line.
    if (this.logs.length > 2 * this.limits.maxLogsPerSource) this.logs.splice(0, this.logs.length - this.limits.maxLogsPerSource)
  }
}

function unknownTask(where: string, id: number): Rejection {
  return { code: 'unknown_task', message: `${where} names task ${id}, which this source never created` }
}

function unknownLoop(where: string, label: string): Rejection {
  return { code: 'unknown_loop', message: `${where} names loop ${JSON.stringify(label.slice(0, 100))}, never announced with loop:added` }
}
