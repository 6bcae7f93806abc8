// The fleet of test/queue/fleet.test.ts, reporting over Redis streams only: three worker processes
// with no app URL and no agent.json, one SIGKILLed mid-job. The app shows each as a source, the
// killed one lost, and the stalled jobs' reruns as tasks on the survivors.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Queue } from 'bullmq'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { redisOptions } from '../../src/main/queue'
import { startHub } from '../hub/hub-helper'
import { killAll, pollUntil, startCli } from '../queue/fleet-helper'
import { redisSkipReason, startRedis } from '../support/redis'
import type { TestRedis } from '../support/redis'

const JOBS = 600
const SECRET = 'fleet-over-redis-secret-0123'
const QUEUE = 'fleet-redis'

describe.skipIf(redisSkipReason !== null)(`a fleet over Redis streams${redisSkipReason ? ` (${redisSkipReason})` : ''}`, () => {
  let redis: TestRedis
  let home: string
  beforeAll(async () => {
    redis = await startRedis()
    home = mkdtempSync(join(tmpdir(), 'lw-redis-fleet-'))
  })
  afterAll(async () => {
    killAll()
    await redis?.stop()
    rmSync(home, { recursive: true, force: true })
  })

  it(`${JOBS} jobs, three workers over Redis, one SIGKILLed mid-job: it reads lost, its jobs' reruns show on the survivors`, { timeout: 120_000 }, async () => {
    const hub = await startHub({ redis: { url: redis.url, secret: SECRET, lostAfterMs: 3_000 } })
    const queue = new Queue(QUEUE, { connection: redisOptions(redis.url) })
    const env = { LOOPWATCH_REDIS_SECRET: SECRET, LOOPWATCH_APP: '', XDG_CONFIG_HOME: home, LOOPWATCH_BULLMQ_LOCK_MS: '3000', LOOPWATCH_BULLMQ_STALLED_MS: '1000' }
    const args = ['worker', '--redis', redis.url, '--queue', QUEUE, '--concurrency', '4', '--grace-ms', '5000']
    const workers = await Promise.all([0, 1, 2].map(() => startCli(args, env, /taking jobs/)))
    const [victim, ...survivors] = workers as [(typeof workers)[0], (typeof workers)[0], (typeof workers)[0]]
    const source = (slot: string) => hub.sources().find((s) => s.name === slot)
    await pollUntil(() => workers.every((w) => source(w.slot)?.state === 'connected'), 15_000, 'three sources')

    const producer = await startCli(['produce', '--count', String(JOBS), '--job-ms', '25', '--redis', redis.url, '--queue', QUEUE], {}, null)
    expect(await producer.exited).toBe(0)
    await pollUntil(async () => ((await queue.getJobCounts('completed')).completed ?? 0) >= JOBS / 5, 60_000, `${JOBS / 5} completed`)
    victim.child.kill('SIGKILL')
    expect(await victim.exited).toBe(null)
    const held = (await queue.getActive()).filter((j) => j.processedBy === victim.slot).map((j) => j.id!)
    expect(held.length).toBeGreaterThan(0)

    await pollUntil(async () => (await queue.getJobCounts('completed')).completed === JOBS, 90_000, 'every job completed')
    await pollUntil(() => source(victim.slot)?.state === 'lost', 10_000, 'the victim lost')
    const names = () => survivors.flatMap((w) => hub.tasks(source(w.slot)!.id)).map((t) => t.task.name)
    await pollUntil(() => held.every((id) => names().includes(`job ${id} (attempt 2)`)), 10_000, 'the reruns shown')
    expect(survivors.every((w) => source(w.slot)?.state === 'connected')).toBe(true)

    for (const w of survivors) w.child.kill('SIGTERM')
    expect(await Promise.all(survivors.map((w) => w.exited))).toEqual([0, 0])
    await pollUntil(() => survivors.every((w) => source(w.slot)?.state === 'exited'), 10_000, 'survivors exited')
    expect(hub.sources().map((s) => s.name).sort()).toEqual(workers.map((w) => w.slot).sort())
    expect(hub.redis!.stats).toEqual({ unsigned: 0, oversized: 0, stale: 0 })
    await queue.close()
  })
})
