import type * as v from 'valibot'
import type { EventLoop, Instrument, ShutdownReport } from '../runtime/index'

/** Where a record went: what the program printed, or a diagnostic on stderr. */
export type RecordStream = 'stdout' | 'stderr'

/**
 * What produced a record: the program's `print`, a warning CPython would write to stderr
 * (e.g. "RuntimeWarning: coroutine 'action' was never awaited"), or the last line of the
 * traceback of an uncaught error (the run's `failed` outcome).
 */
export type RecordKind = 'print' | 'warning' | 'traceback'

/** One printed line, attributed to the task that printed it (null outside any task). */
export interface ScenarioRecord {
  /** Loop milliseconds since the run began. */
  t: number
  line: string
  taskId: number | null
  taskName: string | null
  stream: RecordStream
  kind: RecordKind
}

/** What a scenario program may use besides the runtime's public API. */
export interface ScenarioContext<P> {
  readonly params: P
  /** The run's loop (the course's `asyncio.get_event_loop()`). */
  readonly loop: EventLoop
  /** The folder this run may write files into (it exists). */
  readonly outDir: string
  /** Python's `print`: one line, recorded for the current task. */
  print(line: string): void
  /** A diagnostic CPython would write to stderr (warnings, never-retrieved exceptions). */
  warn(message: string): void
  /** The port's `time.time()`: seconds on the loop's clock since the run began. */
  time(): number
  /** `asyncio.run(main())` on this run's loop: runs main as a task, then cancels what is left. */
  run<T>(main: () => Promise<T>): Promise<T>
  /** Records a file the run wrote, so callers can show it. */
  wroteFile(path: string): void
}

/**
 * One program of the course, ready to run and to show.
 * `run` is a method (not a property) so definitions with specific params stay assignable to
 * `ScenarioDefinition` for the catalogue.
 */
export interface ScenarioDefinition<P = Record<string, unknown>> {
  id: string
  title: string
  /** The course section (Russian, as in the tutorial). */
  section: string
  /** What the program shows, including the course's own bugs and how the port treats them. */
  description: string
  /** The course's Python program, verbatim from the tutorial. */
  courseSource: string
  /** What the course says the program prints (or writes), verbatim; null where it shows nothing. */
  courseOutput: string | null
  /** Our TypeScript port's program text. */
  portSource: string
  params: v.GenericSchema<unknown, P>
  defaults: P
  run(ctx: ScenarioContext<P>): Promise<void>
}

/** How a run ended. A scenario's uncaught error is `failed`, never a crash of the host. */
export interface RunResult {
  outcome: 'done' | 'failed' | 'cancelled'
  error?: { name: string; message: string; stack?: string }
  /** Wall-clock epoch ms. */
  startedAt: number
  endedAt: number
  /** Loop milliseconds from start to end (virtual ms on the virtual clock). */
  elapsed: number
  /** Files the run wrote. */
  files: string[]
}

export type ClockChoice = 'virtual' | { speed: number }

export interface ScenarioRunOptions {
  clock: ClockChoice
  /** Folder for files the scenario writes; created if missing. */
  outDir: string
  instruments?: Instrument[]
}

/** One run of one scenario; the loop exists before `start` so callers can observe and steer it. */
export interface ScenarioRun {
  readonly scenario: ScenarioDefinition
  /** The validated params, defaults filled in. */
  readonly params: Record<string, unknown>
  readonly clock: ClockChoice
  readonly loop: EventLoop
  /** Subscribes to printed lines; returns unsubscribe. */
  onRecord(cb: (record: ScenarioRecord) => void): () => void
  /** Loop ms since the run began (0 before start). */
  now(): number
  /** Runs the program once; settles with the outcome, never rejects. */
  start(): Promise<RunResult>
  /** Cancels every task (source `shutdown`), waits up to graceMs for cleanup, then reports. */
  stop(graceMs: number): Promise<ShutdownReport>
}
