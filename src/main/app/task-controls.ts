// The window's controls on tasks, in one place: cancel and deadline for one task, and the same for
// many at once. Every id goes the same way whether it comes alone or in a bulk action: this
// process's runtime for the app's own loops, the task's own process (through its agent) for a
// connected source.
import type { TaskSnapshot } from '../../shared/snapshots'
import { FINAL_STATES } from '../../shared/snapshots'
import { MAX_BULK_FAILURES_LISTED } from '../../shared/bulk-contract'
import type { BulkOutcome, BulkRequest } from '../../shared/bulk-contract'
import type { TaskMonitor } from '../monitor/index'
import type { ExternalSources } from '../sources/external-sources'
import { AppError } from '../ipc/app-error'

/**
 * Commands in flight per connected process during a bulk action: well under the hub's
 * maxPendingCommands (64), so a bulk action never crowds out a single cancel sent meanwhile.
 */
export const BULK_COMMANDS_PER_SOURCE = 16

const FINAL = new Set<string>(FINAL_STATES)

export class TaskControls {
  constructor(
    private readonly monitor: TaskMonitor,
    private readonly sources: ExternalSources,
  ) {}

  /**
   * Asks task `taskId` to cancel (source `user`, with the reason). A connected process's task is
   * asked in its own process, which answers. Unknown: not_found; already ended: invalid_state.
   */
  cancel(taskId: number, reason: string | null): TaskSnapshot | Promise<TaskSnapshot> {
    if (this.sources.owns(taskId)) return this.sources.cancel(taskId, reason)
    const task = this.liveTask(taskId)
    if (!task.cancel(reason ?? undefined)) throw new AppError('invalid_state', `task #${taskId} has already ended`)
    return this.fresh(taskId)
  }

  /** Puts a deadline `inMs` loop-ms from now on the task (replacing any), or clears it (null). */
  setDeadline(taskId: number, inMs: number | null): TaskSnapshot | Promise<TaskSnapshot> {
    if (this.sources.owns(taskId)) return this.sources.setDeadline(taskId, inMs)
    const task = this.liveTask(taskId)
    const where = this.monitor.loopOf(taskId)
    if (!where) throw new AppError('invalid_state', `task #${taskId} is no longer on a live loop`)
    // The runtime owns the deadline: when it passes the task sees a 'deadline' cancellation.
    task.setDeadline(inMs === null ? null : where.loop.time() + inMs)
    return this.fresh(taskId)
  }

  /**
   * One action on many tasks: each distinct id goes through cancel / setDeadline above, this
   * process's at once, each connected process's BULK_COMMANDS_PER_SOURCE at a time (all sources
   * in parallel). Never rejects for a task: each lands in one list of the outcome.
   *
   * @example await controls.bulk({ action: { kind: 'cancel', reason: 'drain' }, taskIds: [4, 5, 6] })
   *   // → { kind: 'cancel', asked: 3, applied: [4, 5], alreadyEnded: [{ taskId: 6, state: 'done' }], … }
   */
  async bulk({ action, taskIds }: BulkRequest): Promise<BulkOutcome> {
    const out: BulkOutcome = { kind: action.kind, asked: 0, applied: [], alreadyEnded: [], notFound: [], failed: [], failedCount: 0 }
    const one = (id: number) => (action.kind === 'cancel' ? this.cancel(id, action.reason) : this.setDeadline(id, action.inMs))
    const bySource = new Map<string, number[]>()
    for (const id of new Set(taskIds)) {
      out.asked++
      const ended = this.endedState(id)
      if (ended === undefined) {
        out.notFound.push(id)
      } else if (ended !== null) {
        out.alreadyEnded.push({ taskId: id, state: ended })
      } else if (this.sources.owns(id)) {
        const key = this.sources.get(id)?.loop.split('/')[0] ?? ''
        const list = bySource.get(key)
        if (list) list.push(id)
        else bySource.set(key, [id])
      } else {
        try {
          one(id)
          out.applied.push(id)
        } catch (e) {
          this.sort(out, id, e)
        }
      }
    }
    await Promise.all(
      [...bySource.values()].map((ids) =>
        eachLimited(ids, BULK_COMMANDS_PER_SOURCE, async (id) => {
          try {
            await one(id)
            out.applied.push(id)
          } catch (e) {
            this.sort(out, id, e)
          }
        }),
      ),
    )
    return out
  }

  /** The state a task ended in, null while it is live, undefined for a task nobody knows. */
  private endedState(id: number): TaskSnapshot['state'] | null | undefined {
    const snap = this.sources.owns(id) ? this.sources.get(id) : this.monitor.get(id)
    if (!snap) return undefined
    return FINAL.has(snap.state) ? snap.state : null
  }

  /** A refused task: ended meanwhile (its process answered already_done), gone, or failed. */
  private sort(out: BulkOutcome, id: number, e: unknown): void {
    const ended = this.endedState(id)
    if (ended === undefined) return void out.notFound.push(id)
    if (ended !== null) return void out.alreadyEnded.push({ taskId: id, state: ended })
    out.failedCount++
    if (out.failed.length < MAX_BULK_FAILURES_LISTED) out.failed.push({ taskId: id, message: e instanceof Error ? e.message : String(e) })
  }

  private liveTask(taskId: number) {
    const task = this.monitor.liveTask(taskId)
    if (task) return task
    const snap = this.monitor.get(taskId)
    if (!snap) throw new AppError('not_found', `no task #${taskId}`)
    throw new AppError('invalid_state', `task #${taskId} ${snap.name} has already ended (${snap.state})`)
  }

  private fresh(taskId: number): TaskSnapshot {
    this.monitor.touch(taskId)
    const snap = this.monitor.get(taskId)
    if (!snap) throw new AppError('not_found', `no task #${taskId}`)
    return snap
  }
}

/** Runs `fn` over `items`, at most `limit` at a time, in order of start. */
async function eachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!)
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
}
