// One contract, two engines: the in-process queue and BullMQ on a private Redis behave alike for
// what the jobs daemon and `loopwatch worker` rely on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { run, sleep, waitFor } from '../../src/main/runtime'
import { bullmqBackend, inProcessBackend } from '../../src/main/queue'
import type { JobOutcome, QueueBackend } from '../../src/main/queue'
import { redisSkipReason, startRedis } from '../support/redis'
import type { TestRedis } from '../support/redis'

interface Data {
  n: number
  fail?: string
}

/** Adds five jobs (one failing), runs them two at a time, and returns what was seen. */
async function exercise(backend: QueueBackend<Data, number>) {
  return run(async () => {
    const outcomes: JobOutcome<number>[] = []
    backend.onFinished((o) => outcomes.push(o))
    let active = 0
    let maxActive = 0
    const tasks = new Set<string>()
    for (const [id, n] of [['a', 1], ['b', 2], ['c', 3], ['d', 4]] as const) await backend.add(id, { n })
    await backend.add('e', { n: 5, fail: 'card declined' })
    const { getRunningLoop, currentTask } = await import('../../src/main/runtime')
    const workers = backend.process(
      async (job) => {
        tasks.add(currentTask()!.name)
        active++
        maxActive = Math.max(maxActive, active)
        try {
          await sleep(30)
          if (job.data.fail) throw new Error(job.data.fail)
          return job.data.n * 10
        } finally {
          active--
        }
      },
      { loop: getRunningLoop(), concurrency: 2 },
    )
    const deadline = Date.now() + 15_000
    while (outcomes.length < 5 && Date.now() < deadline) await sleep(10)
    const c = backend.counts()
    const counts = c instanceof Promise ? await waitFor(c, null) : c
    for (const w of workers) w.cancel()
    for (const w of workers) await waitFor(w, null).catch(() => {})
    await waitFor(backend.close(), null)
    return { outcomes, maxActive, counts, tasks }
  })
}

function expectContract(r: Awaited<ReturnType<typeof exercise>>) {
  const byId = Object.fromEntries(r.outcomes.map((o) => [o.id, o]))
  expect(Object.keys(byId).sort()).toEqual(['a', 'b', 'c', 'd', 'e'])
  for (const [id, n] of [['a', 1], ['b', 2], ['c', 3], ['d', 4]] as const) expect(byId[id]).toMatchObject({ ok: true, value: n * 10, attempt: 1 })
  expect(byId['e']).toMatchObject({ ok: false, error: 'card declined', attempt: 1 })
  expect(r.maxActive).toBe(2)
  expect(r.counts).toMatchObject({ waiting: 0, active: 0, completed: 4, failed: 1, delayed: 0 })
}

describe('in-process backend', () => {
  it('runs jobs two at a time in worker tasks, reports each return value or error, and counts them', async () => {
    const r = await exercise(inProcessBackend<Data, number>(10))
    expectContract(r)
    expect([...r.tasks].sort()).toEqual(['job-worker-1', 'job-worker-2'])
  })
})

describe.skipIf(redisSkipReason !== null)(`BullMQ backend${redisSkipReason ? ` (${redisSkipReason})` : ''}`, () => {
  let redis: TestRedis
  beforeAll(async () => void (redis = await startRedis()))
  afterAll(async () => redis?.stop())

  it('runs each job as a task named by its id, two at a time, with return values, errors and BullMQ counts', async () => {
    const backend = bullmqBackend<Data, number>({ url: redis.url, queue: 'contract' })
    const r = await exercise(backend)
    expectContract(r)
    expect([...r.tasks].sort()).toEqual(['job a', 'job b', 'job c', 'job d', 'job e'])
  })

  it('adds a job id only once (BullMQ dedupes by id)', async () => {
    const backend = bullmqBackend<Data, number>({ url: redis.url, queue: 'dedupe' })
    await run(async () => {
      await backend.add('x', { n: 1 })
      await backend.add('x', { n: 2 })
    })
    expect(await backend.counts()).toMatchObject({ waiting: 1 })
    await backend.close()
  })
})
