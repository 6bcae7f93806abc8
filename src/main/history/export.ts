import { createWriteStream } from 'node:fs'
import { rename, rm, stat } from 'node:fs/promises'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { stringify } from 'csv-stringify/sync'
import { HISTORY_PAGE } from '../../shared/history-contract'
import type { ExportFormat, HistoryPageRequest } from '../../shared/history-contract'
import { HistoryError } from './errors'
import type { HistoryLog, HistoryRunDetail, HistoryTask } from './types'

/** Columns of the CSV export: one row per task, then one per log line, told apart by `record`. */
export const CSV_COLUMNS = [
  'record', 'run_id', 't', 'task_id', 'task_name', 'parent_id', 'created_at', 'started_at',
  'ended_at', 'state', 'cancel_source', 'cancel_reason', 'error_name', 'error_message', 'stack',
  'stream', 'line',
] as const

/** The JSON export's format tag; version 2 added `run.logsOmitted` / `run.logsGapAt` and the totals. */
export const JSON_FORMAT = { format: 'loopwatch-run', version: 2 } as const

/** One page of a run (the history itself, or `history:get` through the contract). */
export type PageSource = (page: HistoryPageRequest) => HistoryRunDetail | Promise<HistoryRunDetail>

type PageSlice = Pick<HistoryPageRequest, 'taskOffset' | 'taskLimit' | 'logOffset' | 'logLimit'>

/**
 * A run's export as a sequence of text pieces, each built from one page of rows, so memory stays at
 * one page however long the run: CSV is a header, the run's tasks (`record` = `task`, creation
 * order), then its log lines (`record` = `log`, print order); JSON is one document
 * `{ format, version, run, taskTotal, logTotal, tasks: […], logs: […] }`, one row a line. Quoting
 * and embedded newlines (stacks) are csv-stringify's job.
 *
 * @example await pipeline(Readable.from(exportPieces(source, runId, 'csv')), createWriteStream(path))
 */
export async function* exportPieces(source: PageSource, runId: number, format: ExportFormat): AsyncGenerator<string> {
  const page = async (slice: PageSlice): Promise<HistoryRunDetail> => source({ runId, ...slice })
  const first = await page({ taskOffset: 0, taskLimit: HISTORY_PAGE.tasks.max, logOffset: 0, logLimit: HISTORY_PAGE.logs.max })
  const csv = format === 'csv'
  if (csv) yield stringify([[...CSV_COLUMNS]])
  else {
    const head = { ...JSON_FORMAT, run: first.run, taskTotal: first.taskTotal, logTotal: first.logTotal }
    yield `${JSON.stringify(head).slice(0, -1)},\n"tasks":[`
  }
  let n = 0
  for await (const tasks of pages(first.tasks, first.taskTotal, (offset) =>
    page({ taskOffset: offset, taskLimit: HISTORY_PAGE.tasks.max, logOffset: 0, logLimit: 1 }).then((p) => p.tasks))) {
    if (csv) yield stringify(tasks.map((t) => taskRecord(runId, t)), { columns: [...CSV_COLUMNS] })
    else yield jsonRows(tasks, n === 0)
    n += tasks.length
  }
  if (!csv) yield '\n],\n"logs":['
  n = 0
  for await (const logs of pages(first.logs, first.logTotal, (offset) =>
    page({ taskOffset: 0, taskLimit: 1, logOffset: offset, logLimit: HISTORY_PAGE.logs.max }).then((p) => p.logs))) {
    if (csv) yield stringify(logs.map((l) => logRecord(runId, l)), { columns: [...CSV_COLUMNS] })
    else yield jsonRows(logs, n === 0)
    n += logs.length
  }
  if (!csv) yield '\n]}\n'
}

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

function taskRecord(runId: number, t: HistoryTask): Record<string, unknown> {
  return {
    record: 'task', run_id: runId, t: t.createdAt, task_id: t.id, task_name: t.name,
    parent_id: t.parentId, created_at: t.createdAt, started_at: t.startedAt, ended_at: t.endedAt,
    state: t.state, cancel_source: t.cancelSource, cancel_reason: t.cancelReason,
    error_name: t.error?.name, error_message: t.error?.message, stack: t.error?.stack,
  }
}

function logRecord(runId: number, l: HistoryLog): Record<string, unknown> {
  return { record: 'log', run_id: runId, t: l.t, task_id: l.taskId, task_name: l.taskName, stream: l.stream, line: l.line }
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
