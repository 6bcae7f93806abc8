// The window's root state: the connection, and the parts of the UI that hang off it. Components
// receive this one object; each part is its own class in its own file.
import type { LoopwatchApi } from '../../../shared/contract'
import type { AppSnapshot, DaemonId, RunSummary, SourceInfo, TaskDelta } from '../../../shared/snapshots'
import { DAEMONS_LOOP, FINAL_STATES, runLoopLabel, sourceOfLoop } from '../../../shared/snapshots'
import type { ConnectionState } from '../transport/ws-client'
import { AwaitGraphState } from './await-graph.svelte'
import { taskKey } from '../../../shared/await-graph'
import { DeadlocksState } from './deadlocks.svelte'
import { ResourcesState, anyWaiting } from './resources.svelte'
import { BulkState } from './bulk.svelte'
import { DaemonsState } from './daemons.svelte'
import { DetailsState } from './details.svelte'
import { EditorState } from './editor.svelte'
import { HistoryState } from './history.svelte'
import { LauncherState } from './launcher.svelte'
import { QueueState } from './queue.svelte'
import { ReplayState, isReplayLoop } from './replay.svelte'
import { ShutdownState } from './shutdown.svelte'
import { SlowStepsState } from './slow-steps.svelte'
import { SourcesState, sourceScope } from './sources.svelte'
import { liveCountsByLoop } from './live-counts'
import { LoopControlState } from './loop-control.svelte'
import { TaskStore } from './task-store.svelte'
import { TaskTableState } from './task-table.svelte'
import { Ticker } from './ticker.svelte'

export type MainView = 'live' | 'history' | 'daemons' | 'editor' | 'queue'

export class AppState {
  api = $state.raw<LoopwatchApi | null>(null)
  host = $state<'electron' | 'web' | null>(null)
  connection = $state<ConnectionState>('connecting')
  connectionProblem = $state<string | null>(null)
  /** True once the connection opened at least once (a refusal before that is likely a stale link). */
  everOpened = $state(false)
  /** True once the first snapshot arrived (before that, the window shows a calm loading line). */
  ready = $state(false)
  runs = $state.raw<RunSummary[]>([])
  view = $state<MainView>('live')
  /** The details panel is open for the table's selection. */
  detailsOpen = $state(false)

  readonly store = new TaskStore()
  // A replay's tasks (read only) and an ended process's are shown, not acted on.
  readonly table = new TaskTableState(this.store, (t) => !isReplayLoop(t.loop) && !this.sources.isEnded(t.loop))
  readonly bulk = new BulkState(() => this.api, this.store)
  /** Locks, queues, events… of the watched loops, polled while a view shows them. */
  readonly resources = new ResourcesState(() => this.api, { anyWaiting: () => anyWaiting(this.store.countsByLoop) })
  /** Deadlocks found in the store's tasks and those resources. */
  readonly deadlocks = new DeadlocksState(this.store, this.resources)
  /** The await graph of the table's scope (its selection is the table's; deadlocked tasks in red). */
  readonly graph = new AwaitGraphState(this.table, () => new Set([...this.deadlocks.flagged].map(taskKey)))
  readonly ticker = new Ticker()
  readonly launcher: LauncherState
  readonly daemons: DaemonsState
  readonly shutdown: ShutdownState
  readonly history: HistoryState
  readonly details: DetailsState
  readonly sources: SourcesState
  readonly editor: EditorState
  readonly queue: QueueState
  readonly replay: ReplayState
  readonly loopControl: LoopControlState
  readonly slowSteps: SlowStepsState

  /** The run the top bar speaks of: the newest one still running, else the newest one. */
  readonly currentRun = $derived.by(() => {
    const live = this.runs.filter((r) => r.status === 'running' || r.status === 'stopping')
    const pick = (list: RunSummary[]) => list.reduce<RunSummary | null>((a, r) => (!a || r.startedWall > a.startedWall ? r : a), null)
    return pick(live) ?? pick(this.runs)
  })

  /** Live tasks by state (running apart from waiting); an ended (exited or lost) process's tasks show their last known state, and nothing runs them now. */
  readonly liveCounts = $derived.by(() => {
    void this.store.version
    return liveCountsByLoop(this.store.countsByLoop, (loop) => isReplayLoop(loop) || this.sources.isEnded(loop))
  })
  readonly liveCount = $derived(this.liveCounts.live)

  readonly selectedTask = $derived(this.store.get(this.table.selectedId))

  private pendingDeltas: TaskDelta[] | null = []

  constructor() {
    const api = () => this.api
    this.launcher = new LauncherState(api, (run) => this.onRunStarted(run))
    this.daemons = new DaemonsState(api)
    this.shutdown = new ShutdownState(api)
    this.history = new HistoryState(api, (run) => this.onRunStarted(run))
    this.details = new DetailsState(api, this.store)
    this.sources = new SourcesState(api)
    this.editor = new EditorState(api, (id) => this.showSource(id))
    this.queue = new QueueState(api)
    this.replay = new ReplayState(api, this.store, (loop) => {
      this.table.scope = loop
      this.table.selectedId = null
      this.detailsOpen = false
      this.view = 'live'
    })
    this.loopControl = new LoopControlState(api)
    this.slowSteps = new SlowStepsState(api)
  }

  /** Wire a connected API: subscribe to events once, then load the snapshot. */
  attach(api: LoopwatchApi, host: 'electron' | 'web'): void {
    this.api = api
    this.host = host
    api.on('tasks:delta', (d) => {
      if (this.pendingDeltas) this.pendingDeltas.push(d)
      else this.queueDelta(d)
    })
    api.on('tasks:delta', (d) => d.slowSteps && this.slowSteps.add(d.slowSteps))
    api.on('stats:sample', (s) => this.daemons.addSample(s))
    api.on('jobs:progress', (p) => this.daemons.addProgress(p))
    api.on('daemons:changed', (list) => this.daemons.setList(list))
    api.on('runs:changed', (list) => this.onRunsChanged(list))
    api.on('shutdown:progress', (p) => this.shutdown.onProgress(p))
    api.on('sources:changed', (list) => this.onSourcesChanged(list))
    api.on('programs:changed', (list) => this.editor.setRuns(list))
    api.on('coursePython:changed', (list) => this.launcher.python.setRuns(list))
    this.ticker.start()
  }

  /** Called when the socket (re)opens: a fresh snapshot replaces whatever we had. */
  async load(): Promise<void> {
    const api = this.api
    if (!api) return
    this.pendingDeltas = this.pendingDeltas ?? []
    const [snap, scenarios] = await Promise.all([api.invoke('app:snapshot'), api.invoke('scenarios:list')])
    if (!snap.ok) {
      this.connectionProblem = snap.error.message
      return
    }
    this.applySnapshot(snap.value)
    if (scenarios.ok) this.launcher.scenarios = scenarios.value
    void api.invoke('programs:list').then((r) => r.ok && this.editor.setRuns(r.value))
    void this.launcher.python.load()
    void this.slowSteps.load()
    this.ready = true
    void this.history.refresh()
  }

  /**
   * Deltas are applied once per animation frame: however they arrive, the table is re-shaped at
   * most once per frame (10,000 rows sort in a few ms, so twice a frame would drop frames).
   */
  private queueDelta(d: TaskDelta): void {
    this.frameDeltas.push(d)
    if (this.frameScheduled) return
    this.frameScheduled = true
    const flush = () => {
      this.frameScheduled = false
      for (const x of this.frameDeltas.splice(0)) this.store.apply(x)
    }
    if (typeof requestAnimationFrame === 'function' && document.visibilityState === 'visible') requestAnimationFrame(flush)
    else setTimeout(flush, 16)
  }

  private frameDeltas: TaskDelta[] = []
  private frameScheduled = false

  private applySnapshot(s: AppSnapshot): void {
    this.store.reset(s)
    for (const d of this.pendingDeltas ?? []) this.store.apply(d)
    this.pendingDeltas = null
    this.runs = s.runs
    this.daemons.setList(s.daemons)
    this.sources.setList(s.sources ?? [])
    // A shutdown still in progress is shown; the report of one that finished before this window
    // connected is not news.
    if (s.shutdown && s.shutdown.phase !== 'done') this.shutdown.onProgress(s.shutdown)
  }

  setConnection(state: ConnectionState, reason?: string): void {
    this.connection = state
    if (state === 'closed' || state === 'refused') {
      this.connectionProblem = reason ?? 'disconnected'
      this.pendingDeltas = []
    } else if (state === 'open') {
      this.connectionProblem = null
      this.everOpened = true
    }
  }

  private onRunStarted(run: RunSummary): void {
    this.runs = [...this.runs.filter((r) => r.runId !== run.runId), run]
    this.table.scope = runLoopLabel(run.runId)
    this.table.selectedId = null
    this.detailsOpen = false
    this.view = 'live'
    this.launcher.close()
  }

  private onSourcesChanged(list: SourceInfo[]): void {
    const before = new Map(this.sources.list.map((s) => [s.id, s.state]))
    this.sources.setList(list)
    // A process that connected or ended has a new or finished history run.
    if (list.some((s) => before.get(s.id) !== s.state && s.state !== 'stopping')) void this.history.refresh()
  }

  private onRunsChanged(list: RunSummary[]): void {
    const before = new Map(this.runs.map((r) => [r.runId, r.status]))
    this.runs = list
    // A run that just ended lands in history: refresh the list.
    if (list.some((r) => before.get(r.runId) !== r.status && r.status !== 'running' && r.status !== 'stopping')) {
      void this.history.refresh()
    }
  }

  /** Loops of runs that have ended, with the loop time their last task ended at. */
  readonly endedLoops = $derived.by(() => {
    void this.store.version
    const ended = new Map<string, number>()
    for (const r of this.runs) {
      if (r.status !== 'running' && r.status !== 'stopping') ended.set(runLoopLabel(r.runId), 0)
    }
    for (const [loop, last] of this.store.lastEndedByLoop) {
      const at = ended.get(loop)
      if (at !== undefined && last > at) ended.set(loop, last)
    }
    return ended
  })

  /**
   * A loop's clock now: stopped at its last task's end once its run is over (the monitor's last
   * clock report would otherwise keep ticking), else the store's live reading.
   */
  clockOf(loop: string, wall: number): number | null {
    // A process that exited or was lost: its clock stops where it was when it ended.
    const ended = this.sources.ofLoop(loop)?.endedWall
    if (ended != null) return this.store.loopNow(loop, Math.min(wall, ended))
    return this.endedLoops.get(loop) ?? this.store.loopNow(loop, wall)
  }

  /** The label shown for a loop: the run's scenario id, "daemons", or a process's `name › loop`. */
  loopLabel(loop: string): string {
    if (loop === DAEMONS_LOOP) return 'daemons'
    if (isReplayLoop(loop) && this.replay.loop === loop) return `replay of ${this.replay.run?.scenario ?? ''}`
    const sourceId = sourceOfLoop(loop)
    if (sourceId !== null) return `${this.sources.byId(sourceId)?.name ?? sourceId} › ${loop.slice(sourceId.length + 1)}`
    return this.runs.find((r) => runLoopLabel(r.runId) === loop)?.scenarioId ?? loop
  }

  /** Shows one connected process's tasks (every loop of it) in the live table. */
  showSource(id: string): void {
    this.view = 'live'
    this.table.scope = sourceScope(id)
  }

  /** Opens the editor with a course program's port, a new program (null), or as it was. */
  async showEditor(from: { scenarioId: string | null } | { runId: number } | null = null): Promise<void> {
    if (from && 'runId' in from) await this.editor.openRun(from.runId)
    else if (from) await this.editor.openTemplate(from.scenarioId)
    else if (this.editor.loaded === 0) await this.editor.openTemplate(null)
    this.launcher.close()
    this.detailsOpen = false
    this.view = 'editor'
  }

  /** Opens the Daemons view, scrolled to one daemon's card when given. */
  showDaemons(id: DaemonId | null = null): void {
    this.daemons.focused = id
    this.view = 'daemons'
  }

  /** The top bar's "N running": every loop, only tasks that have not finished. */
  showLive(): void {
    this.view = 'live'
    this.table.scope = 'all'
    this.table.filterText = FINAL_STATES.map((s) => `-state:${s}`).join(' ')
  }

  select(id: number | null, open = true): void {
    this.table.selectedId = id
    if (id == null) {
      this.detailsOpen = false
      return
    }
    if (open) {
      this.detailsOpen = true
      void this.details.load(id)
    }
  }
}
