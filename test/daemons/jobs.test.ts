import { describe, expect, it } from 'vitest'
import { VirtualClock } from '../../src/main/runtime'
import type { JobsProgress } from '../../src/main/daemons'
import type { OpenedHistory } from '../../src/main/history'
import { setup, until } from './helpers'

const count = (h: OpenedHistory, sql: string): number => (h.db.prepare(sql).all() as { n: number }[])[0]!.n

/** Every way a job could be half-written or lost, counted (all must be 0). */
function inconsistencies(h: OpenedHistory) {
  return {
    doneWithoutOrder: count(h, "SELECT count(*) AS n FROM jobs j WHERE status = 'done' AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.job_id = j.id)"),
    pendingWithOrder: count(h, "SELECT count(*) AS n FROM jobs j WHERE status = 'pending' AND EXISTS (SELECT 1 FROM orders o WHERE o.job_id = j.id)"),
    itemsMissing: count(h, 'SELECT count(*) AS n FROM orders o WHERE item_count != (SELECT count(*) FROM order_items i WHERE i.order_id = o.id)'),
    itemsNotAsAccepted: count(h, "SELECT count(*) AS n FROM jobs j JOIN orders o ON o.job_id = j.id WHERE json_array_length(j.payload, '$.items') != o.item_count"),
    totalWrong: count(h, 'SELECT count(*) AS n FROM orders o WHERE total_cents != (SELECT sum(quantity * unit_cents) FROM order_items i WHERE i.order_id = o.id)'),
  }
}
const none = { doneWithoutOrder: 0, pendingWithOrder: 0, itemsMissing: 0, itemsNotAsAccepted: 0, totalWrong: 0 }

describe('job workers', () => {
  it('write faker orders with their items, one transaction per job, and report throughput', async () => {
    const { history, daemons } = setup({ clock: new VirtualClock() })
    const progress: JobsProgress[] = []
    daemons.onJobsProgress((p) => progress.push(p))

    await daemons.start('jobs', { workers: 4, jobMs: 50, produceEveryMs: 10, progressMs: 1000 })
    await until(() => progress.length >= 3, 10_000, 'three progress reports')
    await daemons.stop('jobs', 1000)

    // Steady state: 4 workers × one job per 50 ms of the daemons' clock.
    const steady = (4 * 1000) / 50
    const [first, second, third] = progress as [JobsProgress, JobsProgress, JobsProgress]
    expect(first.perSecond).toBeLessThanOrEqual(steady) // the first jobs start after the producer
    expect([second.perSecond, third.perSecond]).toEqual([steady, steady])
    expect(third.done).toBe(first.perSecond + second.perSecond + third.perSecond)
    expect(count(history, "SELECT count(*) AS n FROM jobs WHERE status = 'done'")).toBeGreaterThanOrEqual(third.done)
    expect(count(history, 'SELECT count(*) AS n FROM order_items')).toBeGreaterThan(third.done)
    expect(inconsistencies(history)).toEqual(none)
  })

  it('a stop mid-flight finishes the jobs in hand and leaves every other accepted job pending, none half-written', async () => {
    const { history, daemons } = setup({ clock: new VirtualClock() })
    const progress: JobsProgress[] = []
    daemons.onJobsProgress((p) => progress.push(p))
    await daemons.start('jobs', { workers: 4, queueSize: 20, jobMs: 50, produceEveryMs: 5 })
    await until(() => progress.length >= 1, 10_000, 'a progress report')

    const report = await daemons.stop('jobs', 1000)

    expect(report.forced).toEqual([])
    expect(report.cleanupErrors).toEqual([])
    expect(report.finished.map((t) => t.name).sort()).toEqual(
      ['job-worker-1', 'job-worker-2', 'job-worker-3', 'job-worker-4', 'jobs-producer', 'jobs-progress'],
    )
    // The producer outpaces the workers, so each worker held a job when the stop came: all four
    // were written during cleanup.
    expect(report.detail?.finishedInCleanup).toBe(4)
    const accepted = count(history, 'SELECT count(*) AS n FROM jobs')
    const done = count(history, "SELECT count(*) AS n FROM jobs WHERE status = 'done'")
    const pending = count(history, "SELECT count(*) AS n FROM jobs WHERE status = 'pending'")
    expect(done).toBe(report.detail?.done)
    expect(pending).toBe(report.detail?.pending)
    expect(done + pending).toBe(accepted)
    expect(pending).toBeGreaterThan(0) // the queued jobs: accepted, not written, not lost
    expect(inconsistencies(history)).toEqual(none)
  })

  it('the next start takes the jobs a stop left pending before making new ones', async () => {
    const { history, daemons } = setup({ clock: new VirtualClock() })
    const progress: JobsProgress[] = []
    daemons.onJobsProgress((p) => progress.push(p))
    await daemons.start('jobs', { queueSize: 10 })
    await until(() => progress.length >= 1, 10_000, 'a progress report')
    await daemons.stop('jobs')
    const left = (history.db.prepare("SELECT id FROM jobs WHERE status = 'pending' ORDER BY id").all() as { id: number }[]).map((r) => r.id)
    expect(left.length).toBeGreaterThan(0)

    progress.length = 0
    await daemons.start('jobs', { queueSize: 10 })
    await until(() => progress.length >= 1, 10_000, 'a progress report after restart')
    await daemons.stop('jobs')

    const stillPending = history.db
      .prepare(`SELECT id FROM jobs WHERE status = 'pending' AND id IN (${left.join(',')})`)
      .all()
    expect(stillPending).toEqual([])
    expect(inconsistencies(history)).toEqual(none)
  })
})
