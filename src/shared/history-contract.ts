// The history channels' payload schemas and limits: paging `history:get`, exporting a run, and the
// retention policy. One source for each bound: the contract's schemas, the main-side history and
// the window's settings panel all read them from here.
import * as v from 'valibot'
import type { LogLine, SegmentAppend, TaskSnapshot } from './snapshots'

/** Rows per `history:get` page: the default, and the most a caller may ask for. */
export const HISTORY_PAGE = {
  tasks: { default: 200, max: 1000 },
  logs: { default: 500, max: 2000 },
} as const

/**
 * Export formats, written once; the type is derived. `trace` is the Chrome Trace Event format:
 * the run opens in Perfetto (ui.perfetto.dev) and chrome://tracing, one track per task.
 */
export const EXPORT_FORMATS = ['csv', 'json', 'trace'] as const
export type ExportFormat = (typeof EXPORT_FORMATS)[number]

/** Where the browser host streams an export: `GET /export?runId=N&format=csv&token=…`. */
export const EXPORT_PATH = '/export'

const EXTENSIONS: Record<ExportFormat, string> = { csv: 'csv', json: 'json', trace: 'trace.json' }

/** `loopwatch-run-7.csv`: the name a saved export gets by default. */
export function exportFilename(runId: number, format: ExportFormat): string {
  return `loopwatch-run-${runId}.${EXTENSIONS[format]}`
}

export const EXPORT_MIME = {
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
  trace: 'application/json; charset=utf-8',
} as const satisfies Record<ExportFormat, string>

/**
 * The retention policy's fields with their bounds and desktop defaults: runs older than
 * `maxAgeDays`, beyond the newest `maxRuns`, or (oldest first) while the database holds more than
 * `maxMegabytes` are deleted; a live run never is.
 */
export const RETENTION_FIELDS = {
  maxAgeDays: { label: 'Keep runs for (days)', min: 1, max: 3650, default: 30 },
  maxRuns: { label: 'Keep at most (runs)', min: 1, max: 1_000_000, default: 1000 },
  maxMegabytes: { label: 'Keep the database under (MB)', min: 1, max: 1_000_000, default: 500 },
} as const
export type RetentionField = keyof typeof RETENTION_FIELDS
export const RETENTION_FIELD_NAMES = Object.keys(RETENTION_FIELDS) as RetentionField[]

const bounded = (f: RetentionField) =>
  v.pipe(v.number(), v.safeInteger(), v.minValue(RETENTION_FIELDS[f].min), v.maxValue(RETENTION_FIELDS[f].max))

export const retentionPolicySchema = v.strictObject({
  maxAgeDays: bounded('maxAgeDays'),
  maxRuns: bounded('maxRuns'),
  maxMegabytes: bounded('maxMegabytes'),
})
export type RetentionPolicy = v.InferOutput<typeof retentionPolicySchema>

export const RETENTION_DEFAULTS: RetentionPolicy = {
  maxAgeDays: RETENTION_FIELDS.maxAgeDays.default,
  maxRuns: RETENTION_FIELDS.maxRuns.default,
  maxMegabytes: RETENTION_FIELDS.maxMegabytes.default,
}

const runId = v.pipe(v.number(), v.safeInteger(), v.minValue(1))
const offset = v.pipe(v.number(), v.safeInteger(), v.minValue(0))
const limit = (max: number) => v.pipe(v.number(), v.safeInteger(), v.minValue(1), v.maxValue(max))

/** `history:get`: a run with one page of its tasks and one of its log lines. */
export const historyPageSchema = v.strictObject({
  runId,
  taskOffset: v.optional(offset, 0),
  taskLimit: v.optional(limit(HISTORY_PAGE.tasks.max), HISTORY_PAGE.tasks.default),
  logOffset: v.optional(offset, 0),
  logLimit: v.optional(limit(HISTORY_PAGE.logs.max), HISTORY_PAGE.logs.default),
  /** With the run's slow steps (at most SLOW_STEP_LIMITS.perRun): a "Show more" page leaves them out. */
  slowSteps: v.optional(v.boolean(), true),
})
export type HistoryPageRequest = v.InferOutput<typeof historyPageSchema>

/**
 * A run's slow steps as the history keeps them: at most `perRun` a run (past it the shortest are
 * dropped and counted), names and loop labels cut to `nameChars`, await texts to `awaitChars`
 * (the migration's CHECKs say the same).
 */
export const SLOW_STEP_LIMITS = { perRun: 500, nameChars: 200, awaitChars: 300 } as const

export const exportSchema = v.strictObject({ runId, format: v.picklist(EXPORT_FORMATS) })

/**
 * The recorded event stream of a run (record and replay): the monitor's deltas cut to that run,
 * stored compressed in chunks. `maxBytes` is the per-run cap on stored (compressed) bytes: past it
 * recording stops and the stream is marked truncated. A chunk holds the batches of up to
 * `chunkRawBytes` of JSON before it is compressed. A `history:events` page returns at most
 * `pageChunks.max` chunks and stops early once it carries `pageRawBytes` of batches.
 */
export const STREAM_LIMITS = {
  maxBytes: 8 << 20,
  chunkRawBytes: 256 << 10,
  pageChunks: { default: 16, max: 64 },
  pageRawBytes: 4 << 20,
} as const

/**
 * One monitor delta as a run's stream keeps it: `t` is the run's loop clock (ms) when it was cut;
 * `tasks` are upserts (created, changed and ended alike, each the task's latest snapshot then),
 * `segments` the state segments closed since the previous batch, `logs` the lines printed.
 * Empty lists are left out.
 */
export interface StreamBatch {
  t: number
  tasks?: TaskSnapshot[]
  segments?: SegmentAppend[]
  logs?: LogLine[]
}

/** One stored chunk: consecutive batches, numbered from 0 in the run. */
export interface StreamChunk {
  seq: number
  batches: StreamBatch[]
}

/** `history:events`: one page of a run's stream, with what the whole stream holds. */
export interface HistoryEventsPage {
  runId: number
  /** Chunks in the stream (0: nothing was recorded, e.g. a run from before recording existed). */
  chunkTotal: number
  batchTotal: number
  /** Compressed bytes stored for the run. */
  bytes: number
  /** The stream hit its cap and stops there (a replay ends early: say so). */
  truncated: boolean
  chunks: StreamChunk[]
  /** The `from` of the next page; null when this page reaches the end. */
  next: number | null
}

export const historyEventsSchema = v.strictObject({
  runId,
  from: v.optional(offset, 0),
  limit: v.optional(limit(STREAM_LIMITS.pageChunks.max), STREAM_LIMITS.pageChunks.default),
})
/** What a caller sends: `from` and `limit` may be left out. */
export type HistoryEventsRequest = v.InferInput<typeof historyEventsSchema>
