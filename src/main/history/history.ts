import { mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { HistoryError, InvalidHistoryInputError, RunNotFoundError } from './errors'
import { liveRuns, markInterrupted, markInterruptedRuns } from './crash-marking'
import { runToCsv, runToJson } from './export'
import { migrate } from './migrations'
import { recordTasks } from './recorder'
import { openDatabase } from './sqlite'
import type {
  ClockChoice, EndRunInput, ErrorSnapshot, ExportFormat, History, HistoryLog, HistoryOptions,
  HistoryOutcome, HistoryRun, HistoryRunDetail, HistoryRunSummary, HistoryTask, RecordableLoop,
  StartRunInput,
} from './types'
import { endRunSchema, listRunsSchema, parse, runId as checkRunId, startRunSchema } from './validate'
import { WriteBuffer } from './write-buffer'

/** File name of the history database inside the data folder. */
export const DB_FILE = 'loopwatch.db'

interface RunRow {
  id: number
  scenario: string
  params: string
  clock: string
  started_at: number
  ended_at: number | null
  outcome: HistoryOutcome
  error: string | null
  task_count?: number
  log_count?: number
}

interface TaskDbRow {
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

interface LogDbRow {
  t: number
  line: string
  task_id: number | null
  task_name: string | null
  stream: 'stdout' | 'stderr'
}

/** A History plus what opening it found. */
export interface OpenedHistory extends History {
  /** Runs found `running` from a dead process and marked `interrupted` while opening. */
  readonly interruptedAtOpen: number[]
}

/**
 * Opens (creating if needed) `<dataDir>/loopwatch.db`: WAL mode, schema migrated to the newest
 * version, and runs a crash left `running` marked `interrupted`. Task and log rows are buffered and
 * written in batches off the scheduler's hot path; reads (`getRun`, `listRuns`, `exportRun`) flush
 * first, so they always see everything recorded so far.
 *
 * @example
 * const history = openHistory(defaultDataDir())
 * const id = history.startRun({ scenario: 'gather', params: {}, clock: 'virtual' })
 * const remove = history.recorder(run.loop, id)
 * history.endRun(id, await run.start()); remove()
 */
export function openHistory(dataDir: string, options: HistoryOptions = {}): OpenedHistory {
  mkdirSync(dataDir, { recursive: true })
  const file = resolve(join(dataDir, DB_FILE))
  const db = openDatabase(file)
  try {
    migrate(db)
  } catch (error) {
    db.close()
    throw error
  }
  const interruptedAtOpen = markInterruptedRuns(db, file)

  let live = liveRuns.get(file)
  if (!live) liveRuns.set(file, (live = new Set()))
  // The runs this instance started and has not ended.
  const mine = new Set<number>()
  // Runs known to exist, so log() looks each up once.
  const known = new Set<number>()
  let closed = false

  const buffer = new WriteBuffer(db, options.flushMs ?? 200, options.maxBatch ?? 1000, (error) => {
    console.error('loopwatch history: a background flush failed; rows are kept and retried:', error)
  })

  const insertRun = db.prepare(
    "INSERT INTO runs (scenario, params, clock, started_at, outcome, pid) VALUES (?, ?, ?, ?, 'running', ?)",
  )
  const selectRun = db.prepare('SELECT * FROM runs WHERE id = ?')
  const finishRun = db.prepare('UPDATE runs SET outcome = ?, ended_at = ?, error = ? WHERE id = ?')
  const selectTasks = db.prepare('SELECT * FROM tasks WHERE run_id = ? ORDER BY created_at, task_id')
  const selectLogs = db.prepare(
    'SELECT t, line, task_id, task_name, stream FROM logs WHERE run_id = ? ORDER BY id',
  )
  const listSql = `SELECT r.*,
      (SELECT count(*) FROM tasks WHERE run_id = r.id) AS task_count,
      (SELECT count(*) FROM logs WHERE run_id = r.id) AS log_count
    FROM runs r WHERE r.id < ? ORDER BY r.id DESC LIMIT ?`
  const selectRuns = db.prepare(listSql)

  const open = (): void => {
    if (closed) throw new HistoryError('closed', 'the history is closed')
  }
  const findRun = (id: number): RunRow | undefined =>
    (selectRun.all(id) as RunRow[])[0]

  const history: OpenedHistory = {
    db,
    file,
    interruptedAtOpen,

    startRun(input: StartRunInput): number {
      open()
      const { scenario, params, clock } = parse(startRunSchema, input, 'run')
      const id = Number(
        insertRun.run(scenario, JSON.stringify(params), JSON.stringify(clock), Date.now(), process.pid)
          .lastInsertRowid,
      )
      mine.add(id)
      known.add(id)
      live.add(id)
      return id
    },

    recorder(loop: RecordableLoop, runId: number): () => void {
      open()
      const id = checkRunId(runId)
      if (!findRun(id)) throw new RunNotFoundError(id)
      return recordTasks(loop, id, buffer)
    },

    log(runId: number, record: HistoryLog): void {
      open()
      const id = checkRunId(runId)
      // Checked here, not at flush: one bad row would otherwise fail its whole batch, every retry.
      if (!known.has(id)) {
        if (!findRun(id)) throw new RunNotFoundError(id)
        known.add(id)
      }
      checkLog(record)
      buffer.addLog(id, record)
    },

    endRun(runId: number, result: EndRunInput): void {
      open()
      const id = checkRunId(runId)
      const { outcome, error } = parse(endRunSchema, result, 'run result')
      const row = findRun(id)
      if (!row) throw new RunNotFoundError(id)
      if (row.outcome !== 'running') {
        throw new HistoryError('run-already-ended', `run ${id} already ended (${row.outcome})`)
      }
      buffer.flush()
      const stored: ErrorSnapshot | null = error ? { name: error.name, message: error.message, stack: error.stack ?? null } : null
      finishRun.run(outcome, Date.now(), stored ? JSON.stringify(stored) : null, id)
      mine.delete(id)
      live.delete(id)
    },

    listRuns(opts?: { limit?: number; before?: number }): HistoryRunSummary[] {
      open()
      const { limit, before } = parse(listRunsSchema, opts, 'run listing')
      buffer.flush()
      return (selectRuns.all(before ?? Number.MAX_SAFE_INTEGER, limit) as RunRow[]).map((r) => ({
        ...toRun(r),
        taskCount: r.task_count ?? 0,
        logCount: r.log_count ?? 0,
      }))
    },

    getRun(runId: number): HistoryRunDetail | null {
      open()
      const id = checkRunId(runId)
      buffer.flush()
      const row = findRun(id)
      if (!row) return null
      return {
        run: toRun(row),
        tasks: (selectTasks.all(id) as TaskDbRow[]).map(toTask),
        logs: (selectLogs.all(id) as LogDbRow[]).map(toLog),
      }
    },

    exportRun(runId: number, format: ExportFormat): string {
      open()
      const id = checkRunId(runId)
      if (format !== 'csv' && format !== 'json') {
        throw new HistoryError('invalid-export-format', `export format is "csv" or "json", got ${JSON.stringify(format)}`)
      }
      const detail = history.getRun(id)
      if (!detail) throw new RunNotFoundError(id)
      return format === 'csv' ? runToCsv(detail) : runToJson(detail)
    },

    flush(): void {
      open()
      buffer.flush()
    },

    stats: () => buffer.stats(),

    close(): void {
      if (closed) return
      buffer.flush()
      buffer.dispose()
      if (mine.size > 0) markInterrupted(db, [...mine], 'the history was closed while the run was still running')
      for (const id of mine) live.delete(id)
      closed = true
      db.close()
    },
  }
  return history
}

function checkLog(r: HistoryLog): void {
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

function toRun(r: RunRow): HistoryRun {
  return {
    runId: r.id,
    scenario: r.scenario,
    params: JSON.parse(r.params) as Record<string, unknown>,
    clock: JSON.parse(r.clock) as ClockChoice,
    startedWall: r.started_at,
    endedWall: r.ended_at,
    outcome: r.outcome,
    error: r.error ? (JSON.parse(r.error) as ErrorSnapshot) : null,
  }
}

function toTask(r: TaskDbRow): HistoryTask {
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

function toLog(r: LogDbRow): HistoryLog {
  return { t: r.t, taskId: r.task_id, taskName: r.task_name, stream: r.stream, line: r.line }
}
