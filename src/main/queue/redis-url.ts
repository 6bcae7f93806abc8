// Which Redis the BullMQ backend uses: a URL from the settings, else LOOPWATCH_REDIS_URL.
import type { RedisOptions } from 'bullmq'

export const REDIS_URL_ENV = 'LOOPWATCH_REDIS_URL'

/** A Redis URL that cannot be used: typed, so callers can show it as `{ code, message }`. */
export class RedisUrlError extends Error {
  override readonly name = 'RedisUrlError'
  readonly code = 'bad-redis-url'
}

/** The configured URL (the explicit one wins over the environment), or null: the in-process default. */
export function redisUrlFrom(explicit: string | null | undefined, env: NodeJS.ProcessEnv = process.env): string | null {
  const url = explicit ?? env[REDIS_URL_ENV]
  return url === undefined || url.trim() === '' ? null : url.trim()
}

/**
 * `redis://[user:password@]host[:port][/db]` (or `rediss://` for TLS) as ioredis options. BullMQ
 * gets options, not a client, so it opens and closes its own connections.
 */
export function redisOptions(url: string): RedisOptions {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    throw new RedisUrlError(`not a URL: ${JSON.stringify(url)} (expected redis://host:port)`)
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new RedisUrlError(`${JSON.stringify(url)}: the scheme must be redis:// or rediss://`)
  }
  const db = u.pathname.replace(/^\//, '')
  if (db !== '' && !/^\d{1,2}$/.test(db)) throw new RedisUrlError(`${JSON.stringify(url)}: the path must be a database number`)
  return {
    host: u.hostname || '127.0.0.1',
    port: u.port === '' ? 6379 : Number(u.port),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(db !== '' ? { db: Number(db) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
    // BullMQ's workers block on Redis: a command must wait for the connection, never give up.
    maxRetriesPerRequest: null,
  }
}
