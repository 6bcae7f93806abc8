// The connected processes, as the app shows them: the hub's sources and tasks in global terms
// (ids, loop labels), their changes forwarded as the window's own deltas, and commands routed to
// the process a task lives in.
import { FINAL_STATES, SLOW_STEPS_PER_LOOP, sourceLoopLabel, sourceOfLoop } from '../../shared/snapshots'
import type { AppShutdownReport, AwaitSnapshot, LogLine, LoopClock, ShutdownReport, SlowStep, SourceId, SourceInfo, StepTiming, TaskDetail, TaskSnapshot } from '../../shared/snapshots'
import { taskKey } from '../hub/index'
import type { AgentHub, HubChange, SourceInfo as HubSourceInfo, SourceLog } from '../hub/index'
import { AppError } from '../ipc/app-error'
import type { Stoppable } from '../app/app-shutdown'
import { commandFailure } from './command-errors'
import { OptionalCommands } from './optional-commands'
import { EXTERNAL_ID_BASE, SourceIdMap } from './id-map'
import { translateDelta, translateTask } from './translate'
import { translateLoopView, translateResources } from './translate-loop'
import type { LoopControlRequest, LoopView } from '../../shared/loop-control-contract'
import type { LoopResources } from '../../shared/resources-contract'
import type { LoopLabel } from '../../shared/snapshots'
import type { TranslateContext, UnsequencedDelta } from './translate'

/** How a source's life is recorded (history); every method may fail without harming the view. */
export interface SourceRecorder {
  /** Starts a history run for a source that just connected; its id, or null if none. */
  start(source: HubSourceInfo): number | null
  /** Records the tasks of a delta (the agent's own snapshots) and its printed lines. */
  tasks(runId: number, tasks: TaskSnapshot[], logs: { t: number; taskId: number | null; taskName: string | null; stream: 'stdout' | 'stderr'; line: string }[]): void
  /**
   * Records how the source ended: its bye (`stopped`: after a stop from the app), or lost
   * (interrupted; `appClosing`: the app closed the connection, the process may run on;
   * `killedByApp`: why the app killed the process itself, which is why its connection dropped).
   */
  end(runId: number, source: HubSourceInfo, how: { stopped: boolean; appClosing: boolean; killedByApp: string | null }): void
}

export interface ExternalSourcesOptions {
  /** Where translated deltas go (the app numbers them in its one sequence). */
  emit: (delta: UnsequencedDelta) => void
  /** Called with the whole list whenever a source connects, changes state or is forgotten. */
  onSources: (list: SourceInfo[]) => void
  recorder?: SourceRecorder
  /** The monotonic ms clock a source's backoff is timed on (default performance.now; tests pass a virtual one). */
  now?: () => number
}

const FINAL = new Set<string>(FINAL_STATES)
/** Recent lines kept per source for task:get (trimmed in halves, like the hub's own). */
const LOGS_PER_SOURCE = 5_000

/**
 * Every connected process (through an AgentHub) in the window's terms. Until `attach`, it has none.
 *
 * @example
 * const sources = new ExternalSources({ emit: (d) => emitDelta(d), onSources: (l) => emit('sources:changed', l) })
 * sources.attach(await AgentHub.start({ dataDir }))
 * await sources.cancel(1_000_000_000, 'from the window')
 */
/** How long past its grace a process may take to answer a stop (its report travels back). */
const STOP_ANSWER_MARGIN_MS = 2_000
/** How long loop:resources waits for each connected process (all are asked at once). */
export const RESOURCES_POLL_TIMEOUT_MS = 1_500
/**
 * How long task:get waits for a process's task:timing: the details open at once with everything
 * else; an agent that is slower (busy, or one that leaves unknown commands unanswered) shows no timing.
 */
export const TIMING_TIMEOUT_MS = 250
/** How long a step on a process's loop may take to answer: its own 2 s wait, plus the trip. */
const LOOP_COMMAND_TIMEOUT_MS = 5_000

export class ExternalSources {
  readonly ids = new SourceIdMap()
  private hub: AgentHub | null = null
  private readonly runIds = new Map<SourceId, number | null>()
  private readonly states = new Map<SourceId, HubSourceInfo['state']>()
  /** The task count each source had in the last list sent, so a delta that changes it sends the list again. */
  private readonly listedCounts = new Map<SourceId, number>()
  /** The last clock reading of every source loop (bounded by the hub's loops per source). */
  private readonly clockByLoop = new Map<string, LoopClock>()
  /**
   * Each source's recent lines exactly as they were streamed (same seq), so task:get's lines and
   * the streamed ones merge without duplicates in the window.
   */
  private readonly recentLogs = new Map<SourceId, LogLine[]>()
  /** Seqs for lines sent as `log` messages (no seq of their own), far above an agent's own counter. */
  private logSeq = EXTERNAL_ID_BASE
  private unsubscribe: (() => void) | null = null
  /** Set while the app closes its hub: connections it ends are not the processes' fault. */
  private appClosing = false
  /** Sources whose process the app is killing (an editor child past its grace), with why. */
  private readonly killedByApp = new Map<SourceId, string>()

  /**
   * The optional commands each source's agent may be sent now (`resources`, `task:timing`): none it
   * answered unknown_command until it reconnects, and `resources` spaced out while it times out.
   */
  private readonly commands: OptionalCommands

  /**
   * Each source's slow steps as they were streamed (global ids), the newest SLOW_STEPS_PER_LOOP:
   * steps:slow lists them beside the app's own (the Slow steps view reloads from it when shown).
   */
  private readonly slowBySource = new Map<SourceId, SlowStep[]>()

  constructor(private readonly opts: ExternalSourcesOptions) {
    this.commands = new OptionalCommands(opts.now)
  }

  /** Starts following a hub: every change from now on is forwarded. */
  attach(hub: AgentHub): void {
    this.hub = hub
    this.unsubscribe = hub.onChange((c) => this.onChange(c))
  }

  /** Closes the hub: its sources end as lost, their runs recorded interrupted by the app's close. */
  async closeHub(hub: AgentHub): Promise<void> {
    this.appClosing = true
    await hub.close()
    this.detach()
  }

  /** Stops following the hub (its sources stay listed as they were). */
  detach(): void {
    this.unsubscribe?.()
    this.unsubscribe = null
  }

  list(): SourceInfo[] {
    return (this.hub?.sources() ?? []).map((s) => this.info(s))
  }

  /** Every source's last known tasks, in global terms (for app:snapshot). */
  tasks(): TaskSnapshot[] {
    const hub = this.hub
    if (!hub) return []
    return hub.sources().flatMap((s) => hub.tasks(s.id).map(({ task }) => translateTask(task, this.context(s))))
  }

  clocks(): LoopClock[] {
    return [...this.clockByLoop.values()]
  }

  /** The connected processes' slow steps still kept, in global terms, oldest first per source. */
  slowSteps(): SlowStep[] {
    return [...this.slowBySource.values()].flat()
  }

  /** True if the id is an external task's. */
  owns(globalId: number): boolean {
    return this.ids.local(globalId) !== null
  }

  /** An external task's last known snapshot, or null. */
  get(globalId: number): TaskSnapshot | null {
    const found = this.find(globalId)
    return found && translateTask(found.task, this.context(found.source))
  }

  /** `task:get` for an external task: its snapshot, its recent lines, await chain and children. */
  detail(globalId: number): TaskDetail | null {
    const found = this.find(globalId)
    const hub = this.hub
    if (!found || !hub) return null
    const ctx = this.context(found.source)
    const task = translateTask(found.task, ctx)
    const logs = (this.recentLogs.get(found.source.id) ?? []).filter((l) => l.taskId === task.id).slice(-LOGS_PER_SOURCE)
    const chain: AwaitSnapshot[] = []
    const seen = new Set<number>([task.id])
    for (let edge = task.awaiting; edge && chain.length < 50; ) {
      chain.push(edge)
      if (edge.taskId === null || seen.has(edge.taskId)) break
      seen.add(edge.taskId)
      edge = this.get(edge.taskId)?.awaiting ?? null
    }
    const children = hub
      .tasks(found.source.id)
      .filter(({ task: t }) => t.parentId === found.localId)
      .map(({ task: t }) => this.ids.global(found.source.id, t.id))
    return { task, logs, awaitChain: chain, children }
  }

  /**
   * An external task's step timing, asked of its process (`task:timing`) for at most
   * TIMING_TIMEOUT_MS; null when the source is not connected, its agent does not time steps or
   * does not know the command, or it did not answer in time. Never rejects.
   */
  async timing(globalId: number): Promise<StepTiming | null> {
    const found = this.find(globalId)
    const hub = this.hub
    if (!found || !hub || found.source.state !== 'connected' || !this.commands.mayAsk(found.source.id, 'task:timing')) return null
    const askedAt = this.commands.stamp()
    const outcome = await hub.sendCommand(found.source.id, { type: 'task:timing', taskId: found.localId }, { timeoutMs: TIMING_TIMEOUT_MS })
    this.commands.note(found.source.id, 'task:timing', outcome, askedAt)
    return outcome.ok ? outcome.value : null
  }

  /** Cancels an external task in its own process; answers its snapshot after the request. */
  cancel(globalId: number, reason: string | null): Promise<TaskSnapshot> {
    return this.taskCommand(globalId, (taskId) => ({ type: 'cancel', taskId, reason }))
  }

  /** Sets (inMs) or clears (null) an external task's deadline in its own process. */
  setDeadline(globalId: number, inMs: number | null): Promise<TaskSnapshot> {
    return this.taskCommand(globalId, (taskId) => (inMs === null ? { type: 'deadline:clear', taskId } : { type: 'deadline:set', taskId, inMs }))
  }

  /** Sources a stop can reach: connected, or stopping (an earlier stop may have gone unheeded). */
  stoppable(): SourceInfo[] {
    return this.list().filter((s) => s.state === 'connected' || s.state === 'stopping')
  }

  /**
   * The app's graceful shutdown, for connected processes: the `child` ones (the app started them)
   * become parts to stop; the `service` ones are told the app is closing (a notice: they keep
   * running and reconnect later) and listed as left running — unless `stopServices`, when they are
   * stopped too. The notices go out now. `stopVia` is how a part stops (default: through its agent);
   * `tagOf` adds a word to its title (e.g. which of them the app started itself).
   */
  shutdownPlan(opts: {
    stopServices: boolean
    /** Services stopped even without `stopServices` (the job workers, when the user chose to stop them). */
    stopAlso?: (source: SourceInfo) => boolean
    stopVia?: (sourceId: SourceId, graceMs: number) => Promise<ShutdownReport>
    tagOf?: (sourceId: SourceId) => string | null
  }): { stop: Stoppable[]; leftRunning: AppShutdownReport['leftRunning'] } {
    const stop: Stoppable[] = []
    const leftRunning: AppShutdownReport['leftRunning'] = []
    const stopVia = opts.stopVia ?? ((id: SourceId, g: number) => this.stop(id, g))
    for (const s of this.stoppable()) {
      const tag = opts.tagOf?.(s.id)
      const title = `${s.name} (pid ${s.pid}${tag ? `, ${tag}` : ''})`
      if (s.role === 'child' || opts.stopServices || opts.stopAlso?.(s)) {
        stop.push({ kind: 'source', id: s.id, title, stop: (g: number) => stopVia(s.id, g) })
        continue
      }
      this.hub?.notify(s.id, 'app-closing', 'the app is shutting down gracefully and leaves this service running')
      leftRunning.push({ id: s.id, title })
    }
    return { stop, leftRunning }
  }

  /**
   * Says that the app itself is killing this source's process (an editor child it owns, past its
   * grace), so the connection it is about to lose is recorded as the app's kill, not as lost.
   */
  killing(sourceId: SourceId, why: string): void {
    const state = this.states.get(sourceId)
    // Only a source still running can be lost next; bounded by the live sources.
    if (state === undefined || state === 'lost' || state === 'exited') return
    this.killedByApp.set(sourceId, why)
  }

  /** Tells a source to shut its loops down within graceMs; answers its ShutdownReport. */
  async stop(sourceId: SourceId, graceMs: number): Promise<ShutdownReport> {
    const hub = this.hub
    const source = hub?.source(sourceId)
    if (!hub || !source) throw new AppError('not_found', `no source ${sourceId}`)
    if (source.state === 'exited' || source.state === 'lost') throw new AppError('invalid_state', `${describe(source)} is ${stateText(source)}: there is nothing to stop`)
    // A graceful shutdown promises to end within its grace: a process that does not answer its stop
    // in the grace plus a short margin is reported as failing to stop, not waited on for longer.
    const outcome = await hub.sendCommand(sourceId, { type: 'stop', graceMs }, { timeoutMs: graceMs + STOP_ANSWER_MARGIN_MS })
    if (!outcome.ok) throw commandFailure(outcome.error, `stopping ${describe(source)}`)
    return outcome.value
  }

  /**
   * loop:control on a connected process's loop (`agent-1/loop-1`): done in its process, answered
   * as the window's LoopView. Its agent without loop commands (Python): unsupported.
   */
  async loopControl(req: LoopControlRequest): Promise<LoopView> {
    const { source, local } = this.loopSource(req.loopId)
    const command = req.speed === undefined ? { type: 'loop:control' as const, loopId: local, action: req.action } : { type: 'loop:control' as const, loopId: local, action: req.action, speed: req.speed }
    const outcome = await this.hub!.sendCommand(source.id, command, { timeoutMs: LOOP_COMMAND_TIMEOUT_MS })
    if (!outcome.ok) throw commandFailure(outcome.error, `loop ${req.loopId} in ${describe(source)}`)
    return translateLoopView(outcome.value, source.id, this.ids)
  }

  /** loop:inspect on a connected process's loop. */
  async loopInspect(loopId: LoopLabel, limit?: number): Promise<LoopView> {
    const { source, local } = this.loopSource(loopId)
    const command = limit === undefined ? { type: 'loop:inspect' as const, loopId: local } : { type: 'loop:inspect' as const, loopId: local, limit }
    const outcome = await this.hub!.sendCommand(source.id, command, { timeoutMs: LOOP_COMMAND_TIMEOUT_MS })
    if (!outcome.ok) throw commandFailure(outcome.error, `loop ${loopId} in ${describe(source)}`)
    return translateLoopView(outcome.value, source.id, this.ids)
  }

  /**
   * The resources of every connected process's loops (or of the one labelled `only`; an app
   * loop's label: none), each process asked once, all at once, for at most
   * RESOURCES_POLL_TIMEOUT_MS; one that fails or cannot answer (unsupported) is left out. One that
   * keeps timing out is asked less and less often (optional-commands.ts) until it answers again.
   */
  async resources(only: LoopLabel | null): Promise<LoopResources[]> {
    const hub = this.hub
    if (!hub) return []
    const onlySource = only === null ? null : sourceOfLoop(only)
    if (only !== null && onlySource === null) return []
    const asked = hub.sources().filter((s) => s.state === 'connected' && hasLoopCommands(s) && this.commands.mayAsk(s.id, 'resources') && s.loops.length > 0 && (onlySource === null || s.id === onlySource))
    const answers = await Promise.all(
      asked.map(async (s) => {
        const command = only === null ? { type: 'resources' as const } : { type: 'resources' as const, loopId: only.slice(s.id.length + 1) }
        const askedAt = this.commands.stamp()
        const outcome = await hub.sendCommand(s.id, command, { timeoutMs: RESOURCES_POLL_TIMEOUT_MS })
        this.commands.note(s.id, 'resources', outcome, askedAt)
        return outcome.ok ? translateResources(outcome.value, s.id, this.ids, this.runIds.get(s.id) ?? null) : []
      }),
    )
    return answers.flat()
  }

  /** The connected source a loop label names, and the label in its own terms. */
  private loopSource(loopId: LoopLabel): { source: HubSourceInfo; local: string } {
    const sourceId = sourceOfLoop(loopId)
    const source = sourceId === null ? undefined : this.hub?.source(sourceId)
    const local = sourceId === null ? '' : loopId.slice(sourceId.length + 1)
    if (!source || !source.loops.some((l) => l.label === local)) throw new AppError('not_found', `no live loop ${loopId}`)
    if (source.state !== 'connected') throw new AppError('invalid_state', `loop ${loopId} belongs to ${describe(source)}, which is ${stateText(source)}`)
    if (!hasLoopCommands(source)) throw new AppError('unsupported', `loop ${loopId} runs in ${describe(source)}, whose ${source.runtime.kind} agent has no loop controls`)
    return { source, local }
  }

  private async taskCommand(globalId: number, make: (localId: number) => Parameters<AgentHub['sendCommand']>[1]): Promise<TaskSnapshot> {
    const found = this.find(globalId)
    const hub = this.hub
    if (!found || !hub) throw new AppError('not_found', `no task #${globalId}`)
    const { source, task } = found
    if (source.state === 'lost') {
      throw new AppError('invalid_state', `task #${globalId} ${task.name} belongs to ${describe(source)}, which is lost (its connection dropped without a bye): what the window shows is its last known state`)
    }
    if (source.state === 'exited') throw new AppError('invalid_state', `task #${globalId} ${task.name} belongs to ${describe(source)}, which has exited`)
    if (FINAL.has(task.state)) throw new AppError('invalid_state', `task #${globalId} ${task.name} has already ended (${task.state})`)
    const outcome = await hub.sendCommand(source.id, make(found.localId))
    if (!outcome.ok) throw commandFailure(outcome.error, `task #${globalId} ${task.name} in ${describe(source)}`)
    return translateTask(outcome.value as TaskSnapshot, this.context(source))
  }

  private find(globalId: number): { source: HubSourceInfo; task: TaskSnapshot; localId: number } | null {
    const local = this.ids.local(globalId)
    const hub = this.hub
    if (!local || !hub) return null
    const source = hub.source(local.sourceId)
    const task = hub.task(taskKey(local.sourceId, local.localId))?.task
    return source && task ? { source, task, localId: local.localId } : null
  }

  private context(source: HubSourceInfo): TranslateContext {
    return { sourceId: source.id, ids: this.ids, runId: this.runIds.get(source.id) ?? null }
  }

  private info(s: HubSourceInfo): SourceInfo {
    return {
      id: s.id,
      name: s.name,
      pid: s.pid,
      runtime: s.runtime,
      clock: s.clock,
      role: s.role,
      state: s.state,
      exit: s.exit,
      connectedWall: s.connectedWall,
      endedWall: s.endedWall,
      loops: s.loops.map((l) => sourceLoopLabel(s.id, l.label)),
      taskCount: s.taskCount,
      runId: this.runIds.get(s.id) ?? null,
    }
  }

  private logLine(source: HubSourceInfo, l: SourceLog): LogLine {
    const taskId = l.taskId === null ? null : (this.ids.peek(source.id, l.taskId) ?? null)
    const task = l.taskId === null ? undefined : this.hub?.task(taskKey(source.id, l.taskId))?.task
    return {
      seq: ++this.logSeq,
      loop: task ? sourceLoopLabel(source.id, task.loop) : source.id,
      runId: this.runIds.get(source.id) ?? null,
      taskId,
      taskName: task?.name ?? null,
      t: Math.max(0, l.wall - source.connectedWall),
      wall: l.wall,
      stream: l.stream,
      line: l.line,
    }
  }

  private onChange(c: HubChange): void {
    switch (c.kind) {
      case 'source':
        return this.onSource(c.source)
      case 'source:removed': {
        const removed = this.ids.forgetSource(c.sourceId)
        for (const label of this.clockByLoop.keys()) if (label.startsWith(`${c.sourceId}/`)) this.clockByLoop.delete(label)
        this.runIds.delete(c.sourceId)
        this.states.delete(c.sourceId)
        this.recentLogs.delete(c.sourceId)
        this.listedCounts.delete(c.sourceId)
        this.commands.forget(c.sourceId)
        this.slowBySource.delete(c.sourceId)
        if (removed.length > 0) this.opts.emit({ created: [], changed: [], ended: [], removed, logs: [], clocks: [] })
        return this.sendList()
      }
      case 'tasks': {
        const source = this.hub?.source(c.sourceId)
        if (!source) return
        const ctx = this.context(source)
        const delta = translateDelta(c.delta, ctx)
        for (const clock of delta.clocks) this.clockByLoop.set(clock.loop, clock)
        this.keepLogs(source.id, delta.logs)
        if (delta.slowSteps) this.keepSlow(source.id, delta.slowSteps)
        this.opts.emit(delta)
        if (this.listedCounts.get(source.id) !== source.taskCount) this.sendList()
        const runId = ctx.runId
        if (runId !== null) {
          const d = c.delta
          const logs = d.logs.map((l) => ({ t: l.t, taskId: l.taskId, taskName: l.taskName, stream: l.stream, line: l.line }))
          this.safely(() => this.opts.recorder?.tasks(runId, [...d.created, ...d.changed, ...d.ended], logs))
        }
        return
      }
      case 'log': {
        const source = this.hub?.source(c.sourceId)
        if (!source) return
        const line = this.logLine(source, c.log)
        this.keepLogs(source.id, [line])
        this.opts.emit({ created: [], changed: [], ended: [], removed: [], logs: [line], clocks: [] })
        const runId = this.runIds.get(source.id)
        if (runId != null) this.safely(() => this.opts.recorder?.tasks(runId, [], [{ t: line.t, taskId: c.log.taskId, taskName: line.taskName, stream: line.stream, line: line.line }]))
        return
      }
    }
  }

  private onSource(source: HubSourceInfo): void {
    const before = this.states.get(source.id)
    this.states.set(source.id, source.state)
    if (source.state !== 'connected') {
      // asked afresh once it is back (it may have reconnected as a newer, or an idle, agent)
      this.commands.forget(source.id)
    }
    const recorder = this.opts.recorder
    // A new source, or one that reconnected after its run was closed: a new history run.
    if (recorder && source.state === 'connected' && (before === undefined || before === 'lost' || before === 'exited')) {
      this.runIds.set(source.id, this.safely(() => recorder.start(source)) ?? null)
    }
    const runId = this.runIds.get(source.id)
    const ended = (source.state === 'lost' || source.state === 'exited') && before !== source.state
    const killedByApp = ended ? (this.killedByApp.get(source.id) ?? null) : null
    if (ended) this.killedByApp.delete(source.id)
    if (ended && runId != null && recorder) this.safely(() => recorder.end(runId, source, { stopped: before === 'stopping', appClosing: this.appClosing, killedByApp }))
    // A lost source's tasks stay as they are: the window marks them stale from the source's state.
    this.sendList()
  }

  private keepLogs(sourceId: SourceId, lines: LogLine[]): void {
    if (lines.length === 0) return
    let kept = this.recentLogs.get(sourceId)
    if (!kept) this.recentLogs.set(sourceId, (kept = []))
    kept.push(...lines)
    if (kept.length > 2 * LOGS_PER_SOURCE) kept.splice(0, kept.length - LOGS_PER_SOURCE)
  }

  private keepSlow(sourceId: SourceId, steps: SlowStep[]): void {
    let kept = this.slowBySource.get(sourceId)
    if (!kept) this.slowBySource.set(sourceId, (kept = []))
    kept.push(...steps)
    if (kept.length > SLOW_STEPS_PER_LOOP) kept.splice(0, kept.length - SLOW_STEPS_PER_LOOP)
  }

  private sendList(): void {
    const list = this.list()
    for (const s of list) this.listedCounts.set(s.id, s.taskCount)
    this.opts.onSources(list)
  }

  private safely<T>(f: () => T): T | undefined {
    try {
      return f()
    } catch (e) {
      console.error('loopwatch: recording a connected process in the history failed:', e)
      return undefined
    }
  }
}

/**
 * Whether a source's agent runs the loop commands: the Node agent does. The Python agent answers
 * them unknown_command (older ones left them unanswered: a timeout), so it is never sent one; any
 * agent that answers unknown_command reads as unsupported (command-errors.ts).
 */
function hasLoopCommands(s: HubSourceInfo): boolean {
  return s.runtime.kind === 'node'
}

function describe(s: HubSourceInfo): string {
  return `${s.name} (pid ${s.pid}, ${s.id})`
}

function stateText(s: HubSourceInfo): string {
  return s.state === 'exited' ? `exited (code ${s.exit?.code ?? 'none'})` : s.state
}
