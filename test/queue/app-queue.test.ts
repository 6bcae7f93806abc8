// The app's own side of the job queue, on a real Redis: the main process records completed BullMQ
// jobs into SQLite by itself (once per id, with their attempts), and the queue view's channels
// answer BullMQ's own counts, its failed set and retries — or the in-process queue's, without Redis.
import { Job, Queue, Worker } from 'bullmq'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { completedJobs, redisOptions } from '../../src/main/queue'
import { QUEUE_COUNT_KINDS, QUEUE_LIMITS } from '../../src/shared/queue-contract'
import type { QueueStatus } from '../../src/shared/queue-contract'
import { openApp } from '../ipc/app-helper'
import { redisSkipReason, startRedis } from '../support/redis'
import type { TestRedis } from '../support/redis'
import { pollUntil } from './fleet-helper'

/** Polls queue:status until `ok` holds of it (10 s bound). */
async function statusWhen(app: ReturnType<typeof openApp>, ok: (s: QueueStatus) => boolean): Promise<QueueStatus> {
  let last: QueueStatus | null = null
  await pollUntil(async () => ok((last = await app.ok('queue:status'))), 10_000, 'the queue status')
  return last!
}

describe('the queue view on the in-process default (no Redis)', () => {
  it('answers the in-process queue\'s own counts and workers while the jobs daemon runs, and refuses retries with a typed error', async () => {
    const app = openApp()
    const idle = await app.ok('queue:status')
    expect(idle).toMatchObject({ backend: 'in-process', running: false, queue: null, redis: null, workers: [], error: null })
    expect(Object.keys(idle.counts!)).toEqual([...QUEUE_COUNT_KINDS])

    await app.ok('daemon:start', { id: 'jobs', config: { workers: 3, jobMs: 5, produceEveryMs: 1 } })
    const busy = await statusWhen(app, (s) => s.counts!.completed >= 20)
    expect(busy).toMatchObject({ backend: 'in-process', running: true })
    expect(busy.workers.map((w) => w.name)).toEqual(['job-worker-1', 'job-worker-2', 'job-worker-3'])
    expect(busy.throughput.perSecond).toBeGreaterThan(0)
    expect(busy.throughput.perSecondSeries).toHaveLength(QUEUE_LIMITS.throughputSeconds)
    expect(await app.ok('queue:failed')).toEqual({ backend: 'in-process', total: 0, offset: 0, jobs: [] })
    expect(await app.call('queue:retry', { jobId: 'x' })).toMatchObject({ ok: false, error: { code: 'invalid_state', message: expect.stringContaining('in-process queue') } })
    expect(await app.call('queue:retryAll')).toMatchObject({ ok: false, error: { code: 'invalid_state' } })

    await app.ok('daemon:stop', { id: 'jobs', graceMs: 2000 })
    expect((await statusWhen(app, (s) => !s.running)).running).toBe(false)
  })

  it('refuses bad queue payloads with bad_request', async () => {
    const app = openApp()
    expect(await app.call('queue:retry', { jobId: '' })).toMatchObject({ ok: false, error: { code: 'bad_request' } })
    expect(await app.call('queue:retry', { jobId: 'a b' })).toMatchObject({ ok: false, error: { code: 'bad_request' } })
    expect(await app.call('queue:retry', { jobId: 'x'.repeat(201) })).toMatchObject({ ok: false, error: { code: 'bad_request' } })
    expect(await app.call('queue:failed', { limit: QUEUE_LIMITS.maxFailedPage + 1 })).toMatchObject({ ok: false, error: { code: 'bad_request' } })
    expect(await app.call('queue:status', { poll: true })).toMatchObject({ ok: false, error: { code: 'bad_request' } })
  })
})

describe.skipIf(redisSkipReason !== null)(`the app's queue on BullMQ${redisSkipReason ? ` (${redisSkipReason})` : ''}`, () => {
  let redis: TestRedis
  const closing: (() => Promise<unknown>)[] = []
  beforeAll(async () => void (redis = await startRedis()))
  afterEach(async () => {
    for (const c of closing.splice(0).reverse()) await c()
    delete process.env['LOOPWATCH_REDIS_URL']
  })
  afterAll(async () => redis?.stop())

  /** An app whose queue is BullMQ's `loopwatch-jobs` on the test Redis (LOOPWATCH_REDIS_URL), listening. */
  async function bullApp() {
    process.env['LOOPWATCH_REDIS_URL'] = redis.url
    const app = openApp()
    await app.until(() => app.core.queue.bullmq)
    await app.core.queue.bullmq!.recorder.ready
    const queue = new Queue('loopwatch-jobs', { connection: redisOptions(redis.url) })
    closing.push(async () => {
      await queue.obliterate({ force: true })
      await queue.close()
    })
    return { app, queue }
  }
  function worker(process: (job: Job) => Promise<unknown>) {
    const w = new Worker('loopwatch-jobs', process, { connection: redisOptions(redis.url), concurrency: 4 })
    closing.push(() => w.close())
    return w
  }

  it('records each completed job once by id, with its attempts: a job that failed twice and a job completed twice are one row each', async () => {
    const { app, queue } = await bullApp()
    await queue.add('job', { n: 1 }, { jobId: 'plain' })
    await queue.add('job', { n: 2 }, { jobId: 'flaky', attempts: 3 })
    worker(async (job) => {
      if (job.id === 'flaky' && job.attemptsMade < 2) throw new Error(`flaky attempt ${job.attemptsMade + 1}`)
      return { n: job.data.n, attempt: job.attemptsStarted }
    })
    const table = completedJobs(app.core.history.db)
    await pollUntil(() => table.rows('loopwatch-jobs').length === 2, 15_000, 'two rows')
    // BullMQ completes `plain` a second time (retried from the completed set): still one row.
    await (await Job.fromId(queue, 'plain'))!.retry('completed')
    const stats = app.core.queue.bullmq!.recorder.stats
    await pollUntil(() => stats.heard === 3, 15_000, 'the third completed event')
    await pollUntil(() => stats.duplicates === 1, 5_000, 'the duplicate seen')
    const rows = table.rows('loopwatch-jobs')
    expect(rows.map((r) => r.job_id)).toEqual(['flaky', 'plain'])
    expect(rows[0]).toMatchObject({ job_id: 'flaky', attempts_started: 3, attempts_made: 3, result: JSON.stringify({ n: 2, attempt: 3 }) })
    expect(rows[1]).toMatchObject({ job_id: 'plain', attempts_started: 1, result: JSON.stringify({ n: 1, attempt: 1 }) })
    expect(stats).toEqual({ heard: 3, duplicates: 1, recorded: 2 })
  })

  it('records jobs that completed before the app listened (from the event stream), and follows the jobs daemon\'s Redis setting', async () => {
    const queue = new Queue('early', { connection: redisOptions(redis.url) })
    closing.push(() => queue.close())
    const w = new Worker('early', async () => 'ok', { connection: redisOptions(redis.url) })
    closing.push(() => w.close())
    await queue.addBulk([1, 2, 3].map((n) => ({ name: 'job', data: { n }, opts: { jobId: `early-${n}` } })))
    await pollUntil(async () => (await queue.getCompletedCount()) === 3, 10_000, 'three completed before the app')

    const app = openApp() // no LOOPWATCH_REDIS_URL: in-process until the jobs daemon names a Redis
    expect(app.core.queue.bullmq).toBeNull()
    await app.ok('daemon:start', { id: 'jobs', config: { redisUrl: redis.url, queue: 'early', produceEveryMs: 1000, jobMs: 1 } })
    await app.ok('daemon:stop', { id: 'jobs', graceMs: 2000 })
    await app.until(() => app.core.queue.bullmq?.name === 'early')
    const table = completedJobs(app.core.history.db)
    await pollUntil(() => ['early-1', 'early-2', 'early-3'].every((id) => table.rows('early').some((r) => r.job_id === id)), 10_000, 'the early jobs recorded')
    expect((await app.ok('queue:status')).queue).toBe('early')
  })

  it("queue:status is BullMQ's own counts; queue:failed pages the failed set with capped errors; retry one, retry all, typed errors", async () => {
    const { app, queue } = await bullApp()
    const long = 'x'.repeat(2000)
    await queue.addBulk(Array.from({ length: 5 }, (_, k) => ({ name: 'job', data: { k }, opts: { jobId: `bad-${k}` } })))
    await queue.add('job', {}, { jobId: 'later', delay: 60_000 })
    const w = worker(async (job) => {
      throw new Error(job.id === 'bad-0' ? long : `card declined (${job.id})`)
    })
    await pollUntil(async () => (await queue.getFailedCount()) === 5, 10_000, 'five failed')
    await w.close()
    await queue.add('job', {}, { jobId: 'waits' })

    const status = await statusWhen(app, (s) => s.counts?.failed === 5 && s.counts.waiting === 1)
    const theirs = await queue.getJobCounts(...QUEUE_COUNT_KINDS)
    expect(status.counts).toEqual(theirs)
    expect(status).toMatchObject({ backend: 'bullmq', queue: 'loopwatch-jobs', redis: redis.url, paused: false, error: null })
    expect(status.counts).toMatchObject({ failed: 5, waiting: 1, delayed: 1, active: 0 })

    const page1 = await app.ok('queue:failed', { limit: 3 })
    const page2 = await app.ok('queue:failed', { offset: 3, limit: 3 })
    expect(page1).toMatchObject({ backend: 'bullmq', total: 5, offset: 0 })
    expect(page1.jobs).toHaveLength(3)
    expect(page2.jobs).toHaveLength(2)
    const all = [...page1.jobs, ...page2.jobs]
    expect(all.map((j) => j.id).sort()).toEqual(['bad-0', 'bad-1', 'bad-2', 'bad-3', 'bad-4'])
    const bad0 = all.find((j) => j.id === 'bad-0')!
    expect(bad0.failedReason.length).toBe(QUEUE_LIMITS.maxErrorChars)
    expect(all.find((j) => j.id === 'bad-1')).toMatchObject({ failedReason: 'card declined (bad-1)', attemptsMade: 1, attempts: 1 })

    expect(await app.call('queue:retry', { jobId: 'nope' })).toMatchObject({ ok: false, error: { code: 'not_found', message: 'no job "nope" in queue loopwatch-jobs' } })
    expect(await app.call('queue:retry', { jobId: 'waits' })).toMatchObject({ ok: false, error: { code: 'invalid_state', message: expect.stringContaining('is waiting, not failed') } })
    expect(await app.ok('queue:retry', { jobId: 'bad-1' })).toEqual({ jobId: 'bad-1', state: 'waiting' })
    expect(await (await Job.fromId(queue, 'bad-1'))!.getState()).toBe('waiting')
    expect(await queue.getFailedCount()).toBe(4)

    expect(await app.ok('queue:retryAll')).toEqual({ retried: 4 })
    expect(await queue.getJobCounts('failed', 'waiting')).toEqual({ failed: 0, waiting: 6 })
    expect((await app.ok('queue:status')).counts).toMatchObject({ failed: 0, waiting: 6 })
  })

  it('reports a Redis that does not answer in the status instead of failing or hanging', { timeout: 30_000 }, async () => {
    const dead = await startRedis()
    closing.push(() => dead.stop()) // stopped below; this only makes sure, should the test fail first
    process.env['LOOPWATCH_REDIS_URL'] = dead.url
    const app = openApp()
    await app.until(() => app.core.queue.bullmq)
    await dead.stop()
    const s = await statusWhen(app, (r) => r.error !== null)
    expect(s).toMatchObject({ backend: 'bullmq', counts: null, error: expect.stringContaining('did not answer') })
    expect(await app.call('queue:retry', { jobId: 'x' })).toMatchObject({ ok: false, error: { code: 'invalid_state', message: expect.stringContaining('did not answer') } })
  })
})
