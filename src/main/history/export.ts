import { createWriteStream } from 'node:fs'
import { rename, rm, stat } from 'node:fs/promises'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { stringify } from 'csv-stringify/sync'
import { HISTORY_PAGE } from '../../shared/history-contract'
import type { ExportFormat, HistoryPageRequest } from '../../shared/history-contract'
import { HistoryError } from './errors'
import { TRACE_TAIL, logEvent, slowStepEvent, stateEvents, taskEvents, traceHead } from './trace-export'
import type { HistoryEventsPage } from '../../shared/history-contract'
import type { HistoryLog, HistoryRunDetail, HistoryTask } from './types'

/**
 * Columns of the CSV export: one row per task, then one per log line, told apart by `record`.
 * Times are seconds on the run's loop clock with six decimals (`_s`), as a spreadsheet reads them.
 */
export const CSV_COLUMNS = [
  'record', 'run_id', 't_s', 'task_id', 'task_name', 'parent_id', 'created_s', 'started_s',
  'ended_s', 'state', 'cancel_source', 'cancel_reason', 'error_name', 'error_message', 'stack',
  'stream', 'line',
] as const

/**
 * The JSON export's format tag; version 2 added `run.logsOmitted` / `run.logsGapAt` and the totals,
 * version 3 the run's `slowSteps` (after `logs`) and `slowStepsOmitted`.
 */
export const JSON_FORMAT = { format: 'loopwatch-run', version: 3 } as const

/** One page of a run (the history itself, or `history:get` through the contract). */
export type PageSource = (page: HistoryPageRequest) => HistoryRunDetail | Promise<HistoryRunDetail>

type PageSlice = Pick<HistoryPageRequest, 'taskOffset' | 'taskLimit' | 'logOffset' | 'logLimit'> & { slowSteps?: boolean }

/**
 * A run's export as a sequence of text pieces, each built from one page of rows, so memory stays at
 * one page however long the run: CSV is a header, the run's tasks (`record` = `task`, creation
 * order), then its log lines (`record` = `log`, print order); JSON is one document
 * `{ format, version, run, taskTotal, logTotal, tasks: […], logs: […] }`, one row a line. Quoting
 * and embedded newlines (stacks) are csv-stringify's job.
 *
 * @example await pipeline(Readable.from(exportPieces(source, runId, 'csv')), createWriteStream(path))
 */
/** Pages of a run's recorded event stream, from chunk `from` (the trace's state slices come from it). */
export type EventSource = (from: number) => HistoryEventsPage | Promise<HistoryEventsPage>

export async function* exportPieces(source: PageSource, runId: number, format: ExportFormat, events?: EventSource): AsyncGenerator<string> {
  // Only the first page brings the run's slow steps (bounded: SLOW_STEP_LIMITS.perRun).
  const page = async (slice: PageSlice): Promise<HistoryRunDetail> => source({ runId, slowSteps: false, ...slice })
  const first = await page({ taskOffset: 0, taskLimit: HISTORY_PAGE.tasks.max, logOffset: 0, logLimit: HISTORY_PAGE.logs.max, slowSteps: true })
  const out = WRITERS[format]
  yield out.head(first)
  let n = 0
  for await (const tasks of pages(first.tasks, first.taskTotal, (offset) =>
    page({ taskOffset: offset, taskLimit: HISTORY_PAGE.tasks.max, logOffset: 0, logLimit: 1 }).then((p) => p.tasks))) {
    yield out.tasks(runId, tasks, n === 0)
    n += tasks.length
  }
  yield out.between
  n = 0
  for await (const logs of pages(first.logs, first.logTotal, (offset) =>
    page({ taskOffset: 0, taskLimit: 1, logOffset: offset, logLimit: HISTORY_PAGE.logs.max }).then((p) => p.logs))) {
    yield out.logs(runId, logs, n === 0)
    n += logs.length
  }
  // The trace's slow steps sit on the stream's loop clock, moved as its state slices are.
  const axis = format === 'trace' && events ? yield* traceStates(runId, first.tasks[0] ?? null, events) : { offset: 0, tidOf: sameId }
  yield out.slow(runId, first, axis)
  yield out.tail
}

/** How each format writes its opening, a page of tasks, what comes between, a page of lines, its end. */
interface Writer {
  head(first: HistoryRunDetail): string
  tasks(runId: number, rows: HistoryTask[], first: boolean): string
  between: string
  logs(runId: number, rows: HistoryLog[], first: boolean): string
  /** The run's slow steps (`axis`: the trace's loop-clock offset and tracks, see traceStates). */
  slow(runId: number, first: HistoryRunDetail, axis: TraceAxis): string
  tail: string
}

const WRITERS: Record<ExportFormat, Writer> = {
  csv: {
    head: () => stringify([[...CSV_COLUMNS]]),
    tasks: (runId, rows) => stringify(rows.map((t) => taskRecord(runId, t)), { columns: [...CSV_COLUMNS] }),
    between: '',
    logs: (runId, rows) => stringify(rows.map((l) => logRecord(runId, l)), { columns: [...CSV_COLUMNS] }),
    slow: () => '',
    tail: '',
  },
  json: {
    head: (first) => `${JSON.stringify({ ...JSON_FORMAT, run: first.run, taskTotal: first.taskTotal, logTotal: first.logTotal }).slice(0, -1)},\n"tasks":[`,
    tasks: (_runId, rows, first) => jsonRows(rows, first),
    between: '\n],\n"logs":[',
    logs: (_runId, rows, first) => jsonRows(rows, first),
    slow: (_runId, first) => `\n],\n"slowStepsOmitted":${first.slowStepsOmitted},\n"slowSteps":[${first.slowSteps.length > 0 ? jsonRows(first.slowSteps, true) : ''}`,
    tail: '\n]}\n',
  },
  trace: {
    head: (first) => traceHead(first.run, first.taskTotal, first.logTotal),
    // The head wrote the first events, so every row here follows a comma.
    tasks: (runId, rows) => rows.flatMap((t) => taskEvents(runId, t).map((e) => `,\n${e}`)).join(''),
    between: '',
    logs: (runId, rows) => rows.map((l) => `,\n${logEvent(runId, l)}`).join(''),
    // Slow steps are kept under the rows' ids; tidOf still moves those of runs recorded before
    // (under the window's ids) onto their task's track.
    slow: (runId, first, axis) => first.slowSteps.map((s) => `,\n${slowStepEvent(runId, { ...s, taskId: axis.tidOf(s.taskId) }, axis.offset)}`).join(''),
    tail: TRACE_TAIL,
  },
}

/**
 * The trace's state slices, a stream page at a time. The stream is on the loop clock, the task rows
 * on the recorder's (ms since it was attached): the first task's creation ties the two.
 */
async function* traceStates(runId: number, firstTask: HistoryTask | null, events: EventSource): AsyncGenerator<string, TraceAxis> {
  let offset: number | null = null
  // A connected process's task rows keep its own ids (localId); the stream names tasks by the window's.
  const local = new Map<number, number>()
  const tidOf = (id: number): number => local.get(id) ?? id
  for (let from: number | null = 0; from !== null; ) {
    const page: HistoryEventsPage = await events(from)
    const batches = page.chunks.flatMap((c) => c.batches)
    for (const b of batches) for (const t of b.tasks ?? []) if (t.localId !== undefined && t.localId !== null) local.set(t.id, t.localId)
    if (offset === null) {
      const seen = firstTask && batches.flatMap((b) => b.tasks ?? []).find((t) => tidOf(t.id) === firstTask.id)
      offset = seen && firstTask.createdAt !== null ? seen.createdAt.loop - firstTask.createdAt : 0
    }
    const lines = stateEvents(runId, batches, offset, tidOf)
    if (lines.length > 0) yield lines.map((e) => `,\n${e}`).join('')
    from = page.next
  }
  return { offset: offset ?? 0, tidOf }
}

/** How the stream's times and task ids map onto the trace's (the task rows'). */
interface TraceAxis {
  offset: number
  tidOf: (id: number) => number
}
const sameId = (id: number): number => id

/** The first page, then the next ones until `total` rows or an empty page (rows deleted meanwhile). */
async function* pages<T>(first: T[], total: number, next: (offset: number) => Promise<T[]>): AsyncGenerator<T[]> {
  let rows = first
  let offset = 0
  while (rows.length > 0) {
    yield rows
    offset += rows.length
    if (offset >= total) return
    rows = await next(offset)
  }
}

function jsonRows(rows: unknown[], first: boolean): string {
  return (first ? '\n' : ',\n') + rows.map((r) => JSON.stringify(r)).join(',\n')
}

/** Loop-clock ms as seconds with six decimals (µs), the CSV's one unit for times; empty when unknown. */
const seconds = (ms: number | null): string | null => (ms === null ? null : (ms / 1000).toFixed(6))

function taskRecord(runId: number, t: HistoryTask): Record<string, unknown> {
  return {
    record: 'task', run_id: runId, t_s: seconds(t.createdAt), task_id: t.id, task_name: t.name,
    parent_id: t.parentId, created_s: seconds(t.createdAt), started_s: seconds(t.startedAt), ended_s: seconds(t.endedAt),
    state: t.state, cancel_source: t.cancelSource, cancel_reason: t.cancelReason,
    error_name: t.error?.name, error_message: t.error?.message, stack: t.error?.stack,
  }
}

function logRecord(runId: number, l: HistoryLog): Record<string, unknown> {
  return { record: 'log', run_id: runId, t_s: seconds(l.t), task_id: l.taskId, task_name: l.taskName, stream: l.stream, line: l.line }
}

/**
 * The whole export as one string, for small runs only: past `maxBytes` it stops reading and throws
 * `export-too-large` (a long run goes to a file or a streamed download instead).
 */
export async function exportToString(pieces: AsyncIterable<string>, maxBytes: number): Promise<string> {
  const parts: string[] = []
  let bytes = 0
  for await (const piece of pieces) {
    bytes += Buffer.byteLength(piece)
    if (bytes > maxBytes) {
      throw new HistoryError('export-too-large', `the export is larger than ${maxBytes} bytes: save it to a file instead`)
    }
    parts.push(piece)
  }
  return parts.join('')
}

/**
 * Streams the export into `path` through a write stream (backpressure: a page is read only when the
 * file has taken the last one). Written to `path.part` and renamed, so `path` is never half a file.
 * Returns the bytes written.
 */
export async function exportToFile(pieces: AsyncIterable<string>, path: string): Promise<number> {
  const part = `${path}.part`
  try {
    await pipeline(Readable.from(pieces), createWriteStream(part))
    await rename(part, path)
  } catch (error) {
    await rm(part, { force: true })
    throw error
  }
  return (await stat(path)).size
}
