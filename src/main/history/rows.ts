import { InvalidHistoryInputError } from './errors'
import type { ClockChoice, ErrorSnapshot, HistoryLog, HistoryOutcome, HistoryRun, HistoryTask } from './types'

// Rows as SQLite returns them, and their conversion to the shared contract's shapes.

export interface RunRow {
  id: number
  scenario: string
  params: string
  clock: string
  started_at: number
  ended_at: number | null
  outcome: HistoryOutcome
  error: string | null
  logs_omitted: number
  logs_gap_at: number | null
  slow_steps_omitted?: number
  task_count?: number
  log_count?: number
}

export interface TaskDbRow {
  task_id: number
  name: string
  parent_id: number | null
  created_at: number
  started_at: number | null
  ended_at: number | null
  state: string
  cancel_source: string | null
  cancel_reason: string | null
  error_name: string | null
  error_message: string | null
  stack: string | null
}

export interface LogDbRow {
  t: number
  line: string
  task_id: number | null
  task_name: string | null
  stream: 'stdout' | 'stderr'
}

/** Throws InvalidHistoryInputError naming each bad field of a log record. */
export function checkLog(r: HistoryLog): void {
  const issues: { path: string; message: string }[] = []
  if (r === null || typeof r !== 'object') issues.push({ path: '', message: 'a log record is an object' })
  else {
    if (typeof r.t !== 'number' || !Number.isFinite(r.t)) issues.push({ path: 't', message: 't is a finite number' })
    if (typeof r.line !== 'string') issues.push({ path: 'line', message: 'line is a string' })
    if (r.stream !== 'stdout' && r.stream !== 'stderr') issues.push({ path: 'stream', message: 'stream is "stdout" or "stderr"' })
    if (r.taskId !== null && !Number.isSafeInteger(r.taskId)) issues.push({ path: 'taskId', message: 'taskId is an integer or null' })
    if (r.taskName !== null && typeof r.taskName !== 'string') issues.push({ path: 'taskName', message: 'taskName is a string or null' })
  }
  if (issues.length > 0) throw new InvalidHistoryInputError('log record', issues)
}

export function toRun(r: RunRow): HistoryRun {
  return {
    runId: r.id,
    scenario: r.scenario,
    params: JSON.parse(r.params) as Record<string, unknown>,
    clock: JSON.parse(r.clock) as ClockChoice,
    startedWall: r.started_at,
    endedWall: r.ended_at,
    outcome: r.outcome,
    error: r.error ? (JSON.parse(r.error) as ErrorSnapshot) : null,
    logsOmitted: r.logs_omitted ?? 0,
    logsGapAt: r.logs_gap_at ?? null,
  }
}

export function toTask(r: TaskDbRow): HistoryTask {
  return {
    id: r.task_id,
    name: r.name,
    parentId: r.parent_id,
    state: r.state,
    createdAt: r.created_at,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    cancelSource: r.cancel_source as HistoryTask['cancelSource'],
    cancelReason: r.cancel_reason,
    error:
      r.error_name === null && r.error_message === null
        ? null
        : { name: r.error_name ?? 'Error', message: r.error_message ?? '', stack: r.stack },
  }
}

export function toLog(r: LogDbRow): HistoryLog {
  return { t: r.t, taskId: r.task_id, taskName: r.task_name, stream: r.stream, line: r.line }
}
