// Job workers on BullMQ, as a person sees them: a real redis-server (started here), the browser
// host pointed at it (LOOPWATCH_REDIS_URL), and two real `loopwatch worker` processes. The window
// shows both as sources with their jobs as live tasks; cancelling one job's task from the window
// ends it cancelled in its worker and failed in BullMQ (its policy: one attempt), where the queue
// view lists it and retries it; the queue view's counts are BullMQ's own.
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { Job, Queue } from 'bullmq'
import { redisOptions } from '../src/main/queue/redis-url'
import { QUEUE_COUNT_KINDS } from '../src/shared/queue-contract'
import { appUrl } from '../src/shared/agent-protocol/index'
import { redisSkipReason, startRedis } from '../test/support/redis'
import type { TestRedis } from '../test/support/redis'
import { expect, test } from './fixtures/index'
import { ui } from './ui'

const root = resolve(import.meta.dirname, '..')
const QUEUE = 'loopwatch-jobs'
let redis: TestRedis | null = null
const children: ChildProcess[] = []

test.skip(redisSkipReason !== null, redisSkipReason ?? '')

test.beforeAll(async () => {
  redis = await startRedis()
  // The host the fixture starts next inherits it: its queue view and recorder use this Redis.
  process.env['LOOPWATCH_REDIS_URL'] = redis.url
})
test.afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
  delete process.env['LOOPWATCH_REDIS_URL']
  await redis?.stop()
})

/** Starts `loopwatch worker` against the test Redis, shown in the app at `app`; resolves once it takes jobs. */
async function startWorker(app: string): Promise<{ child: ChildProcess; name: string; out: () => string }> {
  const child = spawn(process.execPath, [join(root, 'bin/loopwatch.mjs'), 'worker', '--redis', redis!.url, '--queue', QUEUE, '--concurrency', '2', '--grace-ms', '1000', '--app', app], {
    cwd: root,
    env: { ...process.env, LOOPWATCH_APP: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(child)
  let out = ''
  child.stdout!.setEncoding('utf8').on('data', (c: string) => void (out += c))
  child.stderr!.setEncoding('utf8').on('data', (c: string) => void (out += c))
  await expect.poll(() => /taking jobs/.test(out) || child.exitCode !== null, { timeout: 20_000 }).toBe(true)
  expect(child.exitCode, out).toBeNull()
  return { child, name: `worker ${child.pid}`, out: () => out }
}

test('two workers as sources with live job tasks; a job cancelled from the window fails in BullMQ, is listed and retried; the counts are BullMQ’s', async ({ app, page, saveScreenshot }) => {
  test.skip(app.kind !== 'web', 'the workers find the browser host through its data dir’s agent.json')
  test.setTimeout(120_000)
  const u = ui(page)
  const queue = new Queue(QUEUE, { connection: redisOptions(redis!.url) })
  try {
    // Thirty quick jobs (throughput), then four slow ones, one attempt each: a cancel is their failure.
    await queue.addBulk(Array.from({ length: 30 }, (_, k) => ({ name: 'job', data: { n: k + 1, ms: 20 }, opts: { jobId: `quick-${k + 1}` } })))
    await queue.addBulk([1, 2, 3, 4].map((n) => ({ name: 'job', data: { n, ms: 60_000 }, opts: { jobId: `slow-${n}`, attempts: 1 } })))
    const agentFile = join(app.dataDir, 'agent.json')
    await expect.poll(() => existsSync(agentFile)).toBe(true)
    const url = appUrl(JSON.parse(readFileSync(agentFile, 'utf8')) as { port: number; token: string })
    const workers = [await startWorker(url), await startWorker(url)]

    // Both are sources; their four jobs are live tasks.
    for (const w of workers) await expect(u.sources).toContainText(w.name)
    await expect.poll(async () => (await queue.getJobCounts('active')).active, { timeout: 20_000 }).toBe(4)
    // The thirty quick ones are done; the table shows the slow ones (filtered, as a person would).
    await page.getByRole('searchbox', { name: 'Filter tasks' }).fill('name:job*slow*')
    for (const n of [1, 2, 3, 4]) await expect(u.stateOf(u.row(`job slow-${n}`))).toHaveText(/waiting|running/)
    await saveScreenshot('two-workers-four-jobs')

    // Cancel job slow-2's task from the window.
    const row = u.row('job slow-2')
    await row.click()
    await page.keyboard.press('c')
    await page.keyboard.type('wrong order')
    await u.details.getByRole('button', { name: 'Cancel', exact: true }).click()
    await expect(u.stateOf(row)).toHaveText(/cancelled/)
    await expect(u.cancelSourceOf(row)).toHaveText('user')
    // BullMQ: failed, with the cancellation as its reason, its one attempt used.
    await expect.poll(async () => (await Job.fromId(queue, 'slow-2'))?.getState(), { timeout: 15_000 }).toBe('failed')
    const failed = (await Job.fromId(queue, 'slow-2'))!
    expect(failed.failedReason).toContain('wrong order')
    expect(failed.attemptsMade).toBe(1)
    await expect(u.stateOf(u.row('job slow-1'))).toHaveText(/waiting|running/)

    // The queue view: BullMQ's own counts, the failed job listed with its error.
    await page.getByRole('button', { name: 'Job queue' }).click()
    const view = page.getByRole('region', { name: 'Job queue' })
    await expect(view.getByTestId('queue-backend')).toContainText(`BullMQ queue ${QUEUE}`)
    const shown = async () => {
      const out: Record<string, number> = {}
      for (const k of QUEUE_COUNT_KINDS) out[k] = Number(await view.locator(`[data-count="${k}"] .big`).textContent())
      return out
    }
    await expect.poll(async () => JSON.stringify(await shown()), { timeout: 10_000 }).toBe(JSON.stringify(await queue.getJobCounts(...QUEUE_COUNT_KINDS)))
    expect(await shown()).toMatchObject({ active: 3, failed: 1, waiting: 0, completed: 30 })
    expect(Number(await view.locator('[data-count="throughput"] .big').textContent())).toBeGreaterThan(0)
    const failedRow = view.locator('[data-job="slow-2"]')
    await expect(failedRow).toContainText('wrong order')
    await expect(failedRow).toContainText('1 of 1')
    await expect(view.getByRole('table', { name: 'Workers' })).toContainText(workers[0]!.name)
    await expect(view.getByRole('table', { name: 'Workers' })).toContainText(workers[1]!.name)
    await saveScreenshot('queue-view-one-failed')

    // Retry it from the window: BullMQ hands it to the worker with a free slot, attempt 2.
    await failedRow.getByRole('button', { name: 'Retry' }).click()
    await expect(view.getByRole('status')).toHaveText('job slow-2 is waiting again')
    await expect.poll(async () => (await Job.fromId(queue, 'slow-2'))?.getState(), { timeout: 15_000 }).toBe('active')
    await expect.poll(async () => JSON.stringify(await shown()), { timeout: 10_000 }).toBe(JSON.stringify(await queue.getJobCounts(...QUEUE_COUNT_KINDS)))
    expect(await shown()).toMatchObject({ active: 4, failed: 0, completed: 30 })
    await expect(failedRow).toHaveCount(0)
    await saveScreenshot('queue-view-retried')

    await page.getByRole('button', { name: 'Back to live tasks' }).click()
    await expect(u.stateOf(u.row('job slow-2 \\(attempt 2\\)'))).toHaveText(/waiting|running/)
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM')
    await queue.close()
  }
})

test('the graceful shutdown can stop both workers as one group, listed in its report, their jobs back in the queue', async ({ app, page, saveScreenshot }) => {
  test.skip(app.kind !== 'web', 'the workers find the browser host through its data dir’s agent.json')
  test.setTimeout(120_000)
  const queue = new Queue('loopwatch-jobs', { connection: redisOptions(redis!.url) })
  try {
    await queue.obliterate({ force: true })
    await queue.addBulk([1, 2, 3].map((n) => ({ name: 'job', data: { n, ms: 60_000 }, opts: { jobId: `long-${n}` } })))
    const agentFile = join(app.dataDir, 'agent.json')
    await expect.poll(() => existsSync(agentFile)).toBe(true)
    const url = appUrl(JSON.parse(readFileSync(agentFile, 'utf8')) as { port: number; token: string })
    const workers = [await startWorker(url), await startWorker(url)]
    const u = ui(page)
    for (const w of workers) await expect(u.sources).toContainText(w.name)
    await expect.poll(async () => (await queue.getJobCounts('active')).active, { timeout: 20_000 }).toBe(3)

    await page.getByRole('button', { name: 'Shut down gracefully' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.getByLabel('Grace period').fill('5')
    await dialog.getByLabel('Also stop 2 job workers (their jobs in hand go back to the queue)').check()
    await saveScreenshot('shutdown-confirm-workers')
    await dialog.getByRole('button', { name: 'Shut down', exact: true }).click()

    await expect(dialog.getByRole('heading', { name: 'Shutdown report' })).toBeVisible({ timeout: 20_000 })
    const names = workers.map((w) => w.name).sort()
    const group = dialog.getByRole('region', { name: `job workers (2): ${names.join(', ')}` })
    await expect(group).toBeVisible()
    for (const n of [1, 2, 3]) await expect(group).toContainText(new RegExp(`worker \\d+ › job long-${n}`))
    await saveScreenshot('shutdown-report-workers')
    // Every job task ended cancelled (and handed back), none forced.
    for (const n of [1, 2, 3]) await expect(group.getByText(new RegExp(`› job long-${n}$`))).toHaveCount(1)
    await expect(group.getByRole('heading', { name: 'Forced' })).toHaveCount(0)
    await expect(dialog.getByRole('status')).toContainText('0 forced')

    for (const w of workers) await expect.poll(() => w.child.exitCode, { timeout: 15_000 }).toBe(0)
    for (const w of workers) expect(w.out()).toMatch(/stopped \(0 completed, 0 failed; [12] handed back to the queue\)/)
    expect(await queue.getJobCounts('active', 'waiting', 'failed')).toEqual({ active: 0, waiting: 3, failed: 0 })
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM')
    await queue.close()
  }
})
