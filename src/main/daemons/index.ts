import * as v from 'valibot'
import { currentTask, EventLoop, ScaledClock } from '../runtime'
import type { Clock, Task } from '../runtime'
import type { History } from '../history'
import { startCollector } from './collector'
import type { Collector } from './collector'
import { configSchemas } from './config'
import { DaemonError } from './errors'
import { DAEMON_IDS } from '../../shared/snapshots'
import { definitions } from './definitions'
import { describeEnd } from './end-reason'
import { countByState } from './metrics'
import { stopTasks } from './stop-tasks'
import type { DaemonEnd } from '../../shared/snapshots'
import type {
  DaemonContext, DaemonId, DaemonInfo, DaemonLog, DaemonStopReport, JobsProgress,
  RunningDaemon, ShutdownReport, StatsSample, TaskCounts,
} from './types'

export { DaemonError } from './errors'
export type { DaemonErrorCode } from './errors'
export { startCollector } from './collector'
export type { Collector } from './collector'
export type * from './types'
export { DAEMON_IDS } from '../../shared/snapshots'

/** Grace a stop gives cleanup when the caller names none (real, wall-clock ms). */
export const DEFAULT_GRACE_MS = 5000

export interface DaemonsOptions {
  /** The history whose database the job workers write to. */
  history: History
  /** The daemons' clock: RealClock by default; ScaledClock to speed up, VirtualClock in tests. */
  clock?: Clock
  /** Collector port on 127.0.0.1 (default 0: any free port). */
  collectorPort?: number
  /** Send samples to this collector instead of starting the built-in one (onSample then stays quiet). */
  collectorUrl?: string
  /** Task counts for the stats daemon, over every loop the app registers (default: the daemons loop). */
  taskCounts?: () => TaskCounts
  /** Samples the collector keeps (default 100). */
  keepSamples?: number
}

export interface DaemonsShutdownReport {
  graceMs: number
  daemons: DaemonStopReport[]
  /** Anything else left on the daemons' loop (a forced daemon task, a task someone else created). */
  others: ShutdownReport
}

export interface Daemons {
  /** The daemons' EventLoop (running from creation until shutdown). */
  readonly loop: EventLoop
  list(): DaemonInfo[]
  /** Starts a daemon; `config` is validated (DaemonError 'invalid-config' names the fields; nothing starts). */
  start(id: DaemonId, config?: unknown): Promise<DaemonInfo>
  /** Cancels the daemon's tasks newest-first and lets cleanup run for up to `graceMs`. Idempotent. */
  stop(id: DaemonId, graceMs?: number): Promise<DaemonStopReport>
  /** Stops every daemon, then the loop and the collector. The Daemons object is spent afterwards. */
  shutdown(graceMs?: number): Promise<DaemonsShutdownReport>
  onSample(cb: (sample: StatsSample) => void): () => void
  onJobsProgress(cb: (progress: JobsProgress) => void): () => void
  onLog(cb: (log: DaemonLog) => void): () => void
  /** Called with the new list whenever a daemon starts, stops, or ends because its tasks all ended. */
  onChange(cb: (list: DaemonInfo[]) => void): () => void
  /** The collector's base URL once the stats daemon has started it. */
  collectorUrl(): string | null
}

interface Slot {
  config: Record<string, unknown>
  running: RunningDaemon | null
  starting: boolean
  stopping: Promise<DaemonStopReport> | null
  /** How its last run ended (null while running). */
  ended: DaemonEnd | null
}

/**
 * Creates the daemons host: one EventLoop (running at once) on which each daemon runs as tasks,
 * started and stopped independently. Nothing runs until `start`.
 *
 * @example
 * const daemons = createDaemons({ history })
 * daemons.onLog((l) => console.log(l.line))
 * await daemons.start('heartbeat', { workers: 2 })
 * const report = await daemons.stop('heartbeat', 1000)
 */
export function createDaemons(options: DaemonsOptions): Daemons {
  const clock = options.clock
  const loop = new EventLoop(clock ? { clock } : {})
  const running = loop.runForever()
  running.catch((error: unknown) => console.error('loopwatch daemons: the loop failed:', error))

  const sampleListeners = new Set<(s: StatsSample) => void>()
  const progressListeners = new Set<(p: JobsProgress) => void>()
  const logListeners = new Set<(l: DaemonLog) => void>()
  const changeListeners = new Set<(list: DaemonInfo[]) => void>()
  const taskCounts = options.taskCounts ?? (() => countByState(loop.allTasks()))

  const slots = {} as Record<DaemonId, Slot>
  for (const id of DAEMON_IDS) {
    slots[id] = { config: v.parse(configSchemas[id], {}), running: null, starting: false, stopping: null, ended: null }
  }
  let collector: Promise<Collector> | null = null
  let collectorUrl: string | null = null
  let shutDown = false

  const emit = <T>(set: Set<(x: T) => void>, value: T, what: string): void => {
    for (const cb of set) {
      try {
        cb(value)
      } catch (error) {
        console.error(`loopwatch daemons: an ${what} listener threw:`, error)
      }
    }
  }
  const subscribe = <T>(set: Set<T>, cb: T): (() => void) => {
    set.add(cb)
    return () => set.delete(cb)
  }

  const ensureCollector = (): Promise<Collector> => {
    collector ??= startCollector({
      ...(options.collectorPort !== undefined ? { port: options.collectorPort } : {}),
      ...(options.keepSamples !== undefined ? { keep: options.keepSamples } : {}),
    }).then((c) => {
      collectorUrl = c.url
      c.onSample((s) => emit(sampleListeners, s, 'onSample'))
      return c
    })
    collector.catch(() => {
      collector = null // a failed listen (port taken) may be retried by the next start
    })
    return collector
  }

  const info = (id: DaemonId): DaemonInfo => ({
    id,
    title: definitions[id].title,
    description: definitions[id].description,
    running: slots[id].running !== null,
    ended: slots[id].ended ? { ...slots[id].ended } : null,
    config: { ...slots[id].config },
    rate: clock instanceof ScaledClock ? clock.rate : null,
  })
  const list = (): DaemonInfo[] => DAEMON_IDS.map(info)
  const changed = (): void => emit(changeListeners, list(), 'onChange')

  const checkId = (id: unknown): DaemonId => {
    if (typeof id === 'string' && Object.hasOwn(definitions, id)) return id as DaemonId
    throw new DaemonError('unknown-daemon', `no daemon ${JSON.stringify(id)}; the daemons are ${DAEMON_IDS.join(', ')}`)
  }

  /** Cancels the daemon's tasks (those still live), lets cleanup run, then marks it ended and announces it. */
  const stopSlot = (id: DaemonId, daemon: RunningDaemon, graceMs: number, reason: string, by: DaemonEnd['by'], why: string) => {
    const slot = slots[id]
    slot.stopping = (async () => {
      try {
        const report = await stopTasks(loop, daemon.tasks, graceMs, reason)
        const detail = daemon.afterStop?.()
        return { id, wasRunning: true, ...report, ...(detail ? { detail } : {}) }
      } finally {
        slot.running = null
        slot.stopping = null
        slot.ended = { by, why, wall: Date.now() }
        changed()
      }
    })()
    return slot.stopping
  }

  /**
   * A daemon's status follows its tasks: once the tasks that do its work have all ended on their own
   * (cancelled from the window, failed), the daemon has ended — what else it runs is stopped, it
   * reads not running with why, and it may start again. A stop or restart under way takes precedence.
   */
  const endWithItsWorkers = (id: DaemonId, daemon: RunningDaemon): void => {
    const workers = daemon.workers ?? daemon.tasks
    let left = workers.length
    for (const t of workers) {
      t.addDoneCallback(() => {
        if (--left > 0 || slots[id].running !== daemon || slots[id].stopping) return
        const why = describeEnd(workers, daemon.workers ? 'workers' : 'tasks')
        void stopSlot(id, daemon, DEFAULT_GRACE_MS, `daemon ${id} ended: ${why}`, 'tasks', why)
      })
    }
  }

  const daemons: Daemons = {
    loop,
    list,

    async start(rawId, config) {
      if (shutDown) throw new DaemonError('shut-down', 'the daemons have been shut down')
      const id = checkId(rawId)
      const parsed = v.safeParse(configSchemas[id], config ?? {})
      if (!parsed.success) {
        const issues = parsed.issues.map((i) => ({ path: v.getDotPath(i) ?? '', message: i.message }))
        throw new DaemonError(
          'invalid-config',
          `invalid ${id} config: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`,
          issues,
        )
      }
      const slot = slots[id]
      if (slot.running || slot.starting || slot.stopping) {
        throw new DaemonError('already-running', `the ${id} daemon is ${slot.stopping ? 'stopping' : 'already running'}`)
      }
      slot.starting = true
      try {
        const url = id !== 'stats' ? '' : (options.collectorUrl ?? (await ensureCollector()).url)
        if (shutDown) throw new DaemonError('shut-down', 'the daemons have been shut down')
        const t0 = loop.time()
        const ctx: DaemonContext = {
          loop,
          history: options.history,
          collectorUrl: url,
          taskCounts,
          log(line, stream = 'stdout') {
            const task = taskOrNull() // currentTask() throws outside a running loop, as CPython's
            emit(logListeners, { daemon: id, t: loop.time() - t0, line, taskId: task?.id ?? null, taskName: task?.name ?? null, stream }, 'onLog')
          },
          jobsProgress: (p) => emit(progressListeners, p, 'onJobsProgress'),
        }
        slot.config = parsed.output as Record<string, unknown>
        slot.running = definitions[id].start(ctx, slot.config)
        slot.ended = null
        endWithItsWorkers(id, slot.running)
      } finally {
        slot.starting = false
      }
      changed()
      return info(id)
    },

    stop(rawId, graceMs = DEFAULT_GRACE_MS) {
      const id = checkId(rawId)
      if (!(typeof graceMs === 'number' && Number.isFinite(graceMs) && graceMs >= 0)) {
        return Promise.reject(new DaemonError('invalid-config', `graceMs must be a finite number ≥ 0, got ${String(graceMs)}`))
      }
      const slot = slots[id]
      if (slot.stopping) return slot.stopping
      const daemon = slot.running
      if (!daemon) {
        return Promise.resolve({ id, wasRunning: false, graceMs, elapsedMs: 0, finished: [], forced: [], cleanupErrors: [] })
      }
      return stopSlot(id, daemon, graceMs, `daemon ${id} stopped`, 'stop', 'stopped')
    },

    async shutdown(graceMs = DEFAULT_GRACE_MS) {
      shutDown = true
      const reports = await Promise.all(DAEMON_IDS.filter((id) => slots[id].running || slots[id].stopping).map((id) => daemons.stop(id, graceMs)))
      const others = await loop.shutdown({ graceMs })
      loop.stop()
      await running.catch(() => undefined)
      loop.close()
      if (collector) await (await collector.catch(() => null))?.close()
      return { graceMs, daemons: reports, others }
    },

    onSample: (cb) => subscribe(sampleListeners, cb),
    onJobsProgress: (cb) => subscribe(progressListeners, cb),
    onLog: (cb) => subscribe(logListeners, cb),
    onChange: (cb) => subscribe(changeListeners, cb),
    collectorUrl: () => collectorUrl,
  }
  return daemons
}

/** The running task, or null outside every task and loop (host code, a foreign promise's continuation). */
function taskOrNull(): Task<unknown> | null {
  try {
    return currentTask()
  } catch {
    return null
  }
}
