import type { Handlers } from '../../shared/contract'
import type { TaskSnapshot, TaskDetail, AwaitSnapshot, SlowStepsInfo } from '../../shared/snapshots'
import type { AppCore } from '../app/app-core'
import { AppError } from './app-error'
import { EXPORT_MIME, EXPORT_PATH, exportFilename } from '../../shared/history-contract'
import { programHandlers } from '../programs/handlers'
import { coursePythonHandlers } from '../course-python/handlers'
import { queueHandlers } from '../queue/queue-handlers'
import { LoopControls } from '../app/loop-controls'
import { allLoopResources } from './resources-handler'

/**
 * The one handler table, keyed by channel. Each handler receives a payload the contract's schema
 * has already checked (see dispatch) and throws AppError for anything it refuses, before changing
 * anything.
 */
export function createHandlers(core: AppCore): Handlers {
  const loops = new LoopControls(core.monitor, core.sources)
  return {
    'app:snapshot': () => core.snapshot(),
    'scenarios:list': () => core.scenarios(),
    'scenario:start': ({ id, params, clock }) => {
      core.assertAccepting()
      return core.runs.start(id, params, clock)
    },
    'runs:list': () => core.runs.list(),
    'run:stop': ({ runId, graceMs }) => core.runs.stop(runId, graceMs),
    'task:get': async ({ taskId }) => {
      if (core.sources.owns(taskId)) {
        const detail = core.sources.detail(taskId)
        if (!detail) throw new AppError('not_found', `no task #${taskId}`)
        // Asked of its process, for at most TIMING_TIMEOUT_MS: none when it cannot answer in time.
        const timing = await core.sources.timing(taskId)
        return timing ? { ...detail, timing } : detail
      }
      const task = core.monitor.get(taskId)
      if (!task) throw new AppError('not_found', `no task #${taskId}`)
      const timing = core.monitor.timingOf(taskId)
      return { task, logs: core.monitor.logsOf(taskId), awaitChain: awaitChain(core, task), children: core.monitor.childrenOf(taskId), ...(timing ? { timing } : {}) } satisfies TaskDetail
    },
    'task:cancel': ({ taskId, reason }) => core.controls.cancel(taskId, reason ?? null),
    'task:setDeadline': ({ taskId, inMs }) => core.controls.setDeadline(taskId, inMs),
    'tasks:bulk': (request) => core.controls.bulk(request),
    'daemons:list': () => core.daemons.list(),
    'daemon:start': ({ id, config }) => {
      core.assertAccepting()
      return core.daemons.start(id, config)
    },
    'daemon:stop': ({ id, graceMs }) => core.daemons.stop(id, graceMs),
    'app:shutdown': ({ graceMs, stopServices, stopWorkers }) => core.shutdown(graceMs, { stopServices: stopServices === true, ...(stopWorkers !== undefined ? { stopWorkers } : {}) }),
    'history:list': (p) => core.history.listRuns({ limit: p?.limit ?? 100, before: p?.before }),
    'history:get': ({ runId, ...page }) => {
      const detail = core.history.getRun(runId, page)
      if (!detail) throw new AppError('not_found', `no run ${runId} in the history`)
      return detail
    },
    'history:events': (request) => core.history.events(request),
    'run:export': async ({ runId, format }) => {
      if (!core.history.getRun(runId, { taskLimit: 1, logLimit: 1 })) throw new AppError('not_found', `no run ${runId} in the history`)
      const file = { filename: exportFilename(runId, format), mime: EXPORT_MIME[format] }
      // The browser host streams any size over HTTP (export-route.ts); the page adds its token.
      if (core.opts.host === 'web') return { kind: 'download', ...file, url: `${EXPORT_PATH}?runId=${runId}&format=${format}` }
      // Electron without a save dialog wired (see AppCore.exportRunToFile): small runs inline.
      try {
        return { kind: 'inline', ...file, content: await core.history.exportRun(runId, format) }
      } catch (e) {
        if ((e as { code?: unknown }).code === 'export-too-large') throw new AppError('invalid_state', (e as Error).message)
        throw e
      }
    },
    'retention:get': () => core.history.retention(),
    'retention:set': (policy) => core.history.setRetention(policy),
    'sources:list': () => core.sources.list(),
    // An editor program's source: the app owns its process, so a stop it cannot answer ends in a kill.
    'source:stop': ({ sourceId, graceMs }) => core.stopSource(sourceId, graceMs),
    'steps:slow': () => withSourcesSlow(core, slowSteps(core).info()),
    'steps:setThreshold': ({ thresholdMs }) => {
      const slow = slowSteps(core)
      slow.thresholdMs = thresholdMs
      return withSourcesSlow(core, slow.info())
    },
    ...programHandlers(core),
    ...coursePythonHandlers(core),
    ...queueHandlers(core),
    'loop:control': (request) => loops.control(request),
    'loop:inspect': ({ loopId, limit }) => loops.inspect(loopId, limit),
    'loop:resources': (p) => allLoopResources(core.monitor, core.sources, p?.loop ?? null),
  }
}

/** The app's slow-step records (its monitor always times steps; a monitor made without it is refused). */
function slowSteps(core: AppCore): NonNullable<AppCore['monitor']['slowSteps']> {
  const slow = core.monitor.slowSteps
  if (slow === null) throw new AppError('invalid_state', 'step timing is off in this app')
  return slow
}

/** The app's slow steps and the connected processes' (each recorded on its own threshold). */
function withSourcesSlow(core: AppCore, info: SlowStepsInfo): SlowStepsInfo {
  const external = core.sources.slowSteps()
  return external.length === 0 ? info : { ...info, steps: [...info.steps, ...external] }
}

/** This task's await, what that awaits, … until a non-task, an unknown task, or a cycle. */
function awaitChain(core: AppCore, task: TaskSnapshot): AwaitSnapshot[] {
  const chain: AwaitSnapshot[] = []
  const seen = new Set<number>([task.id])
  let edge = task.awaiting
  while (edge && chain.length < 50) {
    chain.push(edge)
    if (edge.taskId === null || seen.has(edge.taskId)) break
    seen.add(edge.taskId)
    edge = core.monitor.get(edge.taskId)?.awaiting ?? null
  }
  return chain
}
