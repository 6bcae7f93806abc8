// The app's graceful shutdown and the job workers: real Redis, two real `loopwatch worker`
// processes watched by a real app core. By default they are services like any other — told and
// left running, listed as one group; with stopWorkers the shutdown stops them all as one part
// "job workers (2)", and the jobs they held go back to BullMQ's waiting list for another worker.
import { Queue } from 'bullmq'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { redisOptions } from '../../src/main/queue'
import { appUrl } from '../../src/shared/agent-protocol/index'
import { openApp } from '../ipc/app-helper'
import { fakeAgent } from '../app/source-agents'
import { redisSkipReason, startRedis } from '../support/redis'
import type { TestRedis } from '../support/redis'
import { killAll, pollUntil, startCli } from './fleet-helper'
import type { WorkerProcess } from './fleet-helper'

describe.skipIf(redisSkipReason !== null)(`graceful shutdown and the job workers${redisSkipReason ? ` (${redisSkipReason})` : ''}`, () => {
  let redis: TestRedis
  beforeAll(async () => void (redis = await startRedis()))
  afterEach(() => killAll())
  afterAll(async () => redis?.stop())

  /** An app, a plain service, and two workers holding two 20 s jobs each. */
  async function fleet(queueName: string) {
    const app = openApp()
    const hub = (await app.core.hubReady)!
    const queue = new Queue(queueName, { connection: redisOptions(redis.url) })
    const service = await fakeAgent(app.dataDir, 'billing-service')
    const producer = await startCli(['produce', '--count', '4', '--job-ms', '20000', '--redis', redis.url, '--queue', queueName], {}, null)
    expect(await producer.exited).toBe(0)
    const args = ['worker', '--redis', redis.url, '--queue', queueName, '--concurrency', '2', '--app', appUrl(hub)]
    const workers: WorkerProcess[] = []
    for (let k = 0; k < 2; k++) workers.push(await startCli(args, {}, /taking jobs/))
    await pollUntil(async () => (await queue.getJobCounts('active')).active === 4, 15_000, 'four jobs active')
    const sourceOf = (w: WorkerProcess) => app.core.sources.list().find((s) => s.name === w.slot)
    await pollUntil(() => workers.every((w) => sourceOf(w)?.state === 'connected') && app.core.sources.list().length === 3, 10_000, 'three sources')
    return { app, queue, service, workers, sourceOf }
  }

  it('leaves the workers running by default, listed as one group "job workers (2)" beside the other services', { timeout: 60_000 }, async () => {
    const { app, queue, workers, sourceOf } = await fleet('left')
    const report = await app.ok('app:shutdown', { graceMs: 1000 })
    expect(report.parts.filter((p) => p.kind === 'source')).toEqual([])
    const names = workers.map((w) => w.slot).sort()
    expect(report.leftRunning.map((l) => l.title).sort()).toEqual([`billing-service (pid ${app.core.sources.list().find((s) => s.name === 'billing-service')!.pid})`, `job workers (2): ${names.join(', ')}`].sort())
    expect(workers.map((w) => sourceOf(w)?.state)).toEqual(['connected', 'connected'])
    expect((await queue.getJobCounts('active')).active).toBe(4)
    await queue.close()
  })

  it('with stopWorkers stops every worker as one part "job workers (2)", lists their jobs, and hands the jobs they held back to the queue', { timeout: 60_000 }, async () => {
    const { app, queue, service, workers, sourceOf } = await fleet('stopped')
    const report = await app.ok('app:shutdown', { graceMs: 1000, stopWorkers: true })
    const names = workers.map((w) => w.slot).sort()
    const part = report.parts.find((p) => p.id === 'job-workers')
    expect(part).toMatchObject({ kind: 'source', state: 'stopped', title: `job workers (2): ${names.join(', ')}` })
    // Each job task is listed with its worker; cancelled because the worker stopped, not failed.
    const jobs = part!.report!.finished.filter((f) => / › job \d+$/.test(f.name))
    expect(jobs.map((f) => f.name.split(' › ')[0]).sort()).toEqual([...names, ...names].sort())
    expect(jobs.map((f) => f.state)).toEqual(['cancelled', 'cancelled', 'cancelled', 'cancelled'])
    expect(new Set(part!.report!.finished.map((f) => f.id)).size).toBe(part!.report!.finished.length)
    // The other service was only told.
    expect(report.leftRunning.map((l) => l.title)).toEqual([expect.stringMatching(/^billing-service /)])
    expect(service.commands.filter((c) => c.type === 'stop')).toEqual([])

    for (const w of workers) expect(await w.exited).toBe(0)
    await pollUntil(() => workers.every((w) => sourceOf(w)?.state === 'exited'), 10_000, 'both workers exited')
    expect(await queue.getJobCounts('active', 'waiting', 'failed')).toEqual({ active: 0, waiting: 4, failed: 0 })
    for (const j of await queue.getWaiting()) expect(j.attemptsMade).toBe(0)
    for (const w of workers) expect(w.out()).toContain('stopped (0 completed, 0 failed; 2 handed back to the queue)')
    await queue.close()
  })
})
