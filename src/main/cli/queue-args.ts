// The options `loopwatch worker` and `loopwatch produce` share: which Redis, which queue.
import { DEFAULT_QUEUE_NAME, RedisUrlError, redisOptions, redisUrlFrom } from '../queue'
import { parseArgs } from 'node:util'
import type { ParseArgsConfig } from 'node:util'
import { CommandLineError } from './command-line'

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379'

export const QUEUE_OPTIONS_USAGE = `  --redis URL       the Redis server (default: LOOPWATCH_REDIS_URL, else ${DEFAULT_REDIS_URL})
  --queue NAME      the BullMQ queue (default ${DEFAULT_QUEUE_NAME})`

/** A command line the queue commands cannot run (exit 2 with the message and the usage). */
export class QueueUsageError extends CommandLineError {}

/** The flags both commands share, and `--help`. */
const SHARED_FLAGS = {
  help: { type: 'boolean', short: 'h' },
  redis: { type: 'string' },
  queue: { type: 'string' },
} as const

/** Parses a queue command's flags strictly (its own beside the shared ones); a bad flag is a usage error. */
export function queueFlags<O extends NonNullable<ParseArgsConfig['options']>>(argv: readonly string[], options: O) {
  try {
    return parseArgs({ args: [...argv], strict: true, options: { ...SHARED_FLAGS, ...options } }).values
  } catch (error) {
    throw new QueueUsageError((error as Error).message)
  }
}

/** The Redis URL and queue name from the flags, checked. */
export function queueTarget(redis: string | undefined, queue: string | undefined): { url: string; queue: string } {
  const url = redisUrlFrom(redis) ?? DEFAULT_REDIS_URL
  try {
    redisOptions(url)
  } catch (error) {
    if (error instanceof RedisUrlError) throw new QueueUsageError(`--redis: ${error.message}`)
    throw error
  }
  const name = queue ?? DEFAULT_QUEUE_NAME
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name)) throw new QueueUsageError(`--queue: letters, digits, _ . - (at most 64), got ${JSON.stringify(name)}`)
  return { url, queue: name }
}

/** An integer flag in [min, max]. */
export function intFlag(flag: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback
  const n = Number(text)
  if (text.trim() === '' || !Number.isInteger(n) || n < min || n > max) throw new QueueUsageError(`${flag} takes an integer ${min} … ${max}, got ${JSON.stringify(text)}`)
  return n
}
