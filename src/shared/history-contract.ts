// The history channels' payload schemas and limits: paging `history:get`, exporting a run, and the
// retention policy. One source for each bound: the contract's schemas, the main-side history and
// the window's settings panel all read them from here.
import * as v from 'valibot'

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
})
export type HistoryPageRequest = v.InferOutput<typeof historyPageSchema>

export const exportSchema = v.strictObject({ runId, format: v.picklist(EXPORT_FORMATS) })
