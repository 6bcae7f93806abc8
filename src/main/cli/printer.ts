import type { ClockChoice, RunResult, ScenarioRecord, ScenarioRun } from '../scenarios/types'
import { exitStatus, formatTextRecord, jsonExit, jsonRecord, jsonTaskEvent } from './format'

/** Where the CLI writes: one call per line, without the newline. */
export interface CliIo {
  out(line: string): void
  err(line: string): void
}

/** Prints the end of a run (the exit record or the summary) and returns its exit status. */
export type PrintEnd = (result: RunResult, extra?: { wallMs?: number; historyRunId?: number }) => number

/**
 * Prints a run as the CLI does, from before it starts: text lines (stdout, diagnostics on
 * stderr) or JSON lines (printed lines, task state changes, then the exit record).
 *
 * @example const end = attachPrinter(run, true, io); end(await run.start()) // 0
 */
export function attachPrinter(run: ScenarioRun, json: boolean, io: CliIo): PrintEnd {
  run.onRecord((record) => printRecord(record, json, io))
  if (json) {
    run.loop.addInstrument({
      taskCreated: (task) => io.out(jsonTaskEvent(run.now(), task, task.state)),
      taskStateChanged: (task, _from, to) => io.out(jsonTaskEvent(run.now(), task, to)),
    })
  }
  return (result, extra = {}) => {
    const status = exitStatus(result)
    if (json) io.out(jsonExit(result, status))
    else io.err(summary(result, status, run.clock, extra.wallMs, extra.historyRunId))
    return status
  }
}

function printRecord(record: ScenarioRecord, json: boolean, io: CliIo): void {
  if (json) io.out(jsonRecord(record))
  else if (record.stream === 'stdout') io.out(formatTextRecord(record))
  else io.err(formatTextRecord(record))
}

function summary(result: RunResult, status: number, clock: ClockChoice, wallMs?: number, runId?: number): string {
  const clockText = clock === 'virtual' ? 'virtual clock' : `clock ×${clock.speed}`
  const wall = wallMs === undefined ? '' : `, ${Math.round(wallMs)} ms wall`
  const parts = [`exit ${status} (${result.outcome})`, `${(result.elapsed / 1000).toFixed(3)}s on the ${clockText}${wall}`]
  if (result.error && result.outcome !== 'failed') parts.push(`${result.error.name}: ${result.error.message}`)
  if (result.files.length > 0) parts.push(`wrote ${result.files.join(', ')}`)
  if (runId !== undefined) parts.push(`history run #${runId}`)
  return parts.join(' · ')
}
