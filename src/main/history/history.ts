import { mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { HistoryError, RunNotFoundError } from './errors'
import { liveRuns, markInterrupted, markInterruptedRuns } from './crash-marking'
import { exportPieces, exportToFile, exportToString } from './export'
import { LOG_LIMITS, boundLine } from './log-cap'
import { migrate } from './migrations'
import { recordTasks } from './recorder'
import { applyRetention, ensureIncrementalVacuum, fileBytes, readPolicy, usedBytes, writePolicy } from './retention'
import { openDatabase } from './sqlite'
import type { Database } from './sqlite'
import { checkLog, toLog, toRun, toTask } from './rows'
import type { LogDbRow, RunRow, TaskDbRow } from './rows'
import type {
  EndRunInput, ErrorSnapshot, ExportFormat, History, HistoryLog, HistoryOptions, HistoryPage, HistoryRunDetail,
  HistoryRunSummary, RecordableLoop, RetentionPolicy, RetentionReport, RetentionStatus, StartRunInput,
} from './types'
import { endRunSchema, listRunsSchema, pageSchema, parse, policySchema, runId as checkRunId, startRunSchema } from './validate'
import { EXPORT_FORMATS, RETENTION_DEFAULTS } from '../../shared/history-contract'
import { WriteBuffer } from './write-buffer'
import { STREAM_DEFAULTS, StreamRecorder } from './stream-recorder'
import { readEvents } from './stream-read'
import { SLOW_STEP_DEFAULTS, SlowStepRecorder } from './slow-step-recorder'
import { historyEventsSchema } from '../../shared/history-contract'
import type { HistoryEventsPage, HistoryEventsRequest } from '../../shared/history-contract'
import type { TaskDelta } from '../../shared/snapshots'
import type { TaskRow } from './write-buffer'

/** File name of the history database inside the data folder. */
export const DB_FILE = 'loopwatch.db'

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
  let db: Database | null = null
  let interruptedAtOpen: number[]
  try {
    db = openDatabase(file)
    migrate(db)
    ensureIncrementalVacuum(db)
    interruptedAtOpen = markInterruptedRuns(db, file)
  } catch (error) {
    db?.close()
    if (error instanceof HistoryError) throw error
    throw new HistoryError('unreadable', `cannot open the history database ${file}: ${(error as Error).message}`)
  }

  let live = liveRuns.get(file)
  if (!live) liveRuns.set(file, (live = new Set()))
  // The runs this instance started and has not ended.
  const mine = new Set<number>()
  // Runs known to exist, so log() looks each up once.
  const known = new Set<number>()
  let closed = false

  const buffer = new WriteBuffer(db, options.flushMs ?? 200, options.maxBatch ?? 1000, (error) => {
    console.error('loopwatch history: a background flush failed; rows are kept and retried:', error)
  }, { ...LOG_LIMITS, ...options.logLimits })
  let lastApplied: RetentionReport | null = null
  const streams = new StreamRecorder(db, { ...STREAM_DEFAULTS, ...options.stream }, (error) => {
    console.error('loopwatch history: writing a run\'s event stream failed:', error)
  })
  // Slow steps are kept for the runs whose streams are open: one answer to "is this run recorded".
  const slow = new SlowStepRecorder(db, (id) => streams.isRecording(id), { ...SLOW_STEP_DEFAULTS, ...options.slowSteps }, (error) => {
    console.error('loopwatch history: writing a run\'s slow steps failed:', error)
  })

  const insertRun = db.prepare(
    "INSERT INTO runs (scenario, params, clock, started_at, outcome, pid) VALUES (?, ?, ?, ?, 'running', ?)",
  )
  const selectRun = db.prepare('SELECT * FROM runs WHERE id = ?')
  const markUnfinished = db.prepare("UPDATE tasks SET state = 'interrupted' WHERE run_id = ? AND ended_at IS NULL")
  // Task rows of runs recorded from snapshots (connected processes), until each task ends.
  const snapshotRows = new Map<number, Map<number, TaskRow>>()
  const finishRun = db.prepare('UPDATE runs SET outcome = ?, ended_at = ?, error = ? WHERE id = ?')
  // Task ids grow in creation order, so the primary key is creation order (and pages by index).
  const selectTasks = db.prepare('SELECT * FROM tasks WHERE run_id = ? ORDER BY task_id LIMIT ? OFFSET ?')
  const countTasks = db.prepare('SELECT count(*) AS n FROM tasks WHERE run_id = ?')
  const selectLogs = db.prepare(
    'SELECT t, line, task_id, task_name, stream FROM logs WHERE run_id = ? ORDER BY id LIMIT ? OFFSET ?',
  )
  const countLogs = db.prepare('SELECT count(*) AS n FROM logs WHERE run_id = ?')
  const count = (s: typeof countLogs, id: number) => (s.all(id)[0] as { n: number }).n
  const countRuns = db.prepare('SELECT count(*) AS n FROM runs')
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
      streams.open(id)
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
      buffer.addLog(id, boundLine(record))
    },

    recordTask(runId: number, input: Omit<TaskRow, 'runId'>): void {
      open()
      const id = checkRunId(runId)
      if (!known.has(id)) {
        if (!findRun(id)) throw new RunNotFoundError(id)
        known.add(id)
      }
      let rows = snapshotRows.get(id)
      if (!rows) snapshotRows.set(id, (rows = new Map()))
      const row = rows.get(input.taskId)
      // The buffer writes dirty row objects: one object per task, updated in place.
      if (row) Object.assign(row, input)
      const marked = row ?? { runId: id, ...input }
      if (!row) rows.set(input.taskId, marked)
      buffer.markTask(marked)
      if (input.endedAt !== null) rows.delete(input.taskId)
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
      buffer.forgetRun(id)
      snapshotRows.delete(id)
      if (outcome === 'interrupted') markUnfinished.run(id)
      const stored: ErrorSnapshot | null = error ? { name: error.name, message: error.message, stack: error.stack ?? null } : null
      finishRun.run(outcome, Date.now(), stored ? JSON.stringify(stored) : null, id)
      streams.close(id)
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

    getRun(runId: number, page?: HistoryPage): HistoryRunDetail | null {
      open()
      const id = checkRunId(runId)
      const { taskOffset, taskLimit, logOffset, logLimit, slowSteps: withSlow } = parse(pageSchema, { runId: id, ...page }, 'page')
      buffer.flush()
      const row = findRun(id)
      if (!row) return null
      const kept = withSlow ? slow.read(id) : { steps: [], omitted: row.slow_steps_omitted ?? 0 }
      return {
        run: toRun(row),
        tasks: (selectTasks.all(id, taskLimit, taskOffset) as TaskDbRow[]).map(toTask),
        taskOffset,
        taskTotal: count(countTasks, id),
        logs: (selectLogs.all(id, logLimit, logOffset) as LogDbRow[]).map(toLog),
        logOffset,
        logTotal: count(countLogs, id),
        slowSteps: kept.steps,
        slowStepsOmitted: kept.omitted,
      }
    },

    exportPieces(runId: number, format: ExportFormat): AsyncGenerator<string> {
      open()
      const id = checkRunId(runId)
      if (!(EXPORT_FORMATS as readonly string[]).includes(format)) {
        throw new HistoryError('invalid-export-format', `export format is one of ${EXPORT_FORMATS.join(', ')}; got ${JSON.stringify(String(format).slice(0, 40))}`)
      }
      if (!findRun(id)) throw new RunNotFoundError(id)
      return exportPieces((p) => {
        const detail = history.getRun(id, p)
        // Deleted while being exported (retention): end with a clear error, not a silent half file.
        if (!detail) throw new RunNotFoundError(id)
        return detail
      }, id, format, (from) => history.events({ runId: id, from }))
    },

    exportRun(runId: number, format: ExportFormat, maxBytes = 16 << 20): Promise<string> {
      return exportToString(history.exportPieces(runId, format), maxBytes)
    },

    exportRunToFile(runId: number, format: ExportFormat, path: string): Promise<number> {
      return exportToFile(history.exportPieces(runId, format), path)
    },

    retention(): RetentionStatus {
      open()
      return {
        policy: readPolicy(db),
        defaults: { ...RETENTION_DEFAULTS },
        runCount: (countRuns.all()[0] as { n: number }).n,
        usedBytes: usedBytes(db),
        fileBytes: fileBytes(file),
        lastApplied,
      }
    },

    setRetention(policy: RetentionPolicy): RetentionStatus {
      open()
      writePolicy(db, parse(policySchema, policy, 'retention policy'))
      history.applyRetention()
      return history.retention()
    },

    applyRetention(policy?: RetentionPolicy): RetentionReport {
      open()
      buffer.flush()
      streams.flush()
      slow.flush()
      lastApplied = applyRetention(db, file, policy ? parse(policySchema, policy, 'retention policy') : readPolicy(db))
      return lastApplied
    },

    flush(): void {
      open()
      buffer.flush()
      streams.flush()
      slow.flush()
    },

    recordDelta(delta: Omit<TaskDelta, 'seq'>): void {
      if (closed) return
      try {
        streams.add(delta)
        if (delta.slowSteps) slow.add(delta.slowSteps)
      } catch (error) {
        // The window's delta must go out whatever the disk says; the stream's rows are lost.
        console.error('loopwatch history: recording an event batch failed:', error)
      }
    },

    events(request: HistoryEventsRequest): HistoryEventsPage {
      open()
      const { runId: id, from, limit } = parse(historyEventsSchema, request, 'events page')
      if (!findRun(id)) throw new RunNotFoundError(id)
      streams.flush()
      return readEvents(db, id, from, limit)
    },

    stats: () => buffer.stats(),

    close(): void {
      if (closed) return
      buffer.flush()
      buffer.dispose()
      streams.dispose()
      slow.dispose()
      if (mine.size > 0) markInterrupted(db, [...mine], 'the history was closed while the run was still running')
      for (const id of mine) live.delete(id)
      closed = true
      db.close()
    },
  }
  return history
}
