// Fleet throughput: jobs/s through BullMQ on a private redis-server with 1, 2 and 3 `loopwatch
// worker` processes (each a real child, no agent). Not part of `npm test` or `npm run bench`:
//   npx tsx bench/fleet.ts [--jobs 2000] [--job-ms 0] [--concurrency 8]
// The clock runs from the first addBulk to BullMQ counting every job completed, so it includes
// adding the jobs; the workers are started (and idle) before it starts.
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { Queue } from 'bullmq'
import { redisOptions } from '../src/main/queue'
import { startRedis } from '../test/support/redis'

const ROOT = resolve(import.meta.dirname, '..')
const { values } = parseArgs({ options: { jobs: { type: 'string' }, 'job-ms': { type: 'string' }, concurrency: { type: 'string' } } })
const JOBS = Number(values.jobs ?? 2000)
const JOB_MS = Number(values['job-ms'] ?? 0)
const CONCURRENCY = Number(values.concurrency ?? 8)

async function startWorker(url: string, queue: string): Promise<{ child: ChildProcess; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [join(ROOT, 'bin/loopwatch.mjs'), 'worker', '--no-app', '--redis', url, '--queue', queue, '--concurrency', String(CONCURRENCY)], {
    stdio: ['ignore', 'pipe', 'ignore'], // their stop notes would interleave with the table
    env: { ...process.env, LOOPWATCH_APP: '' },
  })
  const exited = new Promise<number | null>((done) => child.on('close', (code) => done(code)))
  let out = ''
  await new Promise<void>((ready, fail) => {
    child.stdout!.setEncoding('utf8').on('data', (c: string) => {
      out += c
      if (out.includes('taking jobs')) ready()
    })
    child.on('close', () => fail(new Error(`worker exited before it was ready: ${out}`)))
  })
  return { child, exited }
}

async function measure(url: string, workers: number): Promise<{ seconds: number; perSecond: number }> {
  const name = `bench-${workers}`
  const queue = new Queue(name, { connection: redisOptions(url) })
  const fleet = await Promise.all(Array.from({ length: workers }, () => startWorker(url, name)))
  try {
    const t0 = performance.now()
    for (let start = 1; start <= JOBS; start += 500) {
      const batch = Array.from({ length: Math.min(500, JOBS - start + 1) }, (_, k) => ({ name: 'job', data: { n: start + k, ms: JOB_MS } }))
      await queue.addBulk(batch)
    }
    for (;;) {
      const c = await queue.getJobCounts('completed', 'failed')
      if ((c.completed ?? 0) + (c.failed ?? 0) >= JOBS) {
        if (c.failed) throw new Error(`${c.failed} jobs failed`)
        break
      }
      await new Promise((r) => setTimeout(r, 10))
    }
    const seconds = (performance.now() - t0) / 1000
    return { seconds, perSecond: JOBS / seconds }
  } finally {
    for (const w of fleet) w.child.kill('SIGTERM')
    await Promise.all(fleet.map((w) => w.exited))
    await queue.close()
  }
}

const redis = await startRedis()
try {
  const rows: string[] = []
  for (const workers of [1, 2, 3]) {
    const r = await measure(redis.url, workers)
    rows.push(`| ${workers} | ${JOBS} | ${r.seconds.toFixed(2)} | ${Math.round(r.perSecond)} |`)
  }
  console.log(`fleet: ${JOBS} jobs of ${JOB_MS} ms, concurrency ${CONCURRENCY} per worker, redis-server on 127.0.0.1`)
  console.log('| workers | jobs | seconds | jobs/s |\n|---|---|---|---|')
  for (const r of rows) console.log(r)
} finally {
  await redis.stop()
}
