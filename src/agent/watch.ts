// watch(): the Node agent. Attaches a TaskMonitor to every loop this process runs (present and
// future), streams its deltas to the hub through an AgentConnection, and runs the hub's commands.
// With no app running the program is unaffected: the connection's outbox is bounded and its
// socket and timers never keep the process alive.
import { basename } from 'node:path'
import { RealClock, ScaledClock, VirtualClock, currentTask, getRunningLoop, onLoopCreated } from '../main/runtime/index'
import type { EventLoop, ShutdownReport, Task } from '../main/runtime/index'
import { TaskMonitor } from '../main/monitor/index'
import type { AgentClock, AgentRole, CommandMessage, AgentMessage } from '../shared/agent-protocol/index'
import { MAX_LABEL_LENGTH, MAX_LOG_LINE_LENGTH, MAX_SEGMENT_APPENDS_PER_DELTA, MAX_TASKS_PER_DELTA_LIST, clip } from '../shared/agent-protocol/index'
import type { TaskSnapshot } from '../shared/snapshots'
import { AgentConnection, CommandFailure } from './connection'
import type { ConnectionStatus } from './connection'
import { hubLocator } from './find-hub'
import { redisTransport } from './redis-transport'
import type { RedisAgentOptions } from './redis-transport'
import { HUB_TASKS_PER_SOURCE, ShownTasks } from './shown-tasks'
import { WatchOptionError, monitorStepTiming } from './step-timing-option'
import type { StepTimingOption } from './step-timing-option'
import { clipSnapshot, splitDelta, splitDeltaLines } from './split-delta'
import { LoopActionRefused, actOnLoop, loopView } from '../main/app/loop-actions'
import { monitorResources } from '../main/app/loop-resources'
import { STEP_ANSWER_WAIT_MS } from '../shared/loop-control-contract'
import type { LoopView } from '../shared/loop-control-contract'
import type { ResourcesSnapshot } from '../shared/resources-contract'

type Outgoing = Exclude<AgentMessage, { type: 'hello' }>

export interface WatchOptions {
  /** What the window calls this process (default: the script's file name). */
  name?: string
  /** The hub's `tcp://127.0.0.1:<port>?token=…` (default: LOOPWATCH_APP, then agent.json). */
  app?: string | null
  /** Where the app wrote agent.json (default: the app's data dir). */
  dataDir?: string
  /** The process's clock as its hello says (default: the real clock). */
  clock?: AgentClock
  /** Reconnect delays (see AgentConnection). */
  backoff?: { initialMs?: number; maxMs?: number; factor?: number }
  onStatus?: (status: ConnectionStatus) => void
  /** Deltas sent per second at most (default 10: each is JSON on a socket, the agent's main cost). */
  deltasPerSecond?: number
  /** Called after a `stop` command shut the loops down and bye went out (default: nothing more). */
  onStopped?: (report: ShutdownReport) => void
  /**
   * `service` (the default): a process that runs on its own; the app's graceful shutdown tells it
   * and leaves it running. `child`: the app started it (`loopwatch run`), so that shutdown stops it.
   */
  role?: AgentRole
  /** Where the agent's own notes go (default: one line on stderr), e.g. that the app is closing. */
  note?: (line: string) => void
  /**
   * Report over Redis streams instead of TCP (a worker on any machine; `app` and `dataDir` are then
   * unused). Throws RedisAgentConfigError for a bad URL or a missing secret.
   */
  redis?: RedisAgentOptions
  /**
   * Times every task's steps (busy / idle / scheduled, the histograms task:timing answers) and
   * sends each step that held its loop at least `thresholdMs` real ms (default 20) as a slow step.
   * On by default; `false` turns it off. A bad value throws WatchOptionError.
   */
  stepTiming?: StepTimingOption
  /**
   * New tasks one delta may show (default AGENT_NEW_TASKS_PER_DELTA, at most the hub's 20,000 per
   * source). Those past it wait for the next deltas, while the hub has room; one that ends while it
   * waits is a short task (folded past AGENT_UNSEEN_ENDED_PER_DELTA a delta, and counted as
   * dropped). A bad value throws WatchOptionError.
   */
  newTasksPerDelta?: number
}

export interface Watcher {
  readonly connection: AgentConnection
  readonly monitor: TaskMonitor
  /** The live loops, oldest first. */
  loops(): EventLoop[]
  /** A printed line, attributed to the task running now (if any). */
  log(stream: 'stdout' | 'stderr', line: string): void
  /** Shuts every live loop down gracefully (what the hub's `stop` does, without the bye). */
  stop(graceMs: number): Promise<ShutdownReport>
  /** Stops watching: sends what is pending, says bye, closes. */
  close(bye?: { code: number | null; reason: string }): Promise<void>
}

interface WatchedLoop {
  loop: EventLoop
  label: string
  clock: AgentClock
  /** loop.time() when it was made: printed lines carry their time since then. */
  t0: number
}

/** Loop ms per wall ms for the monitor (null: virtual time). */
function rateOf(loop: EventLoop): number | null {
  if (loop.clock instanceof VirtualClock) return null
  if (loop.clock instanceof ScaledClock) return loop.clock.rate
  return 1
}

function agentClockOf(loop: EventLoop): AgentClock {
  if (loop.clock instanceof VirtualClock) return { kind: 'virtual' }
  if (loop.clock instanceof ScaledClock) return { kind: 'scaled', rate: loop.clock.rate }
  if (loop.clock instanceof RealClock) return { kind: 'real' }
  return { kind: 'real' }
}

/** The in-app monitor sends 60 a second; a process's agent pays for encoding each, so fewer. */
export const DEFAULT_DELTAS_PER_SECOND = 10
/** State segments per delta from the agent (the protocol's bound on appends per delta). */
export const AGENT_SEGMENTS_PER_DELTA = MAX_SEGMENT_APPENDS_PER_DELTA
/**
 * New tasks shown per delta (one `created` list's bound, so a delta is never split for them); the
 * rest of a burst is counted as dropped. Every task shown costs the agent and the hub three
 * snapshots over its life (created, changed, ended) and its segments: showing all 20,000 the hub
 * keeps of a 100,000-task gather more than doubled the cost of watching it.
 */
export const AGENT_NEW_TASKS_PER_DELTA = MAX_TASKS_PER_DELTA_LIST
/**
 * Tail segments (what a busy task adds once its first 50 are kept) per delta. Segments were 27 of
 * the 29 MB a 10,000-task × 100-switch program sent, each parsed and checked by the hub on the
 * same cores; within this budget busy tasks take turns (each turn sends its whole tail when it
 * wrapped, so the hub's tail stays exactly the agent's) and the changes between turns reach the
 * hub as the gap its history counts.
 */
export const AGENT_TAIL_SEGMENTS_PER_DELTA = 1_000
/** Tasks that ended before a delta showed them, sent per delta; the rest are counted as dropped. */
export const AGENT_UNSEEN_ENDED_PER_DELTA = 1_000

/** Ended loops whose clocks a resync can still announce (the monitor's tasks of older ones go as dropped). */
export const MAX_REMOVED_LOOPS_KEPT = 1_000

let active: Watcher | null = null

/**
 * Watches this process: every EventLoop it runs — those already live and those it makes later
 * (run() makes one) — is shown in the Loopwatch app as part of one source, steerable from the
 * window (cancel, deadlines, stop). When the process exits it says bye with its exit code. Call it
 * once, anywhere (before or inside run()); a second call returns the same watcher.
 *
 * @example
 * import { watch } from 'loopwatch/agent'
 * watch({ name: 'billing-service' })
 * await run(main)
 */
/** How long close() waits for an app's stop under way to send its answer and bye (ms). */
const STOP_ANSWER_WAIT_MS = 5_000

export function watch(opts: WatchOptions = {}): Watcher {
  const stepTiming = monitorStepTiming(opts.stepTiming)
  const newPerDelta = newTasksPerDelta(opts.newTasksPerDelta)
  if (active) return active
  const overRedis = opts.redis ? redisTransport(opts.redis) : null
  const live = new Map<EventLoop, WatchedLoop>()
  /** Loops that ended, oldest first, with their clocks: a resync re-announces those whose tasks remain. */
  const removedClocks = new Map<string, AgentClock>()
  let loopCount = 0
  let seq = 0
  let resyncing = false
  /** Tasks the monitor folded (see maxUnseenEndedPerDelta) not yet reported as dropped. */
  let foldedUnsent = 0
  const shown = new ShownTasks()
  const note = opts.note ?? ((line: string) => void process.stderr.write(`${line}\n`))

  /** The monitor's hidden count (MonitorOptions.roomForNew) already reported to the hub as dropped. */
  let hiddenReported = 0
  const send = (m: Outgoing): void => void connection.send(m)
  const sendDelta = (delta: Parameters<typeof splitDelta>[0]): void => {
    if (resyncing) return // the snapshot being built carries it
    const hiddenBefore = shown.hidden
    const filtered = shown.filter(delta)
    // Tasks no delta will show (past the room for new ones) are reported as the folded ones are.
    const unshown = monitor.hidden - hiddenReported + (shown.hidden - hiddenBefore)
    hiddenReported = monitor.hidden
    if (unshown > 0) connection.send({ type: 'dropped', count: unshown })
    for (const part of splitDeltaLines(filtered, () => ++seq)) connection.sendEncoded(part.line)
  }
  const monitor = new TaskMonitor({
    emit: sendDelta,
    maxTasks: 20_000,
    maxPerSecond: opts.deltasPerSecond ?? DEFAULT_DELTAS_PER_SECOND,
    // Segments are most of a busy process's bytes: a smaller budget per delta (busy tasks take
    // turns, a wrapped tail goes whole, the gap counted), one that never needs splitting.
    maxSegmentsPerDelta: AGENT_SEGMENTS_PER_DELTA,
    maxTailSegmentsPerDelta: AGENT_TAIL_SEGMENTS_PER_DELTA,
    // Short tasks beyond this per delta reach the hub as a dropped count, not one snapshot each.
    maxUnseenEndedPerDelta: AGENT_UNSEEN_ENDED_PER_DELTA,
    // New tasks past the hub's room are hidden: the monitor does not read them at all. Past this
    // delta's share they wait for the next deltas (ended meanwhile, they fold as short tasks do).
    roomForNew: () => shown.room(),
    maxNewPerFlush: newPerDelta,
    ...(stepTiming ? { stepTiming } : {}),
    onFolded: (count) => {
      // During a resync the connection is mid-write: the count goes with the next delta instead.
      foldedUnsent += count
      if (resyncing) return
      connection.send({ type: 'dropped', count: foldedUnsent })
      foldedUnsent = 0
    },
  })

  const taskOrFail = (taskId: number): Task<unknown> => {
    const task = monitor.liveTask(taskId)
    if (task) return task
    if (monitor.get(taskId)) throw new CommandFailure('already_done', `task ${taskId} has already ended`)
    throw new CommandFailure('unknown_task', `this process has no task ${taskId}`)
  }
  const snapshotOf = (taskId: number): TaskSnapshot => {
    const snap = monitor.get(taskId)
    if (!snap) throw new CommandFailure('unknown_task', `this process has no task ${taskId}`)
    const { history: _history, ...rest } = snap
    return clipSnapshot(rest)
  }

  // A loop paused from the app schedules nothing, and the agent's socket never keeps the process
  // alive: without a handle of its own the process would end (exit 0) the moment it is paused.
  const held = new Set<EventLoop>()
  let keepAlive: NodeJS.Timeout | null = null
  const holdAlive = (loop: EventLoop, on: boolean): void => {
    if (on && !loop.isClosed()) held.add(loop)
    else held.delete(loop)
    if (held.size > 0 && keepAlive === null) keepAlive = setInterval(() => undefined, 2 ** 30)
    if (held.size === 0 && keepAlive !== null) {
      clearInterval(keepAlive)
      keepAlive = null
    }
  }

  const watchedOrFail = (label: string): WatchedLoop => {
    for (const w of live.values()) if (w.label === label && !w.loop.isClosed()) return w
    throw new CommandFailure('unknown_loop', `this process has no live loop ${clip(label, 100)}`)
  }

  const stop = async (graceMs: number): Promise<ShutdownReport> => {
    const loops = [...live.values()].map((w) => w.loop).filter((l) => !l.isClosed())
    const started = Date.now()
    const reports = await Promise.all(
      loops.map(async (loop) => {
        const report = await loop.shutdown({ graceMs })
        loop.stop() // ends a runForever program; a no-op otherwise
        return report
      }),
    )
    const merged: ShutdownReport = {
      graceMs,
      elapsedMs: Math.max(0, ...reports.map((r) => r.elapsedMs)),
      finished: reports.flatMap((r) => r.finished),
      forced: reports.flatMap((r) => r.forced),
      cleanupErrors: reports.flatMap((r) => r.cleanupErrors),
    }
    if (reports.length === 0) merged.elapsedMs = Date.now() - started
    monitor.flushNow()
    return merged
  }

  /**
   * Set while the app's stop is under way, until its answer and bye are out. The program's own
   * close (its run ended because that stop cancelled it) waits for it: a bye sent first would end
   * the connection before the stop's answer, and the app would read the stop as failed.
   */
  let stopping: Promise<void> | null = null

  const onCommand = async (command: CommandMessage): Promise<unknown> => {
    switch (command.type) {
      case 'cancel': {
        const task = taskOrFail(command.taskId)
        task.cancel(command.reason ?? undefined, { source: 'user' })
        monitor.touch(command.taskId)
        return snapshotOf(command.taskId)
      }
      case 'deadline:set': {
        const task = taskOrFail(command.taskId)
        const where = monitor.loopOf(command.taskId)
        if (!where) throw new CommandFailure('already_done', `task ${command.taskId}'s loop has ended`)
        task.setDeadline(where.loop.time() + command.inMs)
        monitor.touch(command.taskId)
        return snapshotOf(command.taskId)
      }
      case 'deadline:clear': {
        taskOrFail(command.taskId).setDeadline(null)
        monitor.touch(command.taskId)
        return snapshotOf(command.taskId)
      }
      case 'stop': {
        let stopped = (): void => {}
        stopping ??= new Promise<void>((resolve) => (stopped = resolve))
        const report = clipReport(await stop(command.graceMs))
        // The result goes out first (it is sent when this resolves), then the bye.
        setTimeout(() => {
          void connection
            .close({ code: null, reason: `stopped from the app: ${report.finished.length} finished, ${report.forced.length} forced` })
            .then(() => overRedis?.dispose())
            .then(() => opts.onStopped?.(report))
            .finally(stopped)
        }, 0)
        return report
      }
      case 'loop:control': {
        const w = watchedOrFail(command.loopId)
        try {
          await actOnLoop(w.loop, command, {
            stepWaitMs: STEP_ANSWER_WAIT_MS,
            onSpeed: (speed) => {
              monitor.setRate(w.label, speed === 'virtual' ? null : speed)
              w.clock = agentClockOf(w.loop) // a resync announces the loop with its clock as it is now
            },
          })
        } catch (e) {
          if (e instanceof LoopActionRefused) throw new CommandFailure(command.action === 'speed' ? 'bad_command' : 'invalid_state', e.message)
          throw e
        }
        const view = loopView(w.label, w.loop)
        holdAlive(w.loop, view.state !== 'running')
        return clipView(view)
      }
      case 'loop:inspect': {
        const w = watchedOrFail(command.loopId)
        return clipView(loopView(w.label, w.loop, command.limit))
      }
      case 'resources': {
        if (command.loopId !== undefined) watchedOrFail(command.loopId)
        return clipResources(monitorResources(monitor, command.loopId ?? null))
      }
      case 'task:timing': {
        if (!monitor.get(command.taskId)) throw new CommandFailure('unknown_task', `this process has no task ${command.taskId}`)
        return monitor.timingOf(command.taskId)
      }
      default:
        throw new CommandFailure('unknown_command', `this agent does not know the command ${(command as { type: string }).type}`)
    }
  }

  const connection = new AgentConnection({
    identity: {
      name: clip(opts.name ?? basename(process.argv[1] ?? 'node'), 200),
      pid: process.pid,
      runtime: { kind: 'node', version: process.versions.node },
      clock: opts.clock ?? { kind: 'real' },
      role: opts.role ?? 'service',
    },
    onNotice: (n) => {
      if (n.what === 'app-closing') note(`loopwatch: ${n.message}; this process keeps running and reconnects when the app is back`)
    },
    ...(overRedis
      ? { locate: overRedis.locate, connect: overRedis.connect }
      : { locate: hubLocator({ app: opts.app ?? null, ...(opts.dataDir !== undefined ? { dataDir: opts.dataDir } : {}) }) }),
    onCommand,
    snapshot: () => {
      // A fresh hub knows nothing. It refuses a task of a loop it was never told of, so each task
      // the monitor still holds goes under a loop announced first: the ended loops' last tasks
      // each under a loop:added/loop:removed pair (the window shows what it showed before the
      // restart, and the hub never holds more than one of those loops at once), then the live
      // loops and their tasks. A removed loop whose clock was let go (see removedClocks) has its
      // tasks counted as dropped instead.
      resyncing = true
      try {
        const messages: Outgoing[] = []
        const snap = monitor.snapshot()
        const liveLabels = new Set([...live.values()].map((w) => w.label))
        const liveTasks: TaskSnapshot[] = []
        const endedLoops = new Map<string, TaskSnapshot[]>()
        let orphans = 0
        for (const { history: _history, ...t } of snap.tasks) {
          if (liveLabels.has(t.loop)) liveTasks.push(t)
          else if (removedClocks.has(t.loop)) {
            const list = endedLoops.get(t.loop)
            if (list) list.push(t)
            else endedLoops.set(t.loop, [t])
          } else orphans++
        }
        shown.reset()
        const deltasOf = (created: TaskSnapshot[], clocks: typeof snap.clocks) => {
          const all = shown.filter({ seq: 0, created, changed: [], ended: [], removed: [], logs: [], clocks })
          for (const d of splitDelta(all, () => ++seq)) messages.push({ type: 'tasks:delta', delta: d })
        }
        if (orphans > 0) messages.push({ type: 'dropped', count: orphans })
        for (const [label, clock] of removedClocks) {
          const tasks = endedLoops.get(label)
          // Nothing of it is left to show: its clock need not be kept any longer.
          if (!tasks) {
            removedClocks.delete(label)
            continue
          }
          messages.push({ type: 'loop:added', loop: label, clock })
          deltasOf(tasks, [])
          messages.push({ type: 'loop:removed', loop: label })
        }
        for (const w of live.values()) messages.push({ type: 'loop:added', loop: w.label, clock: w.clock })
        // Live tasks first, so a full hub shows what is running rather than what has ended.
        deltasOf(
          liveTasks.sort((a, b) => Number(a.endedAt !== null) - Number(b.endedAt !== null)),
          snap.clocks,
        )
        return messages
      } finally {
        resyncing = false
      }
    },
    ...(opts.backoff ? { backoff: opts.backoff } : {}),
    ...(opts.onStatus ? { onStatus: opts.onStatus } : {}),
  })

  // Loops made before watch() was called (it came after run() began) are watched too.
  const unsubscribe = onLoopCreated((loop) => {
    const label = clip(`loop-${++loopCount}`, MAX_LABEL_LENGTH)
    const watched: WatchedLoop = { loop, label, clock: agentClockOf(loop), t0: loop.time() }
    live.set(loop, watched)
    send({ type: 'loop:added', loop: label, clock: watched.clock })
    monitor.attach(loop, { label, runId: null, rate: rateOf(loop) })
    return () => {
      holdAlive(loop, false)
      monitor.detach(label)
      monitor.flushNow()
      live.delete(loop)
      removedClocks.set(label, watched.clock)
      // Bounded: the oldest removed loop's tasks are counted as dropped by a later resync.
      if (removedClocks.size > MAX_REMOVED_LOOPS_KEPT) removedClocks.delete(removedClocks.keys().next().value as string)
      send({ type: 'loop:removed', loop: label })
    }
  }, { existing: true })

  // process.exit() or the end of the event loop: say bye with the exit code, synchronously (see
  // byeOnExit), so the window reads "exited (code N)" rather than lost. A kill -9 runs no handler
  // and still reads lost.
  const onExit = (code: number) => {
    monitor.flushNow()
    connection.byeOnExit(code, code === 0 ? 'exited' : `exited with code ${code}`)
  }
  process.on('exit', onExit)

  const watcher: Watcher = {
    connection,
    monitor,
    loops: () => [...live.values()].map((w) => w.loop),
    log(stream, line) {
      const loop = runningLoop()
      const watched = loop ? live.get(loop) : undefined
      const text = clip(line, MAX_LOG_LINE_LENGTH)
      if (!loop || !watched) {
        send({ type: 'log', stream, line: text, wall: Date.now(), taskId: null })
        return
      }
      let task: Task<unknown> | null = null
      try {
        task = currentTask()
      } catch {
        task = null
      }
      const t = Math.round((loop.time() - watched.t0) * 1000) / 1000
      monitor.log(watched.label, { t, line: text, taskId: task?.id ?? null, taskName: task?.name ?? null, stream })
    },
    stop,
    async close(bye = { code: null, reason: 'closed' }) {
      if (stopping) {
        let timer: NodeJS.Timeout | undefined
        await Promise.race([stopping, new Promise((r) => (timer = setTimeout(r, STOP_ANSWER_WAIT_MS)))])
        clearTimeout(timer)
      }
      unsubscribe()
      for (const loop of [...held]) holdAlive(loop, false)
      process.off('exit', onExit)
      monitor.flushNow()
      await connection.close(bye)
      await overRedis?.dispose()
      monitor.dispose()
      if (active === watcher) active = null
    },
  }
  active = watcher
  connection.start()
  return watcher
}

/** watch()'s newTasksPerDelta, checked: an integer from 1 to the hub's tasks per source. */
function newTasksPerDelta(opt: unknown): number {
  if (opt === undefined) return AGENT_NEW_TASKS_PER_DELTA
  if (typeof opt !== 'number' || !Number.isSafeInteger(opt) || opt < 1 || opt > HUB_TASKS_PER_SOURCE) {
    throw new WatchOptionError(`newTasksPerDelta must be an integer from 1 to ${HUB_TASKS_PER_SOURCE}, got ${typeof opt === 'number' ? opt : typeof opt}`)
  }
  return opt
}

function runningLoop(): EventLoop | null {
  try {
    return getRunningLoop()
  } catch {
    return null
  }
}

const MAX_REPORT_ENTRIES = 10_000

/** A shutdown report within the protocol's bounds (≤ 10,000 entries a list, names clipped). */
function clipReport(r: ShutdownReport): ShutdownReport {
  const name = (s: string) => clip(s, 200)
  return {
    graceMs: r.graceMs,
    elapsedMs: r.elapsedMs,
    finished: r.finished.slice(0, MAX_REPORT_ENTRIES).map((f) => ({ id: f.id, name: name(f.name), state: f.state })),
    forced: r.forced.slice(0, MAX_REPORT_ENTRIES).map((f) => ({ id: f.id, name: name(f.name) })),
    cleanupErrors: r.cleanupErrors.slice(0, MAX_REPORT_ENTRIES).map((f) => ({ id: f.id, name: name(f.name), message: clip(f.message, 500) })),
  }
}

/** A LoopView within the protocol's bounds (texts ≤ 500 characters, task names ≤ 200). */
function clipView(view: LoopView): LoopView {
  const name = (s: string | null) => (s === null ? null : clip(s, 200))
  return {
    ...view,
    ready: view.ready.map((e) => ({ ...e, text: clip(e.text, 500), taskName: name(e.taskName) })),
    timers: view.timers.map((e) => ({ ...e, text: clip(e.text, 500), taskName: name(e.taskName) })),
  }
}

/** Resources within the protocol's bounds (labels ≤ 200 characters; the lists are bounded already). */
function clipResources(snap: ResourcesSnapshot): ResourcesSnapshot {
  return { loops: snap.loops.map((l) => ({ ...l, resources: l.resources.map((r) => ({ ...r, label: clip(r.label, 200) })) })) }
}
