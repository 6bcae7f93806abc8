// The shutdown plan's job-worker group on its own: one part or one left-running entry for all the
// workers, their reports merged with each task named by its worker, a failed stop kept as an error.
import { describe, expect, it } from 'vitest'
import { JOB_WORKERS_PART, groupJobWorkers } from '../../src/main/app/job-workers-part'
import type { SourceInfo } from '../../src/shared/snapshots'

function source(id: string, name: string): SourceInfo {
  return { id, name, pid: 1, runtime: { kind: 'node', version: '22' }, clock: { kind: 'real' }, role: 'service', state: 'connected', exit: null, connectedWall: 0, endedWall: null, loops: [], taskCount: 0, runId: null }
}
const report = (names: string[]) => ({ graceMs: 100, elapsedMs: 1, finished: names.map((name, k) => ({ id: k + 1, name, state: 'cancelled' as const })), forced: [], cleanupErrors: [] })

describe('groupJobWorkers', () => {
  const workers = [source('agent-1', 'worker 11'), source('agent-2', 'worker 22'), source('agent-3', 'worker 33')]
  const other = { kind: 'source' as const, id: 'agent-9', title: 'editor program', stop: async () => report(['main']) }

  it('stops the workers as one part, merging their reports with unique ids and worker-named tasks; a failed stop is a cleanup error naming it', async () => {
    const plan = groupJobWorkers(
      {
        stop: [
          other,
          { kind: 'source', id: 'agent-1', title: 'w1', stop: async () => report(['job 1', 'job 2']) },
          { kind: 'source', id: 'agent-2', title: 'w2', stop: async () => report(['job 3']) },
          { kind: 'source', id: 'agent-3', title: 'w3', stop: async () => Promise.reject(new Error('did not answer its stop')) },
        ],
        leftRunning: [],
      },
      workers,
      (sourceId, localId) => Number(sourceId.slice(6)) * 1000 + localId,
    )
    expect(plan.stop.map((p) => p.id)).toEqual(['agent-9', JOB_WORKERS_PART])
    const group = plan.stop[1]!
    expect(group.title).toBe('job workers (3): worker 11, worker 22, worker 33')
    const merged = await group.stop(100)
    expect(merged.finished).toEqual([
      { id: 1001, name: 'worker 11 › job 1', state: 'cancelled' },
      { id: 1002, name: 'worker 11 › job 2', state: 'cancelled' },
      { id: 2001, name: 'worker 22 › job 3', state: 'cancelled' },
    ])
    expect(merged.cleanupErrors).toEqual([{ id: -3, name: 'worker 33', message: 'did not answer its stop' }])
  })

  it('lists workers left running as one entry beside the other services', () => {
    const plan = groupJobWorkers(
      { stop: [], leftRunning: [{ id: 'agent-9', title: 'billing (pid 9)' }, { id: 'agent-1', title: 'worker 11 (pid 11)' }, { id: 'agent-2', title: 'worker 22 (pid 22)' }] },
      workers,
      () => 0,
    )
    expect(plan).toEqual({ stop: [], leftRunning: [{ id: 'agent-9', title: 'billing (pid 9)' }, { id: JOB_WORKERS_PART, title: 'job workers (2): worker 11, worker 22' }] })
  })
})
