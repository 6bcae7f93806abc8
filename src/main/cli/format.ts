import type { TaskState } from '../runtime/index'
import type { RunResult, ScenarioRecord } from '../scenarios/types'

/** `  0.500s  [request-3]  wrote id=3` — seconds on the run's clock, the printing task, the line. */
export function formatTextRecord(record: ScenarioRecord): string {
  const seconds = `${(record.t / 1000).toFixed(3)}s`.padStart(8)
  // Python calls code outside any function "<module>"; here, code outside any task.
  return `${seconds}  [${record.taskName ?? '<module>'}]  ${record.line}`
}

/**
 * One JSON line for a printed record, in the oracle's trace format: `{"t","line"}` for what the
 * program printed or its traceback's last line (with `"stream":"stderr"`), `{"t","stderr"}`
 * for a warning. The task that printed rides along (`task`, `taskId`).
 */
export function jsonRecord(record: ScenarioRecord): string {
  const task = { task: record.taskName, taskId: record.taskId }
  if (record.kind === 'warning') return JSON.stringify({ t: record.t, stderr: record.line, ...task })
  if (record.kind === 'traceback') return JSON.stringify({ t: record.t, line: record.line, stream: 'stderr', ...task })
  return JSON.stringify({ t: record.t, line: record.line, ...task })
}

/** A task state change: `{"t","event":"task","id","name","state"}` (ignored by compare.py). */
export function jsonTaskEvent(t: number, task: { id: number; name: string }, state: TaskState): string {
  return JSON.stringify({ t, event: 'task', id: task.id, name: task.name, state })
}

/** The last record: the exit status the program ends with (as Python's would), and why. */
export function jsonExit(result: RunResult, status: number): string {
  const record: Record<string, unknown> = { t: result.elapsed, exit: status, outcome: result.outcome }
  if (result.error) record.error = `${result.error.name}: ${result.error.message}`
  if (result.files.length > 0) record.files = result.files
  return JSON.stringify(record)
}

/** Exit status: 0 done, 1 failed (an uncaught error, as Python), 130 cancelled (Ctrl-C). */
export function exitStatus(result: RunResult): number {
  return result.outcome === 'done' ? 0 : result.outcome === 'failed' ? 1 : 130
}
