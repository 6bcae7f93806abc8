import { stringify } from 'csv-stringify/sync'
import type { HistoryRunDetail } from './types'

/** Columns of the CSV export: one row per task, then one per log line, told apart by `record`. */
export const CSV_COLUMNS = [
  'record', 'run_id', 't', 'task_id', 'task_name', 'parent_id', 'created_at', 'started_at',
  'ended_at', 'state', 'cancel_source', 'cancel_reason', 'error_name', 'error_message', 'stack',
  'stream', 'line',
] as const

/**
 * A run as CSV: a header, the run's tasks (`record` = `task`, in creation order), then its log lines
 * (`record` = `log`, in print order), so a spreadsheet can filter either. Quoting and embedded
 * newlines (stacks) are csv-stringify's job.
 */
export function runToCsv({ run, tasks, logs }: HistoryRunDetail): string {
  const rows: Record<string, unknown>[] = []
  for (const t of tasks) {
    rows.push({
      record: 'task', run_id: run.runId, t: t.createdAt, task_id: t.id, task_name: t.name,
      parent_id: t.parentId, created_at: t.createdAt, started_at: t.startedAt, ended_at: t.endedAt,
      state: t.state, cancel_source: t.cancelSource, cancel_reason: t.cancelReason,
      error_name: t.error?.name, error_message: t.error?.message, stack: t.error?.stack,
    })
  }
  for (const l of logs) {
    rows.push({
      record: 'log', run_id: run.runId, t: l.t, task_id: l.taskId, task_name: l.taskName,
      stream: l.stream, line: l.line,
    })
  }
  return stringify(rows, { header: true, columns: [...CSV_COLUMNS] })
}

/** A run as one JSON document, tagged with its format so later readers can tell versions apart. */
export function runToJson(detail: HistoryRunDetail): string {
  return JSON.stringify({ format: 'loopwatch-run', version: 1, ...detail }, null, 2)
}
