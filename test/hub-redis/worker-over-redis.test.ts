// `loopwatch worker` reporting over Redis streams only: real redis-server, real worker processes,
// the app's hub with its Redis transport. The workers get no app URL and find no agent.json: the
// hub's TCP port is unknown to them, so everything they show travels through Redis.
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Queue } from 'bullmq'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { redisOptions } from '../../src/main/queue'
import { startHub } from '../hub/hub-helper'
import { killAll, pollUntil, startCli } from '../queue/fleet-helper'
import { redisSkipReason, startRedis } from '../support/redis'
import type { TestRedis } from '../support/redis'

const SECRET = 'worker-test-secret-0123456789'

describe.skipIf(redisSkipReason !== null)(`loopwatch worker over Redis streams${redisSkipReason ? ` (${redisSkipReason})` : ''}`, () => {
  let redis: TestRedis
  let home: string
  beforeAll(async () => {
    redis = await startRedis()
    home = mkdtempSync(join(tmpdir(), 'lw-redis-home-'))
  })
  // A test that fails midway must not leave its workers reporting to the next test's hub.
  afterEach(() => killAll())
  afterAll(async () => {
    killAll()
    await redis?.stop()
    rmSync(home, { recursive: true, force: true })
  })

  it('each worker is a source with live job tasks; a cancel and a stop from the hub reach it; kill -9 reads lost', { timeout: 90_000 }, async () => {
    const hub = await startHub({ redis: { url: redis.url, secret: SECRET, lostAfterMs: 6_000 } })
    // No app URL, and a config dir where no app ever wrote agent.json.
    const env = { LOOPWATCH_REDIS_SECRET: SECRET, LOOPWATCH_APP: '', XDG_CONFIG_HOME: home }
    const args = ['worker', '--redis', redis.url, '--queue', 'streams', '--concurrency', '2', '--grace-ms', '200']
    const producer = await startCli(['produce', '--count', '6', '--job-ms', '60000', '--attempts', '1', '--redis', redis.url, '--queue', 'streams'], {}, null)
    expect(await producer.exited).toBe(0)
    const [a, b] = await Promise.all([startCli(args, env, /taking jobs/), startCli(args, env, /taking jobs/)])
    for (const w of [a!, b!]) expect(w.out()).toContain('reporting over Redis streams')
    expect(existsSync(join(home, 'loopwatch', 'agent.json'))).toBe(false)

    const source = (slot: string) => hub.sources().find((s) => s.name === slot)
    const jobTasks = (slot: string) => hub.tasks(source(slot)!.id).filter((t) => /^job \d+$/.test(t.task.name))
    for (const w of [a!, b!]) {
      await pollUntil(() => source(w.slot)?.state === 'connected', 15_000, `${w.slot} as a source`)
      await pollUntil(() => jobTasks(w.slot).filter((t) => t.task.state === 'waiting').length === 2, 15_000, `${w.slot}'s two jobs live`)
    }
    expect(hub.redis!.connected).toBe(2)
    expect(source(a!.slot)!.role).toBe('service')
    expect(a!.err()).toContain(`loopwatch worker ${a!.pid}: shown in the app as ${source(a!.slot)!.id}`)

    // A cancel goes down a's stream; its answer (the task's snapshot) comes back up.
    const victim = jobTasks(a!.slot)[0]!
    const queue = new Queue('streams', { connection: redisOptions(redis.url) })
    const outcome = await hub.sendCommand(source(a!.slot)!.id, { type: 'cancel', taskId: victim.task.id, reason: 'from the window' })
    expect(outcome.ok).toBe(true)
    await pollUntil(() => hub.task(victim.key)?.task.state === 'cancelled', 10_000, 'the job task cancelled in the worker')
    const jobId = victim.task.name.slice('job '.length)
    await pollUntil(async () => (await queue.getJobState(jobId)) === 'failed', 10_000, 'the cancelled job failed in BullMQ (1 attempt)')
    expect(source(b!.slot)!.state).toBe('connected')

    // A stop: the worker shuts down within its grace, says bye, exits 0.
    const stopped = await hub.sendCommand(source(b!.slot)!.id, { type: 'stop', graceMs: 200 })
    expect(stopped.ok, `the stop's outcome: ${JSON.stringify(stopped)}`).toBe(true)
    expect(await b!.exited).toBe(0)
    await pollUntil(() => source(b!.slot)?.state === 'exited', 10_000, `${b!.slot} exited`)

    // kill -9: no bye, its up stream goes silent, the hub marks it lost; its tasks stay, stale.
    a!.child.kill('SIGKILL')
    await pollUntil(() => source(a!.slot)?.state === 'lost', 20_000, `${a!.slot} lost`)
    expect(jobTasks(a!.slot).length).toBeGreaterThan(0)
    expect(hub.redis!.connected).toBe(0)
    await queue.close()
  })

  it('a worker with another secret is never shown, and says why', { timeout: 40_000 }, async () => {
    const hub = await startHub({ redis: { url: redis.url, secret: SECRET } })
    const env = { LOOPWATCH_REDIS_SECRET: 'not-the-app-secret-0123456789', LOOPWATCH_APP: '', XDG_CONFIG_HOME: home }
    const w = await startCli(['worker', '--redis', redis.url, '--queue', 'nobody'], env, /taking jobs/)
    await pollUntil(() => w.err().includes('not shown in the app: no answer from the app over Redis'), 20_000, 'the reason')
    expect(w.err()).toContain('is it running with this Redis and the same LOOPWATCH_REDIS_SECRET?')
    expect(hub.sources()).toEqual([])
    expect(hub.redis!.stats.unsigned).toBeGreaterThan(0)
    w.child.kill('SIGTERM')
    expect(await w.exited).toBe(0)
  })

  it('refuses --transport redis without the shared secret (exit 2, the usage), and a bad --transport', async () => {
    const w = await startCli(['worker', '--redis', redis.url, '--transport', 'redis'], { LOOPWATCH_REDIS_SECRET: '' }, null)
    expect(await w.exited).toBe(2)
    expect(w.err()).toContain('--transport redis: no shared secret: set LOOPWATCH_REDIS_SECRET')
    const x = await startCli(['worker', '--redis', redis.url, '--transport', 'udp'], {}, null)
    expect(await x.exited).toBe(2)
    expect(x.err()).toContain('--transport takes redis or tcp, got "udp"')
  })
})
