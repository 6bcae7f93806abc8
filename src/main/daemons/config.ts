import * as v from 'valibot'
import { RedisUrlError, redisOptions } from '../queue/redis-url'
import type { DaemonId } from './types'

const int = (min: number, max: number) => v.pipe(v.number(), v.integer(), v.minValue(min), v.maxValue(max))

export const statsConfig = v.strictObject({
  /** Sampling period on the daemons' clock (the course's "раз в минуту"). */
  intervalMs: v.optional(int(10, 86_400_000), 60_000),
})

export const heartbeatConfig = v.strictObject({
  workers: v.optional(int(1, 100), 3),
  intervalMs: v.optional(int(10, 3_600_000), 1000),
})

export const jobsConfig = v.strictObject({
  workers: v.optional(int(1, 64), 4),
  queueSize: v.optional(int(1, 100_000), 100),
  /** Simulated processing time per job before its write. */
  jobMs: v.optional(int(0, 60_000), 50),
  /** Pause of the producer between jobs (0: as fast as the queue takes them). */
  produceEveryMs: v.optional(int(0, 60_000), 10),
  /** How often throughput is reported. */
  progressMs: v.optional(int(10, 600_000), 1000),
  /** Seed for the faker-made orders, so a run can be repeated. */
  seed: v.optional(int(0, 2 ** 31 - 1), 1),
  /**
   * A Redis URL: the jobs go through BullMQ on that server instead of the in-process queue (which
   * stays the default; LOOPWATCH_REDIS_URL sets this when the settings do not).
   */
  redisUrl: v.optional(
    v.pipe(
      v.string(),
      v.maxLength(2048),
      v.rawCheck(({ dataset, addIssue }) => {
        if (!dataset.typed) return
        try {
          redisOptions(dataset.value)
        } catch (error) {
          if (!(error instanceof RedisUrlError)) throw error
          addIssue({ message: error.message })
        }
      }),
    ),
  ),
  /** The BullMQ queue's name (with redisUrl). */
  queue: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, _ . - (at most 64)')), 'loopwatch-jobs'),
})

export type StatsConfig = v.InferOutput<typeof statsConfig>
export type HeartbeatConfig = v.InferOutput<typeof heartbeatConfig>
export type JobsConfig = v.InferOutput<typeof jobsConfig>

export const configSchemas = { stats: statsConfig, heartbeat: heartbeatConfig, jobs: jobsConfig } as const satisfies Record<
  DaemonId,
  v.GenericSchema
>
