import { join } from 'node:path'
import { createScenarioRun, formatIssues, getScenario, parseParams, runnableScenarios as scenarios } from '../scenarios/index'
import type { RunResult, ScenarioRun } from '../scenarios/index'
import type { History } from '../history/index'
import type { TaskMonitor } from '../monitor/index'
import { toErrorSnapshot } from '../monitor/index'
import { AppError } from '../ipc/app-error'
import { runLoopLabel } from '../../shared/snapshots'
import type { ClockChoice, RunId, RunSummary, ShutdownReport } from '../../shared/snapshots'

interface LiveRun {
  run: ScenarioRun
  summary: RunSummary
  finished: Promise<RunResult>
}

export interface LiveRunsOptions {
  dataDir: string
  history: History
  monitor: TaskMonitor
  /** Called whenever a run starts, starts stopping, or ends. */
  onChange: () => void
  /** Ended runs kept in the live view (their tasks too); older ones are forgotten. Default 20. */
  keepEnded?: number
}

/**
 * The scenario runs of this app session: each one watched by the monitor, recorded in history
 * from its first task to its outcome, and stoppable gracefully.
 */
export class LiveRuns {
  private readonly runs = new Map<RunId, LiveRun>()

  constructor(private readonly opts: LiveRunsOptions) {}

  /**
   * Starts a run of scenario `id`. Unknown ids and invalid params are refused before anything is
   * written (no history row, no loop).
   */
  start(id: string, rawParams: Record<string, unknown> | undefined, clock: ClockChoice): RunSummary {
    const def = getScenario(id)
    if (!def) throw new AppError('not_found', `no scenario "${id}"; known: ${scenarios.map((s) => s.id).join(', ')}`)
    const parsed = parseParams(def, rawParams ?? {})
    if (!parsed.ok) throw new AppError('bad_request', `invalid params for ${id}: ${formatIssues(parsed.issues)}`, parsed.issues)
    const params = parsed.value as Record<string, unknown>
    const { history, monitor } = this.opts

    const runId = history.startRun({ scenario: id, params, clock })
    const outDir = join(this.opts.dataDir, 'runs', String(runId))
    let run: ScenarioRun
    try {
      run = createScenarioRun(def, params, { clock, outDir })
    } catch (e) {
      history.endRun(runId, { outcome: 'failed', error: storedError(e) })
      throw e
    }
    const label = runLoopLabel(runId)
    monitor.attach(run.loop, { label, runId, rate: clock === 'virtual' ? null : clock.speed })
    const stopRecording = history.recorder(run.loop, runId)
    const stopLogging = run.onRecord((rec) => {
      monitor.log(label, rec)
      history.log(runId, rec)
    })
    const summary: RunSummary = {
      runId,
      scenarioId: id,
      title: def.title,
      params,
      clock,
      status: 'running',
      startedWall: Date.now(),
      endedWall: null,
      error: null,
      outDir,
    }
    const finished = run.start().then((result) => {
      stopLogging()
      stopRecording()
      monitor.detach(label)
      summary.status = result.outcome
      summary.endedWall = result.endedAt
      summary.error = result.error ? { name: result.error.name, message: result.error.message, stack: result.error.stack ?? null } : null
      try {
        history.endRun(runId, { outcome: result.outcome, error: result.error })
      } catch (e) {
        // History closed under us (the app is quitting): the run is marked interrupted next start.
        console.error(`loopwatch: could not record the end of run ${runId}:`, e)
      }
      this.forgetOld()
      this.opts.onChange()
      return result
    })
    this.runs.set(runId, { run, summary, finished })
    this.opts.onChange()
    return { ...summary }
  }

  /** Stops a live run: every task cancelled (source shutdown), cleanup up to graceMs, then the report. */
  async stop(runId: RunId, graceMs: number): Promise<ShutdownReport> {
    const live = this.runs.get(runId)
    if (!live) throw new AppError('not_found', `no live run ${runId}`)
    if (live.summary.status !== 'running' && live.summary.status !== 'stopping') {
      throw new AppError('invalid_state', `run ${runId} has already ended (${live.summary.status})`)
    }
    live.summary.status = 'stopping'
    this.opts.onChange()
    // The run's own outcome (cancelled, usually) lands through `finished`.
    return live.run.stop(graceMs)
  }

  /** Runs still running (or stopping). */
  active(): RunSummary[] {
    return this.list().filter((r) => r.status === 'running' || r.status === 'stopping')
  }

  list(): RunSummary[] {
    return [...this.runs.values()].map((r) => ({ ...r.summary }))
  }

  /** Resolves when every run has settled (tests, shutdown), or after `timeoutMs`. */
  async settled(timeoutMs = Number.POSITIVE_INFINITY): Promise<void> {
    const all = Promise.all([...this.runs.values()].map((r) => r.finished))
    if (!Number.isFinite(timeoutMs)) return void (await all)
    let timer: NodeJS.Timeout | undefined
    await Promise.race([all, new Promise((done) => (timer = setTimeout(done, timeoutMs)))])
    clearTimeout(timer)
  }

  private forgetOld(): void {
    const keep = this.opts.keepEnded ?? 20
    const ended = [...this.runs.values()].filter((r) => r.summary.endedWall !== null)
    for (const old of ended.slice(0, Math.max(0, ended.length - keep))) {
      this.runs.delete(old.summary.runId)
      this.opts.monitor.forget(runLoopLabel(old.summary.runId))
    }
  }
}

function storedError(e: unknown): { name: string; message: string; stack?: string } {
  const s = toErrorSnapshot(e)
  return s.stack === null ? { name: s.name, message: s.message } : { name: s.name, message: s.message, stack: s.stack }
}
