import type { Instrument, Task } from '../runtime'
import type {
  ClockChoice, ErrorSnapshot, HistoryLog, HistoryOutcome, HistoryRun, HistoryRunDetail, HistoryTask,
  RetentionReport, RetentionStatus,
} from '../../shared/snapshots'
import type { HistoryPageRequest, RetentionPolicy } from '../../shared/history-contract'
import type { LogLimits } from './log-cap'
import type { Database } from './sqlite'

// The stored shapes are the shared contract's (src/shared/snapshots.ts): what the history returns
// crosses IPC as is, so it is declared once, there.
export type { ClockChoice, ErrorSnapshot, HistoryLog, HistoryOutcome, HistoryRun, HistoryRunDetail, HistoryTask }
export type { RetentionPolicy, RetentionReport, RetentionStatus, LogLimits }

/** Which page of a run `getRun` returns (offsets from 0; limits as the contract bounds them). */
export type HistoryPage = Partial<Omit<HistoryPageRequest, 'runId'>>

/** A run in a listing, with how much it recorded. */
export interface HistoryRunSummary extends HistoryRun {
  taskCount: number
  logCount: number
}

export interface StartRunInput {
  scenario: string
  params?: Record<string, unknown>
  clock: ClockChoice
}

/** How a run ended. Extra fields (a scenario RunResult's times) are ignored. */
export interface EndRunInput {
  /** `interrupted`: a connected process whose connection dropped without a bye. */
  outcome: 'done' | 'failed' | 'cancelled' | 'interrupted'
  error?: { name: string; message: string; stack?: string | null | undefined } | null | undefined
}

export type { ExportFormat } from '../../shared/history-contract'
import type { ExportFormat } from '../../shared/history-contract'
import type { TaskRow } from './write-buffer'
import type { StreamLimits } from './stream-recorder'
import type { SlowStepLimits } from './slow-step-recorder'
import type { HistoryEventsPage, HistoryEventsRequest } from '../../shared/history-contract'
import type { TaskDelta } from '../../shared/snapshots'

/** Counters of what reached the disk, for tests and the UI's "history is keeping up" hint. */
export interface WriteStats {
  /** Batch transactions committed by flushes (not counting startRun/endRun). */
  transactions: number
  taskRows: number
  logRows: number
}

/** Knobs of the write-behind buffer. */
export interface HistoryOptions {
  /** Real ms a buffered row may wait before a flush (default 200). */
  flushMs?: number
  /** Buffered rows that trigger an early flush (default 1000). */
  maxBatch?: number
  /** Log lines a run keeps (default: the first 1000 and the last 1000). */
  logLimits?: Partial<LogLimits>
  /** The event streams' cap, chunk size and timers (see stream-recorder.ts). */
  stream?: Partial<StreamLimits>
  /** The slow steps' per-run cap and flush timer (see slow-step-recorder.ts). */
  slowSteps?: Partial<SlowStepLimits>
}

/** The slice of the runtime's EventLoop the recorder needs. */
export interface RecordableLoop {
  time(): number
  allTasks(): Set<Task<unknown>>
  addInstrument(i: Instrument): () => void
}

export interface History {
  /** The open SQLite connection (WAL), shared with the job workers' business rows. */
  readonly db: Database
  /** Absolute path of the database file. */
  readonly file: string
  /** Records a new run as `running`; returns its id. Throws InvalidHistoryInputError on bad input. */
  startRun(input: StartRunInput): number
  /** Records every task of `loop` into the run, buffered; returns `remove()`. */
  recorder(loop: RecordableLoop, runId: number): () => void
  /** Buffers one printed line of the run. */
  log(runId: number, record: HistoryLog): void
  /**
   * Buffers one task row of a run recorded from snapshots (a connected process, not a loop of this
   * app); a later call for the same task id replaces it. Bounded: a row is kept in memory only
   * until its task ends.
   */
  recordTask(runId: number, row: Omit<TaskRow, 'runId'>): void
  /** Flushes the run's rows and records its outcome. */
  endRun(runId: number, result: EndRunInput): void
  /** Newest first; `before` pages by run id. */
  listRuns(opts?: { limit?: number; before?: number }): HistoryRunSummary[]
  /** The run with one page of its tasks and of its stored log lines (default: the first of each). */
  getRun(runId: number, page?: HistoryPage): HistoryRunDetail | null
  /** The export as text pieces read page by page (see export.ts). */
  exportPieces(runId: number, format: ExportFormat): AsyncGenerator<string>
  /** The export as one string, for small runs: past `maxBytes` (16 MiB) it fails with `export-too-large`. */
  exportRun(runId: number, format: ExportFormat, maxBytes?: number): Promise<string>
  /** Streams the export into `path` (via `path.part`, renamed when complete); resolves to its bytes. */
  exportRunToFile(runId: number, format: ExportFormat, path: string): Promise<number>
  /** The retention policy in force and what the database holds. */
  retention(): RetentionStatus
  /** Saves a policy (InvalidHistoryInputError outside its bounds, nothing saved) and applies it. */
  setRetention(policy: RetentionPolicy): RetentionStatus
  /** Deletes what the policy (the saved one by default) no longer keeps, and shrinks the file. */
  applyRetention(policy?: RetentionPolicy): RetentionReport
  /**
   * Keeps one monitor delta in the event streams of the runs it touches (runs this history started
   * and has not closed the stream of); others' tasks are ignored. Never throws into the emitter.
   */
  recordDelta(delta: Omit<TaskDelta, 'seq'>): void
  /** One page of a run's recorded event stream (RunNotFoundError for an unknown run). */
  events(request: HistoryEventsRequest): HistoryEventsPage
  flush(): void
  stats(): WriteStats
  close(): void
}
