// Delivery truth: real Redis, three real `loopwatch worker` processes, a real producer, the app's
// hub and its SQLite. One worker is SIGKILLed mid-job; BullMQ's stalled-job recovery hands its jobs
// to the others; every job is recorded completed exactly once, and the retries show.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Queue } from 'bullmq'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openHistory } from '../../src/main/history'
import type { OpenedHistory } from '../../src/main/history'
import { completedJobs, recordCompletedJobs, redisOptions } from '../../src/main/queue'
import type { FleetResult } from '../../src/main/queue'
import { appUrl } from '../../src/shared/agent-protocol/index'
import { startHub } from '../hub/hub-helper'
import { redisSkipReason, startRedis } from '../support/redis'
import type { TestRedis } from '../support/redis'
import { killAll, pollUntil, startCli } from './fleet-helper'

const JOBS = 2000
const QUEUE = 'fleet'
// Short locks so the killed worker's jobs are recovered in seconds, not BullMQ's default 30 s.
const BULL_ENV = { LOOPWATCH_BULLMQ_LOCK_MS: '3000', LOOPWATCH_BULLMQ_STALLED_MS: '1000' }

describe.skipIf(redisSkipReason !== null)(`a fleet of workers${redisSkipReason ? ` (${redisSkipReason})` : ''}`, () => {
  let redis: TestRedis
  let dir: string
  let history: OpenedHistory
  beforeAll(async () => {
    redis = await startRedis()
    dir = mkdtempSync(join(tmpdir(), 'loopwatch-fleet-'))
    history = openHistory(dir)
  })
  afterAll(async () => {
    killAll()
    history?.close()
    if (dir) rmSync(dir, { recursive: true, force: true })
    await redis?.stop()
  })

  it(`${JOBS} jobs, three workers, one SIGKILLed mid-job: each job completed exactly once in SQLite, the stalled ones on their second attempt elsewhere`, { timeout: 120_000 }, async () => {
    const hub = await startHub()
    const queue = new Queue(QUEUE, { connection: redisOptions(redis.url) })
    const recorder = recordCompletedJobs({ db: history.db, url: redis.url, queue })
    await recorder.ready
    const workerArgs = ['worker', '--redis', redis.url, '--queue', QUEUE, '--concurrency', '4', '--grace-ms', '5000', '--app', appUrl(hub)]
    const workers = await Promise.all([0, 1, 2].map(() => startCli(workerArgs, BULL_ENV, /taking jobs/)))
    const [victim, ...survivors] = workers as [typeof workers[0], typeof workers[0], typeof workers[0]]

    const producer = await startCli(['produce', '--count', String(JOBS), '--job-ms', '25', '--redis', redis.url, '--queue', QUEUE], {}, null)
    expect(await producer.exited).toBe(0)
    await queue.add('job', { n: 0, fail: 'card declined' }, { jobId: 'doomed' })

    // Mid-run, mid-job. What it held is read after its death, from BullMQ: its jobs stay active with
    // its name (processedBy) until their locks expire, and a dead worker finishes nothing meanwhile.
    await pollUntil(async () => ((await queue.getJobCounts('completed')).completed ?? 0) >= JOBS / 5, 60_000, `${JOBS / 5} completed`)
    victim.child.kill('SIGKILL')
    expect(await victim.exited).toBe(null)
    const held = (await queue.getActive()).filter((j) => j.processedBy === victim.slot).map((j) => j.id!)
    expect(held.length).toBeGreaterThan(0)

    await pollUntil(async () => {
      const c = await queue.getJobCounts('completed', 'failed')
      return c.completed === JOBS && c.failed === 1
    }, 90_000, 'every job settled')
    await pollUntil(() => recorder.stats.heard >= JOBS, 20_000, 'the completed events')
    await recorder.close()

    // Exactly once: one row per job id, the ids BullMQ completed, none missing.
    const rows = completedJobs(history.db).rows(QUEUE)
    const completedIds = (await queue.getCompleted(0, -1)).map((j) => j.id!).sort()
    expect(rows.length).toBe(JOBS)
    expect(rows.map((r) => r.job_id).sort()).toEqual(completedIds)
    expect(new Set(rows.map((r) => r.job_id)).size).toBe(JOBS)
    expect(await queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed')).toEqual({ waiting: 0, active: 0, delayed: 0, completed: JOBS, failed: 1 })

    // The killed worker's jobs: recovered as stalled, finished on their second attempt by a survivor.
    const byId = new Map(rows.map((r) => [r.job_id, { ...r, result: JSON.parse(r.result!) as FleetResult }]))
    const retried = rows.filter((r) => r.attempts_started >= 2).map((r) => byId.get(r.job_id)!)
    // Every job it held ran again, exactly once more, elsewhere.
    expect(held.map((id) => byId.get(id)!.attempts_started)).toEqual(held.map(() => 2))
    console.log(`fleet: killed ${victim.slot} holding ${held.length} jobs; ${retried.length} jobs rerun after a stall; ${recorder.stats.duplicates} duplicate completed events`)
    for (const r of retried) {
      expect(r.stalled_count).toBe(1)
      expect(r.result.attempt).toBe(r.attempts_started)
      expect(survivors.map((w) => w.slot)).toContain(r.result.worker)
    }
    // What the victim finished before dying is its own and first-attempt.
    for (const r of byId.values()) if (r.result.worker === victim.slot) expect(r.attempts_started).toBe(1)

    // The failing job is in BullMQ's failed set with its error.
    const [doomed] = await queue.getFailed()
    expect(doomed).toMatchObject({ id: 'doomed', failedReason: 'card declined' })

    // In the app: each worker is a source; the killed one lost, its stalled jobs' retries shown as tasks.
    const sources = hub.sources()
    expect(sources.map((s) => s.name).sort()).toEqual(workers.map((w) => w.slot).sort())
    await pollUntil(() => hub.sources().find((s) => s.name === victim.slot)?.state === 'lost', 10_000, 'the victim lost')
    const retryTasks = survivors.flatMap((w) => hub.tasks(hub.sources().find((s) => s.name === w.slot)!.id)).map((t) => t.task.name)
    for (const id of held) expect(retryTasks).toContain(`job ${id} (attempt 2)`)

    for (const w of survivors) w.child.kill('SIGTERM')
    const codes = await Promise.all(survivors.map((w) => w.exited))
    expect(codes, survivors.map((w) => w.out() .split('\n').slice(-3).join('\n') + w.err()).join('\n---\n')).toEqual([0, 0])
    for (const w of survivors) expect(w.out()).toMatch(/stopped \(\d+ completed, [01] failed\)/)
    await pollUntil(() => survivors.every((w) => hub.sources().find((s) => s.name === w.slot)?.state === 'exited'), 10_000, 'survivors exited')
    await queue.close()
  })
})
