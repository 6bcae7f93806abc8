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
 * between flushes is written once.
 */
export class WriteBuffer {
  private dirty = new Set<TaskRow>()
  private logs: LogRow[] = []
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
    this.writeBatch = db.transaction((tasks: TaskRow[], logs: LogRow[]) => {
      upsertTasks(tasks)
      insertLogs(logs)
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
    this.logs.push({ runId, ...record })
    this.schedule()
  }

  /** Rows waiting for the disk. */
  pending(): number {
    return this.dirty.size + this.logs.length
  }

  stats(): WriteStats {
    return { ...this.counters }
  }

  /**
   * Writes every buffered row in one transaction. On failure the rows stay buffered (a later
   * flush retries them) and the error is thrown.
   */
  flush(): void {
    this.cancelTimers()
    if (this.pending() === 0) return
    const tasks = [...this.dirty]
    const logs = this.logs
    this.dirty = new Set()
    this.logs = []
    try {
      // IMMEDIATE: take the write lock up front, so a second process (the CLI beside the app)
      // makes us wait on busy_timeout instead of failing mid-transaction.
      this.writeBatch.immediate(tasks, logs)
    } catch (error) {
      for (const r of tasks) this.dirty.add(r)
      this.logs = logs.concat(this.logs)
      throw error
    }
    this.counters.transactions++
    this.counters.taskRows += tasks.length
    this.counters.logRows += logs.length
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
    } else if (!this.timer) {
      this.timer = setTimeout(this.backgroundFlush, this.flushMs)
      this.timer.unref()
    }
  }

  private readonly backgroundFlush = (): void => {
    try {
      this.flush()
    } catch (error) {
      this.onBackgroundError(error)
      // Rows are kept; try again later rather than spinning.
      if (!this.timer) {
        this.timer = setTimeout(this.backgroundFlush, this.flushMs)
        this.timer.unref()
      }
    }
  }
}

