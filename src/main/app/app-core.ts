import { openHistory } from '../history/index'
import type { History } from '../history/index'
import { createDaemons } from '../daemons/index'
import type { Daemons } from '../daemons/index'
import { RealClock, ScaledClock } from '../runtime/index'
import { TaskMonitor } from '../monitor/index'
import type { MonitorOptions } from '../monitor/index'
import { runnableScenarios as scenarios } from '../scenarios/index'
import { AppError } from '../ipc/app-error'
import { DAEMONS_LOOP } from '../../shared/snapshots'
import type { AppShutdownReport, AppSnapshot, ExportFile, ScenarioInfo, ShutdownProgress, ShutdownReport, SourceId } from '../../shared/snapshots'
import { EXPORT_MIME, exportFilename } from '../../shared/history-contract'
import type { ExportFormat } from '../../shared/history-contract'
import { AgentHub, redisTransportSettings } from '../hub/index'
import { ExternalSources } from '../sources/external-sources'
import { sourceRecorder } from '../sources/source-history'
import type { UnsequencedDelta } from '../sources/translate'
import { AppQueue, DEFAULT_QUEUE_NAME, isJobWorker, redisUrlFrom } from '../queue/index'
import { shutdownAll } from './app-shutdown'
import { groupJobWorkers } from './job-workers-part'
import type { Stoppable } from './app-shutdown'
import { EventHub } from './event-hub'
import { LiveRuns } from './live-runs'
import { paramFields } from './param-fields'
import { TaskControls } from './task-controls'
import { ProgramRuns } from '../programs/program-runs'
import { repoRoot } from '../programs/repo-root'
import { saveProgramText } from '../history/index'
import { join } from 'node:path'
import { CoursePython } from '../course-python/course-python'
import { courseSources } from '../scenarios/sources.generated'

export interface AppCoreOptions {
  /** Where history (SQLite) and run outputs live. */
  dataDir: string
  host: AppSnapshot['host']
  /** Clock rate of the daemons' loop (1: real time; 60: a minute a second). */
  daemonRate?: number
  monitor?: Omit<MonitorOptions, 'emit'>
  /** Real ms between applications of the retention policy (default 10 min; it also runs at start). */
  retentionEveryMs?: number
  /** The agent hub (connected processes): its port on 127.0.0.1 (default 0, a free one), or false for none. */
  hub?: { port?: number } | false
}

const RETENTION_EVERY_MS = 10 * 60_000

/**
 * Everything both hosts share: the monitor on every loop, the live scenario runs, the daemons,
 * history, and graceful shutdown. Hosts only move commands in (ipc/handlers) and events out
 * (`events`).
 */
export class AppCore {
  readonly events = new EventHub()
  readonly monitor: TaskMonitor
  readonly history: History
  readonly daemons: Daemons
  readonly runs: LiveRuns
  /** Connected processes (through the agent hub), in the window's ids and loop labels. */
  readonly sources: ExternalSources
  /** Resolves once the hub listens and agent.json is written (null: none, or it failed to start). */
  readonly hubReady: Promise<AgentHub | null>
  /** The editor's programs: child processes of `loopwatch run`'s kind, watched through the hub. */
  readonly programs: ProgramRuns
  /** The course's own Python, run under CPython with the agent: app children like the editor's. */
  readonly coursePython: CoursePython
  /** Cancel and deadline for one task or many, routed per source. */
  readonly controls: TaskControls
  /** The job queue: the queue view's reads and retries, and (on BullMQ) completed jobs recorded once by id. */
  readonly queue: AppQueue
  /** One sequence for every tasks:delta, this process's and connected processes' alike. */
  private seq = 0
  private shutdownInFlight: Promise<AppShutdownReport> | null = null
  private lastShutdown: ShutdownProgress | null = null
  private closed = false
  private scenarioInfos: ScenarioInfo[] | null = null
  private readonly retentionTimer: NodeJS.Timeout

  constructor(readonly opts: AppCoreOptions) {
    // Steps are timed in every app (issue 11 §1): a test's options may pass its own clock.
    this.monitor = new TaskMonitor({ stepTiming: {}, ...opts.monitor, emit: (d) => this.emitDelta(d) })
    this.history = openHistory(opts.dataDir)
    this.sources = new ExternalSources({
      emit: (d) => this.emitDelta(d),
      onSources: (list) => {
        this.events.emit('sources:changed', list)
        this.programs.onSources(list)
        this.coursePython.runs.onSources(list)
      },
      recorder: sourceRecorder(this.history),
    })
    this.controls = new TaskControls(this.monitor, this.sources)
    this.hubReady = opts.hub === false ? Promise.resolve(null) : this.startHub(opts.hub?.port ?? 0)
    this.programs = new ProgramRuns({
      hubUrl: async () => {
        const hub = await this.hubReady
        return hub && `tcp://127.0.0.1:${hub.port}?token=${hub.token}`
      },
      sources: this.sources,
      saveProgram: (runId, program) => saveProgramText(this.history.db, runId, program),
      onChange: (list) => this.events.emit('programs:changed', list),
      childPath: join(repoRoot(), 'src/main/cli/run-child.ts'),
    })
    this.coursePython = new CoursePython({
      hubUrl: async () => {
        const hub = await this.hubReady
        return hub && `tcp://127.0.0.1:${hub.port}?token=${hub.token}`
      },
      sources: this.sources,
      programs: scenarios.flatMap((s) => (courseSources[s.id] ? [{ id: s.id, code: courseSources[s.id]!.code }] : [])),
      onChange: (list) => this.events.emit('coursePython:changed', list),
    })
    const rate = opts.daemonRate ?? 1
    this.daemons = createDaemons({
      history: this.history,
      clock: rate === 1 ? new RealClock() : new ScaledClock(rate),
      taskCounts: () => this.monitor.countByState(),
    })
    this.monitor.attach(this.daemons.loop, { label: DAEMONS_LOOP, runId: null, rate })
    this.daemons.onSample((s) => this.events.emit('stats:sample', s))
    this.daemons.onJobsProgress((p) => this.events.emit('jobs:progress', p))
    this.daemons.onLog((rec) => this.monitor.log(DAEMONS_LOOP, rec))
    this.daemons.onChange((list) => {
      this.events.emit('daemons:changed', list)
      this.followJobsQueue()
    })
    this.queue = new AppQueue({ db: this.history.db, sources: () => this.sources.list() })
    this.followJobsQueue()
    // A jobs daemon given a Redis URL in its settings: workers on that Redis report over it too.
    this.daemons.onChange((list) => {
      const url = list.find((d) => d.id === 'jobs' && d.running)?.config['redisUrl']
      if (typeof url !== 'string') return
      void this.hubReady.then((hub) => {
        const redis = redisTransportSettings(url)
        if (!hub || hub.redis || !redis.ok) return
        try {
          hub.useRedis(redis.options)
        } catch (e) {
          console.error('loopwatch: workers cannot report over Redis:', e)
        }
      })
    })
    this.runs = new LiveRuns({
      dataDir: opts.dataDir,
      history: this.history,
      monitor: this.monitor,
      onChange: () => this.events.emit('runs:changed', this.runs.list()),
    })
    // Retention at start and then periodically; a failure is logged, never fatal to the app.
    this.applyRetention()
    this.retentionTimer = setInterval(() => this.applyRetention(), opts.retentionEveryMs ?? RETENTION_EVERY_MS)
    this.retentionTimer.unref()
  }

  private emitDelta(d: UnsequencedDelta): void {
    // Each run's event stream (record and replay) keeps what the window is sent.
    this.history.recordDelta(d)
    this.events.emit('tasks:delta', { ...d, seq: ++this.seq })
  }

  /** Starts the agent hub; a failure (port taken, data dir unwritable) is logged, never fatal. */
  private async startHub(port: number): Promise<AgentHub | null> {
    try {
      // Workers on Redis report over its streams when LOOPWATCH_REDIS_URL and LOOPWATCH_REDIS_SECRET are set.
      const redis = redisTransportSettings(null)
      if (!redis.ok && redis.why !== 'no Redis URL') console.error(`loopwatch: workers cannot report over Redis: ${redis.why}`)
      const hub = await AgentHub.start({ dataDir: this.opts.dataDir, port, redis: redis.ok ? redis.options : null })
      if (this.closed) {
        await hub.close()
        return null
      }
      this.sources.attach(hub)
      return hub
    } catch (e) {
      console.error('loopwatch: the agent hub did not start; other processes cannot connect:', e)
      return null
    }
  }

  /**
   * Points the queue view (and the completed-jobs recorder) at the queue the jobs daemon uses: its
   * Redis URL setting, else LOOPWATCH_REDIS_URL, else the in-process queue. A Redis that cannot be
   * reached is reported by the view, never fatal.
   */
  private followJobsQueue(): void {
    const config = this.daemons.list().find((d) => d.id === 'jobs')?.config ?? {}
    const url = redisUrlFrom(typeof config['redisUrl'] === 'string' ? config['redisUrl'] : null)
    const name = typeof config['queue'] === 'string' ? config['queue'] : DEFAULT_QUEUE_NAME
    this.queue.configure(url, name).catch((e: unknown) => console.error('loopwatch: the job queue view could not start:', e))
  }

  /** Applies the saved retention policy now (runs still running are never deleted). */
  applyRetention(): void {
    try {
      this.history.applyRetention()
    } catch (e) {
      console.error('loopwatch: applying the history retention policy failed:', e)
    }
  }

  /**
   * Streams run `runId`'s export into `path` (host-free: Electron calls it with the path its save
   * dialog returned). Resolves when the file is complete; unknown runs reject with RunNotFoundError.
   */
  async exportRunToFile(runId: number, format: ExportFormat, path: string): Promise<ExportFile> {
    const bytes = await this.history.exportRunToFile(runId, format, path)
    return { kind: 'saved', filename: exportFilename(runId, format), mime: EXPORT_MIME[format], path, bytes }
  }

  /**
   * `run:export` for a host with a save dialog: checks the run exists, asks `choosePath` (given the
   * default file name) where to write, then streams the file there. A null path is `cancelled`.
   *
   * @example handlers['run:export'] = ({ runId, format }) => core.exportRunToChosenFile(runId, format, askUser)
   */
  async exportRunToChosenFile(runId: number, format: ExportFormat, choosePath: (filename: string) => Promise<string | null>): Promise<ExportFile> {
    if (!this.history.getRun(runId, { taskLimit: 1, logLimit: 1 })) throw new AppError('not_found', `no run ${runId} in the history`)
    const filename = exportFilename(runId, format)
    const path = await choosePath(filename)
    if (path === null) return { kind: 'cancelled', filename, mime: EXPORT_MIME[format] }
    return this.exportRunToFile(runId, format, path)
  }

  /** The course's programs, for the launcher (read once: they never change while running). */
  scenarios(): ScenarioInfo[] {
    this.scenarioInfos ??= scenarios.map((s) => ({
      id: s.id,
      title: s.title,
      section: s.section,
      description: s.description,
      courseSource: s.courseSource,
      portSource: s.portSource,
      defaults: s.defaults,
      params: paramFields(s.params, s.defaults),
    }))
    return this.scenarioInfos
  }

  snapshot(): AppSnapshot {
    const { tasks, clocks } = this.monitor.snapshot()
    return {
      seq: this.seq,
      tasks: [...tasks, ...this.sources.tasks()],
      clocks: [...clocks, ...this.sources.clocks()],
      sources: this.sources.list(),
      runs: this.runs.list(),
      daemons: this.daemons.list(),
      shutdown: this.lastShutdown,
      host: this.opts.host,
    }
  }

  /** Refuses new work while a shutdown is running or after close. */
  assertAccepting(): void {
    if (this.closed) throw new AppError('shutting_down', 'the app is closing')
    if (this.shutdownInFlight) throw new AppError('shutting_down', 'a graceful shutdown is in progress')
  }

  /**
   * Stops a connected process: an editor program is the app's own child, so one that cannot answer
   * is killed (and the report says so); any other is asked through its agent.
   */
  stopSource(sourceId: SourceId, graceMs: number): Promise<ShutdownReport> {
    return this.programs.stopSource(sourceId, graceMs) ?? this.coursePython.runs.stopSource(sourceId, graceMs) ?? this.sources.stop(sourceId, graceMs)
  }

  /**
   * Stops every live run and running daemon at once with one grace period, streaming
   * shutdown:progress. The app stays usable afterwards. A second call joins the first.
   */
  shutdown(graceMs: number, opts: { stopServices?: boolean; stopWorkers?: boolean } = {}): Promise<AppShutdownReport> {
    if (this.shutdownInFlight) return this.shutdownInFlight
    // Connected children are stopped; services are told and left running unless the user chose.
    // Job workers are services too (started by the user, maybe on other machines, and working
    // without the app): left running unless stopWorkers (absent: as stopServices), as one group.
    const stopWorkers = opts.stopWorkers ?? opts.stopServices === true
    const workers = this.sources.stoppable().filter(isJobWorker)
    const external = groupJobWorkers(
      this.sources.shutdownPlan({
        stopServices: opts.stopServices === true,
        stopAlso: (s) => stopWorkers && isJobWorker(s),
        stopVia: (id, g) => this.stopSource(id, g),
        tagOf: (id) => (this.programs.ofSource(id) ? 'editor' : this.coursePython.runs.ofSource(id) ? 'course Python' : null),
      }),
      workers,
      (sourceId, localId) => this.sources.ids.global(sourceId, localId),
    )
    const parts: Stoppable[] = [
      ...this.runs.active().map((r) => ({
        kind: 'run' as const,
        id: String(r.runId),
        title: `${r.title} (run ${r.runId})`,
        stop: (g: number) => this.runs.stop(r.runId, g),
      })),
      ...this.daemons
        .list()
        .filter((d) => d.running)
        .map((d) => ({ kind: 'daemons' as const, id: d.id, title: d.title, stop: (g: number) => this.daemons.stop(d.id, g) })),
      ...external.stop,
      // Editor programs whose agent has not connected (yet): stopped by signal, then killed.
      ...this.programs
        .live()
        .filter((p) => p.sourceId === null)
        .map((p) => ({
          kind: 'source' as const,
          id: `program-${p.runKey}`,
          title: `${p.name} (pid ${p.pid}, editor, not connected)`,
          stop: (g: number) => this.programs.stop(p.runKey, g),
        })),
      ...this.coursePython.runs
        .live()
        .filter((p) => p.sourceId === null)
        .map((p) => ({
          kind: 'source' as const,
          id: `course-python-${p.runKey}`,
          title: `${p.name} (pid ${p.pid}, course Python, not connected)`,
          stop: (g: number) => this.coursePython.runs.stop(p.runKey, g),
        })),
    ]
    this.shutdownInFlight = shutdownAll(parts, graceMs, (p) => {
      this.lastShutdown = p
      this.events.emit('shutdown:progress', p)
    }, external.leftRunning).finally(() => {
      this.shutdownInFlight = null
    })
    return this.shutdownInFlight
  }

  /** Graceful shutdown, then history flushed and closed: the host may exit after this. */
  async close(graceMs: number): Promise<AppShutdownReport> {
    const report = await this.shutdown(graceMs)
    if (this.closed) return report
    this.closed = true
    clearInterval(this.retentionTimer)
    // Processes see hub_closing and keep running on their own. Their runs are ended (interrupted:
    // the app stopped watching) while the history is still open.
    // Editor programs are the app's children: none outlives it (anything the shutdown left is killed).
    await Promise.all([this.programs.close(), this.coursePython.runs.close()])
    const hub = await this.hubReady
    if (hub) await this.sources.closeHub(hub)
    // Let stopped runs record their outcome before history closes.
    await this.runs.settled(1000)
    await this.daemons.shutdown(Math.min(graceMs, 1000))
    await this.queue.close()
    this.monitor.dispose()
    this.history.flush()
    this.history.close()
    return report
  }
}
