// `loopwatch worker` / `loopwatch produce` as real processes against a private Redis.
import { Queue } from 'bullmq'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { redisOptions } from '../../src/main/queue'
import { appUrl } from '../../src/shared/agent-protocol/index'
import { startHub } from '../hub/hub-helper'
import { redisSkipReason, startRedis } from '../support/redis'
import type { TestRedis } from '../support/redis'
import { killAll, pollUntil, startCli } from './fleet-helper'

describe('loopwatch worker / produce command lines', () => {
  it('refuse a bad Redis URL or count with exit 2 and the usage, touching nothing', async () => {
    const w = await startCli(['worker', '--redis', 'http://localhost:6379', '--no-app'], {}, null)
    expect(await w.exited).toBe(2)
    expect(w.err()).toContain('loopwatch worker: --redis: "http://localhost:6379": the scheme must be redis:// or rediss://')
    expect(w.err()).toContain('usage: loopwatch worker')
    const p = await startCli(['produce', '--count', '0'], {}, null)
    expect(await p.exited).toBe(2)
    expect(p.err()).toContain('--count takes an integer 1 … 1000000, got "0"')
  })
})

describe.skipIf(redisSkipReason !== null)(`loopwatch worker${redisSkipReason ? ` (${redisSkipReason})` : ''}`, () => {
  let redis: TestRedis
  beforeAll(async () => void (redis = await startRedis()))
  afterAll(async () => {
    killAll()
    await redis?.stop()
  })

  it('runs each job as a task named by its id in a source "worker <pid>"; SIGTERM stops taking jobs and lets the ones in hand finish', { timeout: 60_000 }, async () => {
    const hub = await startHub()
    const queue = new Queue('graceful', { connection: redisOptions(redis.url) })
    const producer = await startCli(['produce', '--count', '12', '--job-ms', '600', '--redis', redis.url, '--queue', 'graceful'], {}, null)
    expect(await producer.exited).toBe(0)
    expect(producer.out()).toContain('added 12 jobs to graceful')

    const w = await startCli(['worker', '--redis', redis.url, '--queue', 'graceful', '--concurrency', '3', '--app', appUrl(hub)], {}, /taking jobs/)
    await pollUntil(() => hub.sources().some((s) => s.name === w.slot), 10_000, 'the worker as a source')
    const source = () => hub.sources().find((s) => s.name === w.slot)!
    expect(source().role).toBe('service')
    await pollUntil(() => hub.tasks(source().id).filter((t) => /^job \d+$/.test(t.task.name) && t.task.state === 'waiting').length === 3, 10_000, 'three job tasks waiting in their sleep')
    const inHand = (await queue.getActive()).map((j) => j.id!).sort()
    expect(inHand.length).toBe(3)

    w.child.kill('SIGTERM')
    expect(await w.exited).toBe(0)
    expect(w.err()).toContain('SIGTERM: no new jobs; 10000 ms for the jobs in hand')
    // The three in hand completed (none cancelled or failed), nothing else was started.
    const completed = (await queue.getCompleted()).map((j) => j.id!).sort()
    expect(completed).toEqual(inHand)
    expect(await queue.getJobCounts('waiting', 'active', 'failed')).toEqual({ waiting: 9, active: 0, failed: 0 })
    const job = (await queue.getCompleted())[0]!
    expect(job.returnvalue).toEqual({ n: Number(job.id), worker: w.slot, attempt: 1 })
    expect(w.out()).toContain(`loopwatch worker ${w.pid}: stopped (3 completed, 0 failed)`)
    await pollUntil(() => source().state === 'exited', 10_000, 'the source exited')
    const names = hub.tasks(source().id).map((t) => t.task.name)
    for (const id of inHand) expect(names).toContain(`job ${id}`)
    await queue.close()
  })

  it('past --grace-ms the jobs still running are cancelled and handed back: their tasks end cancelled, BullMQ has them waiting again, attempts unused', { timeout: 60_000 }, async () => {
    const hub = await startHub()
    const queue = new Queue('grace', { connection: redisOptions(redis.url) })
    const producer = await startCli(['produce', '--count', '2', '--job-ms', '20000', '--redis', redis.url, '--queue', 'grace'], {}, null)
    expect(await producer.exited).toBe(0)
    const w = await startCli(['worker', '--redis', redis.url, '--queue', 'grace', '--concurrency', '2', '--grace-ms', '300', '--app', appUrl(hub)], {}, /taking jobs/)
    await pollUntil(async () => (await queue.getJobCounts('active')).active === 2, 10_000, 'both jobs active')
    const source = () => hub.sources().find((s) => s.name === w.slot)
    await pollUntil(() => source() !== undefined && hub.tasks(source()!.id).filter((t) => /^job /.test(t.task.name)).length === 2, 10_000, 'two job tasks shown')
    const t0 = Date.now()
    w.child.kill('SIGTERM')
    expect(await w.exited).toBe(0)
    expect(Date.now() - t0).toBeLessThan(15_000) // not the jobs' 20 s
    expect(await queue.getJobCounts('failed', 'active', 'waiting')).toEqual({ failed: 0, active: 0, waiting: 2 })
    const waiting = await queue.getWaiting()
    expect(waiting.map((j) => j.id).sort()).toEqual(['1', '2'])
    for (const j of waiting) expect(j.attemptsMade).toBe(0)
    expect(w.out()).toContain('stopped (0 completed, 0 failed; 2 handed back to the queue)')
    await pollUntil(() => source()?.state === 'exited', 10_000, 'the source exited')
    expect(hub.tasks(source()!.id).filter((t) => /^job /.test(t.task.name)).map((t) => t.task.state)).toEqual(['cancelled', 'cancelled'])
    await queue.close()
  })
})
