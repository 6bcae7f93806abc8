// `loopwatch produce --count N`: adds N jobs to the BullMQ queue, in bulk, and exits.
import { Queue } from 'bullmq'
import { redisOptions } from '../queue'
import type { FleetJob } from '../queue'
import { parseCommandLine } from './command-line'
import type { CliIo } from './printer'
import { QUEUE_OPTIONS_USAGE, QueueUsageError, intFlag, queueFlags, queueTarget } from './queue-args'

export const PRODUCE_USAGE = `usage: loopwatch produce --count N [--redis URL] [--queue NAME] [--job-ms M] [--fail-every K] [--attempts A]

  --count N         jobs to add (1 … 1000000)
${QUEUE_OPTIONS_USAGE}
  --job-ms M        each job's work time in the worker (default 10)
  --fail-every K    every K-th job throws (to see BullMQ's failed set; default none)
  --attempts A      runs per job before BullMQ fails it for good (default 1)`

/** Jobs per addBulk call: one round trip each, and a bounded command size. */
const BULK = 500

function parseProduceArgs(argv: readonly string[]) {
  const values = queueFlags(argv, {
    count: { type: 'string' },
    'job-ms': { type: 'string' },
    'fail-every': { type: 'string' },
    attempts: { type: 'string' },
  })
  if (values.help) return 'help' as const
  if (values.count === undefined) throw new QueueUsageError('--count N is required')
  return {
    ...queueTarget(values.redis, values.queue),
    count: intFlag('--count', values.count, 0, 1, 1_000_000),
    jobMs: intFlag('--job-ms', values['job-ms'], 10, 0, 60_000),
    failEvery: intFlag('--fail-every', values['fail-every'], 0, 1, 1_000_000),
    attempts: intFlag('--attempts', values.attempts, 1, 1, 100),
  }
}

/**
 * Adds `--count` jobs `{ n, ms }` to the queue and resolves with 0 (2: a refused command line,
 * 1: Redis could not be reached).
 *
 * @example await produceCommand(['--count', '2000', '--redis', 'redis://127.0.0.1:6379'], io)
 */
export async function produceCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const cfg = parseCommandLine('produce', PRODUCE_USAGE, argv, parseProduceArgs, io)
  if (typeof cfg === 'number') return cfg
  // No reconnecting forever when nothing listens: a producer should say so and exit.
  const queue = new Queue(cfg.queue, { connection: { ...redisOptions(cfg.url), maxRetriesPerRequest: 1, retryStrategy: () => null } })
  queue.on('error', () => undefined) // the failed add below reports it
  try {
    let first: string | undefined
    let last: string | undefined
    for (let start = 0; start < cfg.count; start += BULK) {
      const batch = Array.from({ length: Math.min(BULK, cfg.count - start) }, (_, k) => {
        const n = start + k + 1
        const data: FleetJob = { n, ms: cfg.jobMs, ...(cfg.failEvery && n % cfg.failEvery === 0 ? { fail: `job ${n} fails (every ${cfg.failEvery}th does)` } : {}) }
        return { name: 'job', data, opts: { attempts: cfg.attempts } }
      })
      const jobs = await queue.addBulk(batch)
      first ??= jobs[0]?.id
      last = jobs.at(-1)?.id
    }
    io.out(`loopwatch produce: added ${cfg.count} jobs to ${cfg.queue} on ${cfg.url} (ids ${first} … ${last})`)
    return 0
  } catch (error) {
    io.err(`loopwatch produce: could not add jobs on ${cfg.url}: ${(error as Error).message}`)
    return 1
  } finally {
    await queue.close().catch(() => undefined)
  }
}
