// A connected process's life as a history run, like a scenario's: recorded from the translated
// hub changes (the history's own recorder is an instrument on an in-process loop, which an agent
// is not).
import type { History } from '../history/index'
import type { SourceInfo as HubSourceInfo } from '../hub/index'
import { FINAL_STATES } from '../../shared/snapshots'
import type { TaskSnapshot } from '../../shared/snapshots'
import type { SourceRecorder } from './external-sources'

const FINAL = new Set<string>(FINAL_STATES)

/** The end reason (error name) of a run whose process the app killed itself, with a cancelled outcome. */
export const KILLED_BY_APP = 'KilledByApp'

/** The history run's scenario field for a source: `agent:<name>`. */
export function sourceScenario(name: string): string {
  return `agent:${name}`.slice(0, 200)
}

/**
 * Records sources into `history`: a run per connection (scenario `agent:<name>`), its tasks by the
 * agent's own ids, its printed lines, and its outcome — `cancelled` when it ended after a stop
 * from the app (as a stopped scenario run) or when the app killed it (`KilledByApp`: an editor
 * child past its grace), else `done` / `failed` from its bye's exit code, and `interrupted` when it
 * was lost (its unfinished tasks too).
 */
export function sourceRecorder(history: History): SourceRecorder {
  return {
    start(source: HubSourceInfo) {
      const clock = source.clock.kind === 'virtual' ? ('virtual' as const) : { speed: source.clock.kind === 'scaled' ? source.clock.rate : 1 }
      return history.startRun({
        scenario: sourceScenario(source.name),
        params: { sourceId: source.id, pid: source.pid, runtime: `${source.runtime.kind} ${source.runtime.version}` },
        clock,
      })
    },
    tasks(runId: number, tasks: TaskSnapshot[], logs) {
      for (const t of tasks) history.recordTask(runId, taskRow(t))
      for (const l of logs) history.log(runId, l)
    },
    end(runId: number, source: HubSourceInfo, { stopped, appClosing, killedByApp }) {
      // The app killed it on purpose (an editor child past its grace): a stop, not a lost process.
      if (source.state === 'lost' && killedByApp !== null) {
        history.endRun(runId, { outcome: 'cancelled', error: { name: KILLED_BY_APP, message: killedByApp } })
        return
      }
      if (source.state === 'lost') {
        const message = appClosing
          ? `the app closed while watching ${source.name} (pid ${source.pid}); the process may have run on`
          : `${source.name} (pid ${source.pid}) dropped its connection without a bye`
        history.endRun(runId, { outcome: 'interrupted', error: { name: appClosing ? 'AppClosed' : 'ConnectionLost', message } })
        return
      }
      const code = source.exit?.code ?? null
      if (stopped && (code === null || code === 0)) history.endRun(runId, { outcome: 'cancelled' })
      else if (code === null || code === 0) history.endRun(runId, { outcome: 'done' })
      else history.endRun(runId, { outcome: 'failed', error: { name: 'ExitStatus', message: `exited with code ${code}: ${source.exit?.reason ?? ''}`.trim() } })
    },
  }
}

function taskRow(t: TaskSnapshot) {
  return {
    taskId: t.id,
    name: t.name,
    parentId: t.parentId,
    createdAt: t.createdAt.loop,
    startedAt: t.startedAt?.loop ?? null,
    endedAt: FINAL.has(t.state) ? (t.endedAt?.loop ?? null) : null,
    state: t.state,
    cancelSource: t.cancel?.source ?? null,
    cancelReason: t.cancel?.reason ?? null,
    errorName: t.error?.name ?? null,
    errorMessage: t.error?.message ?? null,
    stack: t.error?.stack ?? null,
  }
}
