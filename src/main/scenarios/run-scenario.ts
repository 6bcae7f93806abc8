import { mkdirSync } from 'node:fs'
import {
  CancelledError,
  type Clock,
  EventLoop,
  ScaledClock,
  type ShutdownReport,
  type Task,
  VirtualClock,
  currentTask,
  getRunningLoop,
} from '../runtime/index'
import { asyncioRun } from './asyncio-run'
import { ParamsError, parseParams } from './params'
import type {
  ClockChoice,
  RecordKind,
  RecordStream,
  RunResult,
  ScenarioContext,
  ScenarioDefinition,
  ScenarioRecord,
  ScenarioRun,
  ScenarioRunOptions,
} from './types'

/**
 * Prepares one run of a scenario on its own loop: params are validated first (a `ParamsError`
 * naming each field and rule, and nothing created), then the loop exists at once so callers can
 * add instruments and steer tasks before `start()`.
 *
 * @example
 *   const run = createScenarioRun(getScenario('graceful-cancel')!, {}, { clock: 'virtual', outDir })
 *   run.onRecord((r) => console.log(r.t, r.taskName, r.line))
 *   const { outcome } = await run.start()   // 'done'
 */
export function createScenarioRun<P>(
  def: ScenarioDefinition<P>,
  input: unknown,
  opts: ScenarioRunOptions,
): ScenarioRun {
  const parsed = parseParams(def, input)
  if (!parsed.ok) throw new ParamsError(def.id, parsed.issues)
  const params = parsed.value
  const loop = new EventLoop({ clock: makeClock(opts.clock) })
  for (const instrument of opts.instruments ?? []) loop.addInstrument(instrument)

  const listeners = new Set<(record: ScenarioRecord) => void>()
  const files: string[] = []
  let t0: number | null = null
  let started = false
  let stopRequested = false

  const now = (): number => (t0 === null ? 0 : Math.round((loop.time() - t0) * 1000) / 1000)

  // The printing task, if it belongs to this run's loop (another loop's task may be stepping when
  // code outside any task of ours runs, e.g. the module-level code of users-csv).
  const printingTask = (): Task<unknown> | null => {
    try {
      return getRunningLoop() === loop ? currentTask() : null
    } catch {
      return null // no loop running (currentTask() throws then, as CPython's)
    }
  }

  const emit = (line: string, stream: RecordStream, kind: RecordKind): void => {
    const task = printingTask()
    const record: ScenarioRecord = {
      t: now(),
      line,
      taskId: task?.id ?? null,
      taskName: task?.name ?? null,
      stream,
      kind,
    }
    for (const listener of listeners) {
      try {
        listener(record)
      } catch (error) {
        // An observer's bug must not become the program's error: drop it, say so once.
        listeners.delete(listener)
        console.error(`loopwatch: a record listener of ${def.id} threw and was removed:`, error)
      }
    }
  }

  // Errors nobody retrieved are diagnostics CPython writes to stderr: they become the run's records.
  loop.setExceptionHandler((error, where, context) => {
    if (context?.task !== undefined) emit(`${context.message}: task ${context.task.name}: ${pyErrorText(error)}`, 'stderr', 'warning')
    else console.error(`loopwatch runtime: unhandled error in ${where}:`, error)
  })

  const ctx: ScenarioContext<P> = {
    params,
    loop,
    outDir: opts.outDir,
    print: (line) => emit(String(line), 'stdout', 'print'),
    warn: (message) => emit(message, 'stderr', 'warning'),
    // Microsecond precision, as time.time() shows, without the float noise of ms / 1000.
    time: () => Number((now() / 1000).toFixed(6)),
    run: (main) => asyncioRun(loop, main, ctx.warn),
    wroteFile: (path) => void files.push(path),
  }

  return {
    scenario: def as unknown as ScenarioDefinition,
    params: params as Record<string, unknown>,
    clock: opts.clock,
    loop,
    onRecord(cb) {
      listeners.add(cb)
      return () => void listeners.delete(cb)
    },
    now,
    async start(): Promise<RunResult> {
      if (started) throw new Error(`scenario run of ${def.id} was already started`)
      started = true
      const startedAt = Date.now()
      t0 = loop.time()
      let outcome: RunResult['outcome']
      let error: RunResult['error']
      try {
        if (stopRequested) throw new CancelledError()
        mkdirSync(opts.outDir, { recursive: true })
        await def.run(ctx)
        outcome = stopRequested ? 'cancelled' : 'done'
      } catch (thrown) {
        error = errorInfo(thrown)
        if (thrown instanceof CancelledError || stopRequested) {
          outcome = 'cancelled'
        } else {
          outcome = 'failed'
          // What CPython's traceback ends with: "TypeError: a coroutine function was expected, …"
          emit(error.message ? `${error.name}: ${error.message}` : error.name, 'stderr', 'traceback')
        }
      }
      const elapsed = now()
      try {
        loop.close()
      } catch {
        // Closing an already closed loop: nothing left to release.
      }
      const result: RunResult = { outcome, startedAt, endedAt: Date.now(), elapsed, files: [...files] }
      if (error) result.error = error
      return result
    },
    async stop(graceMs: number): Promise<ShutdownReport> {
      stopRequested = true
      const report = await loop.shutdown({ graceMs })
      loop.stop() // ends a run_forever program (stats-daemon); a no-op otherwise
      return report
    },
  }
}

function makeClock(choice: ClockChoice): Clock {
  if (choice === 'virtual') return new VirtualClock()
  const { speed } = choice
  if (!Number.isFinite(speed) || speed <= 0) {
    throw new RangeError(`clock speed must be a finite number above 0, got ${speed}`)
  }
  return new ScaledClock(speed)
}

function errorInfo(thrown: unknown): NonNullable<RunResult['error']> {
  if (thrown instanceof Error) {
    const info: NonNullable<RunResult['error']> = { name: thrown.name, message: thrown.message }
    if (thrown.stack) info.stack = thrown.stack
    return info
  }
  return { name: 'Error', message: String(thrown) }
}

/** An error as the last line of a Python traceback: `NameError: name 'time' is not defined`. */
function pyErrorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  return error.message ? `${error.name}: ${error.message}` : error.name
}
