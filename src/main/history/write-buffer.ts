import { LOG_LIMITS, RunLogCap } from './log-cap'
import type { LogLimits } from './log-cap'
import { multiRowInsert } from './multi-row'
import type { Database } from './sqlite'
import type { HistoryLog as LogRecord, WriteStats } from './types'

/** A task's row while it is being recorded; mutated in place, written when dirty. */
export interface TaskRow {
  runId: number
  taskId: number
  name: string
  parentId: number | null
  createdAt: number
  startedAt: number | null
  endedAt: number | null
  state: string
  cancelSource: string | null
  cancelReason: string | null
  errorName: string | null
  errorMessage: string | null
  stack: string | null
}

interface LogRow extends LogRecord {
  runId: number
}

/**
 * Write-behind buffer between the scheduler and SQLite. The scheduler's instruments only touch
 * memory (mark a row dirty, push a log line); rows reach the disk from a Node timer or
 * `setImmediate`, outside any task step, in one transaction per flush. A row changed ten times
 * between flushes is written once. Each run stores at most its first and last N log lines
 * (`LogLimits`); the lines in between are counted in `runs.logs_omitted`.
 */
export class WriteBuffer {
  private dirty = new Set<TaskRow>()
  private logs: LogRow[] = []
  private readonly caps = new Map<number, RunLogCap<LogRow>>()
  private timer: NodeJS.Timeout | null = null
  private immediate: NodeJS.Immediate | null = null
  private disposed = false
  private readonly counters: WriteStats = { transactions: 0, taskRows: 0, logRows: 0 }
  private readonly writeBatch

  constructor(
    db: Database,
    private readonly flushMs: number,
    private readonly maxBatch: number,
    private readonly onBackgroundError: (error: unknown) => void,
    private readonly limits: LogLimits = LOG_LIMITS,
  ) {
    const upsertTasks = multiRowInsert<TaskRow>(
      db,
      `INSERT INTO tasks (run_id, task_id, name, parent_id, created_at, started_at, ended_at, state,
                          cancel_source, cancel_reason, error_name, error_message, stack)`,
      13,
      `ON CONFLICT (run_id, task_id) DO UPDATE SET
        name = excluded.name, started_at = excluded.started_at, ended_at = excluded.ended_at,
        state = excluded.state, cancel_source = excluded.cancel_source,
        cancel_reason = excluded.cancel_reason, error_name = excluded.error_name,
        error_message = excluded.error_message, stack = excluded.stack`,
      (r, out) => {
        out.push(r.runId, r.taskId, r.name, r.parentId, r.createdAt, r.startedAt, r.endedAt, r.state,
          r.cancelSource, r.cancelReason, r.errorName, r.errorMessage, r.stack)
      },
    )
    const insertLogs = multiRowInsert<LogRow>(
      db,
      'INSERT INTO logs (run_id, t, task_id, task_name, stream, line)',
      6,
      '',
      (l, out) => {
        out.push(l.runId, l.t, l.taskId, l.taskName, l.stream, l.line)
      },
    )
    const headLastId = db.prepare('SELECT id FROM logs WHERE run_id = ? ORDER BY id LIMIT 1 OFFSET ?')
    // Tail rows older than the newest `tail` (the head, ids ≤ headLastId, stays).
    const trimTail = db.prepare(`DELETE FROM logs WHERE run_id = ? AND id > ?
      AND id < (SELECT id FROM logs WHERE run_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?)`)
    const noteOmitted = db.prepare('UPDATE runs SET logs_omitted = ?, logs_gap_at = ? WHERE id = ?')
    const writeTail = (runId: number, cap: RunLogCap<LogRow>): void => {
      insertLogs(cap.takeTail())
      cap.headLastId ??= (headLastId.get(runId, this.limits.head - 1) as { id: number } | undefined)?.id ?? null
      if (cap.headLastId !== null) trimTail.run(runId, cap.headLastId, runId, this.limits.tail - 1)
      noteOmitted.run(cap.omitted, cap.omitted > 0 ? this.limits.head : null, runId)
    }
    this.writeBatch = db.transaction((tasks: TaskRow[], logs: LogRow[], tails: [number, RunLogCap<LogRow>][]) => {
      upsertTasks(tasks)
      insertLogs(logs)
      for (const [runId, cap] of tails) writeTail(runId, cap)
    })
  }

  /** Hot path: called from instruments inside task steps. Memory only. */
  markTask(row: TaskRow): void {
    if (this.disposed) return
    this.dirty.add(row)
    this.schedule()
  }

  /** Hot path: called for each printed line. Memory only. */
  addLog(runId: number, record: LogRecord): void {
    if (this.disposed) return
    let cap = this.caps.get(runId)
    if (!cap) this.caps.set(runId, (cap = new RunLogCap(this.limits)))
    const row = { runId, ...record }
    if (cap.add(row)) this.logs.push(row)
    this.schedule()
  }

  /** The run ended and its rows were flushed: its log bookkeeping can go. */
  forgetRun(runId: number): void {
    this.caps.delete(runId)
  }

  /** Log lines of `runId` printed and not kept so far (0 for a run this buffer does not record). */
  omitted(runId: number): number {
    return this.caps.get(runId)?.omitted ?? 0
  }

  /** Rows waiting for the disk (a capped run's pending tail counts as one). */
  pending(): number {
    let tails = 0
    for (const cap of this.caps.values()) if (cap.tailPending) tails++
    return this.dirty.size + this.logs.length + tails
  }

  stats(): WriteStats {
    return { ...this.counters }
  }

  /**
   * Writes every buffered row in one transaction. On failure the rows stay buffered (a later
   * flush retries them) and the error is thrown.
   */
  flush(): void {
    this.flushRows(true)
  }

  /**
   * `allTails`: write every capped run's pending tail (reads and endRun need them); a background
   * flush writes a tail at most every `tailFlushMs`, since each write replaces up to `tail` rows.
   */
  private flushRows(allTails: boolean): void {
    this.cancelTimers()
    if (this.pending() === 0) return
    const now = Date.now()
    const tails: [number, RunLogCap<LogRow>][] = []
    let tailsLeft = false
    for (const [runId, cap] of this.caps) {
      if (!cap.tailPending) continue
      if (allTails || now - cap.lastTailWrite >= this.limits.tailFlushMs) tails.push([runId, cap])
      else tailsLeft = true
    }
    const tasks = [...this.dirty]
    const logs = this.logs
    this.dirty = new Set()
    this.logs = []
    if (tasks.length > 0 || logs.length > 0 || tails.length > 0) {
      try {
        // IMMEDIATE: take the write lock up front, so a second process (the CLI beside the app)
        // makes us wait on busy_timeout instead of failing mid-transaction.
        this.writeBatch.immediate(tasks, logs, tails)
      } catch (error) {
        for (const r of tasks) this.dirty.add(r)
        this.logs = logs.concat(this.logs)
        // A failed tail write loses those tail lines (newer ones replace them anyway).
        throw error
      }
      for (const [, cap] of tails) cap.lastTailWrite = now
      this.counters.transactions++
      this.counters.taskRows += tasks.length
      this.counters.logRows += logs.length
    }
    if (tailsLeft) this.armTimer()
  }

  /**
   * After the database closes: a recorder still attached to a live loop must neither write nor
   * keep retrying, so later rows are dropped.
   */
  dispose(): void {
    this.cancelTimers()
    this.disposed = true
    this.dirty.clear()
    this.logs = []
    this.caps.clear()
  }

  /** Stops the timers; buffered rows stay until the next `flush`. */
  cancelTimers(): void {
    if (this.timer) clearTimeout(this.timer)
    if (this.immediate) clearImmediate(this.immediate)
    this.timer = null
    this.immediate = null
  }

  private schedule(): void {
    if (this.dirty.size + this.logs.length >= this.maxBatch) {
      this.immediate ??= setImmediate(this.backgroundFlush)
    } else this.armTimer()
  }

  private armTimer(): void {
    if (this.timer) return
    this.timer = setTimeout(this.backgroundFlush, this.flushMs)
    this.timer.unref()
  }

  private readonly backgroundFlush = (): void => {
    try {
      this.flushRows(false)
    } catch (error) {
      this.onBackgroundError(error)
      // Rows are kept; try again later rather than spinning.
      this.armTimer()
    }
  }
}

