// The jobs daemon with a Redis URL: the same daemon, its orders queued in BullMQ instead of in
// process; every accepted order is written once, and BullMQ's counts agree with the database.
import { Queue } from 'bullmq'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { JobsProgress } from '../../src/main/daemons'
import { redisOptions } from '../../src/main/queue'
import { setup, until } from '../daemons/helpers'
import { redisSkipReason, startRedis } from '../support/redis'
import type { TestRedis } from '../support/redis'

describe('jobs daemon settings', () => {
  it('refuses a Redis URL it cannot use with a clear issue, and starts nothing', async () => {
    const { daemons } = setup()
    await expect(daemons.start('jobs', { redisUrl: 'http://example.com' })).rejects.toMatchObject({
      code: 'invalid-config',
      message: expect.stringContaining('redisUrl: "http://example.com": the scheme must be redis:// or rediss://'),
    })
    expect(daemons.list().find((d) => d.id === 'jobs')?.running).toBe(false)
  })
})

describe.skipIf(redisSkipReason !== null)(`jobs daemon on BullMQ${redisSkipReason ? ` (${redisSkipReason})` : ''}`, () => {
  let redis: TestRedis
  beforeAll(async () => void (redis = await startRedis()))
  afterAll(async () => redis?.stop())

  it('queues its orders in BullMQ, writes each once, and a stop lets the jobs in hand finish', async () => {
    const { history, daemons } = setup()
    const progress: JobsProgress[] = []
    daemons.onJobsProgress((p) => progress.push(p))
    await daemons.start('jobs', { redisUrl: redis.url, queue: 'daemon', workers: 3, jobMs: 5, produceEveryMs: 2, progressMs: 100 })
    await until(() => (progress.at(-1)?.done ?? 0) >= 30, 15_000, '30 jobs done')
    const report = await daemons.stop('jobs', 5000)
    expect(report.forced).toEqual([])
    expect(report.cleanupErrors).toEqual([])

    const done = (history.db.prepare("SELECT id FROM jobs WHERE status = 'done'").all() as { id: number }[]).map((r) => r.id)
    expect(done.length).toBe(report.detail?.done)
    const q = new Queue('daemon', { connection: redisOptions(redis.url) })
    const counts = await q.getJobCounts('completed', 'failed', 'active')
    const completedIds = (await q.getCompleted(0, -1)).map((j) => j.id).sort()
    await q.close()
    expect(counts).toEqual({ completed: done.length, failed: 0, active: 0 })
    expect(completedIds).toEqual(done.map((id) => `order-${id}`).sort())
  })

  it('with no redisUrl setting, LOOPWATCH_REDIS_URL chooses BullMQ', async () => {
    const { history, daemons } = setup()
    const progress: JobsProgress[] = []
    daemons.onJobsProgress((p) => progress.push(p))
    process.env['LOOPWATCH_REDIS_URL'] = redis.url
    try {
      await daemons.start('jobs', { queue: 'from-env', workers: 2, jobMs: 5, produceEveryMs: 2, progressMs: 100 })
      await until(() => (progress.at(-1)?.done ?? 0) >= 10, 15_000, '10 jobs done')
      await daemons.stop('jobs', 5000)
    } finally {
      delete process.env['LOOPWATCH_REDIS_URL']
    }
    const done = (history.db.prepare("SELECT count(*) AS n FROM jobs WHERE status = 'done'").all() as { n: number }[])[0]!.n
    const q = new Queue('from-env', { connection: redisOptions(redis.url) })
    expect((await q.getJobCounts('completed')).completed).toBe(done)
    await q.close()
  })
})
