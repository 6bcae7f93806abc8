// The graceful shutdown's view of the job workers (`loopwatch worker` processes): one group,
// "job workers (N)", instead of N lines among the other services — stopped together as one part,
// or listed together as left running.
import type { AppShutdownReport, ShutdownReport, SourceId, SourceInfo } from '../../shared/snapshots'
import type { Stoppable } from './app-shutdown'

/** The id of the group's part and of its left-running entry. */
export const JOB_WORKERS_PART = 'job-workers'

export interface JobWorkersPlan {
  stop: Stoppable[]
  leftRunning: AppShutdownReport['leftRunning']
}

/**
 * Replaces the workers' own entries of a shutdown plan by one group. Stopping the group stops every
 * worker at once with the same grace; its report merges theirs, each task named with its worker
 * (`worker 4242 › job 17`) and numbered as the window numbers it (`globalId`); a worker whose stop
 * fails is a cleanup error naming it, never lost.
 */
export function groupJobWorkers(
  plan: JobWorkersPlan,
  workers: readonly SourceInfo[],
  globalId: (sourceId: SourceId, localId: number) => number,
): JobWorkersPlan {
  const byId = new Map(workers.map((w) => [w.id, w]))
  const stopping = plan.stop.filter((p) => byId.has(p.id))
  const left = plan.leftRunning.filter((l) => byId.has(l.id))
  const stop = plan.stop.filter((p) => !byId.has(p.id))
  const leftRunning = plan.leftRunning.filter((l) => !byId.has(l.id))
  const names = (ids: string[]) => ids.map((id) => byId.get(id)!.name).join(', ')
  if (stopping.length > 0) {
    stop.push({
      kind: 'source',
      id: JOB_WORKERS_PART,
      title: `job workers (${stopping.length}): ${names(stopping.map((p) => p.id))}`,
      stop: async (graceMs) => {
        const started = performance.now()
        const reports = await Promise.allSettled(stopping.map((p) => p.stop(graceMs)))
        return mergeReports(
          graceMs,
          performance.now() - started,
          reports.map((r, i) => ({ worker: byId.get(stopping[i]!.id)!, r })),
          globalId,
        )
      },
    })
  }
  if (left.length > 0) leftRunning.push({ id: JOB_WORKERS_PART, title: `job workers (${left.length}): ${names(left.map((l) => l.id))}` })
  return { stop, leftRunning }
}

function mergeReports(
  graceMs: number,
  elapsedMs: number,
  parts: { worker: SourceInfo; r: PromiseSettledResult<ShutdownReport> }[],
  globalId: (sourceId: SourceId, localId: number) => number,
): ShutdownReport {
  const merged: ShutdownReport = { graceMs, elapsedMs, finished: [], forced: [], cleanupErrors: [] }
  for (const [k, { worker, r }] of parts.entries()) {
    const id = (local: number) => globalId(worker.id, local)
    const name = (n: string) => `${worker.name} › ${n}`
    if (r.status === 'rejected') {
      const e = r.reason as unknown
      // No task to name: a negative id of its own, so the report's entries stay distinct.
      merged.cleanupErrors.push({ id: -(k + 1), name: worker.name, message: e instanceof Error ? e.message : String(e) })
      continue
    }
    merged.finished.push(...r.value.finished.map((f) => ({ ...f, id: id(f.id), name: name(f.name) })))
    merged.forced.push(...r.value.forced.map((f) => ({ ...f, id: id(f.id), name: name(f.name) })))
    merged.cleanupErrors.push(...r.value.cleanupErrors.map((f) => ({ ...f, id: id(f.id), name: name(f.name) })))
  }
  return merged
}
