import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Job } from 'bullmq'
import { afterEach, describe, expect, it } from 'vitest'
import { openHistory } from '../../src/main/history'
import { completedJobs } from '../../src/main/queue'

const dirs: string[] = []
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })))

const job = (id: string, attemptsStarted: number, returnvalue: unknown) =>
  ({ id, attemptsStarted, attemptsMade: 1, stalledCounter: attemptsStarted - 1, returnvalue, finishedOn: 1000 }) as unknown as Job

describe('queue_jobs (completed BullMQ jobs in the history database)', () => {
  it('records a job id once: a second completion of the same id (a retry, a duplicate event) changes nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'loopwatch-qj-'))
    dirs.push(dir)
    const history = openHistory(dir)
    try {
      const table = completedJobs(history.db)
      expect(table.record('q', job('7', 2, { worker: 'worker 1' }))).toBe(true)
      expect(table.record('q', job('7', 3, { worker: 'worker 2' }))).toBe(false)
      expect(table.record('other', job('7', 1, null))).toBe(true) // ids are per queue
      expect(table.rows('q')).toEqual([
        { queue: 'q', job_id: '7', attempts_started: 2, attempts_made: 1, stalled_count: 1, result: '{"worker":"worker 1"}', finished_at: 1000 },
      ])
      // The table survives reopening (created once, IF NOT EXISTS).
      expect(completedJobs(history.db).rows('other').length).toBe(1)
    } finally {
      history.close()
    }
  })
})
