// The agent protocol over Redis streams: key names, entry fields, bounds and the signatures, written
// once for both ends (the hub's RedisTransport and the agent's redis socket). Nothing here imports
// ioredis: the agent loads it only when it uses this transport.
import { createHmac, timingSafeEqual } from 'node:crypto'

/** Where the app reads and writes on Redis; every key starts with it. */
export const REDIS_KEY_PREFIX = 'loopwatch:agent:'
/** The discovery stream: one entry per connection attempt of an agent (its hello is already on its up stream). */
export const DISCOVERY_STREAM = 'loopwatch:agents'
/** The environment variable both ends read for the shared secret. */
export const REDIS_SECRET_ENV = 'LOOPWATCH_REDIS_SECRET'
/** A secret shorter than this is refused (it would be guessable). */
export const MIN_SECRET_LENGTH = 16

/** Approximate lengths (XADD MAXLEN ~) of each stream: the agent's up stream, the hub's down stream, discovery. */
export const UP_STREAM_MAXLEN = 10_000
export const DOWN_STREAM_MAXLEN = 1_000
export const DISCOVERY_MAXLEN = 1_000

/**
 * Each worker's streams expire this long after their last entry (each write renews it), so the
 * keys of workers long gone do not pile up on Redis.
 */
export const STREAM_TTL_MS = 10 * 60_000

/** An agent sends a `ping` when it has sent nothing for this long; the hub answers `pong`. */
export const DEFAULT_HEARTBEAT_MS = 1_000
/** The hub marks a source lost when its up stream was silent this long (a kill -9, a cut network). */
export const DEFAULT_LOST_AFTER_MS = 5_000

/** A worker's id on Redis (its stream names): letters, digits, `_`, `-`, at most 64. */
export const SOURCE_KEY_PATTERN = /^[A-Za-z0-9_-]{1,64}$/
/** A connection attempt's nonce: the same alphabet, at most 64. */
export const CONNECTION_PATTERN = SOURCE_KEY_PATTERN

/** The stream an agent writes (agent → hub). */
export function upStream(sourceKey: string): string {
  return `${REDIS_KEY_PREFIX}${sourceKey}:up`
}

/** The stream the hub writes (hub → agent). */
export function downStream(sourceKey: string): string {
  return `${REDIS_KEY_PREFIX}${sourceKey}:down`
}

/** Which way an entry goes: part of what is signed, so an entry cannot be replayed the other way. */
export type Direction = 'up' | 'down' | 'discovery'

/**
 * The signature of one entry: HMAC-SHA256 over the direction, the source key, the connection, the
 * entry's sequence number and its message, keyed by the shared secret; base64url. The secret
 * itself never goes to Redis.
 */
export function signEntry(secret: string, dir: Direction, sourceKey: string, connection: string, seq: number, message: string): string {
  return createHmac('sha256', secret).update(`${dir}\n${sourceKey}\n${connection}\n${seq}\n`).update(message).digest('base64url')
}

/** Checks a signature in constant time. */
export function entrySigned(secret: string, dir: Direction, sourceKey: string, connection: string, seq: number, message: string, sig: string): boolean {
  const want = Buffer.from(signEntry(secret, dir, sourceKey, connection, seq, message))
  const got = Buffer.from(sig)
  return got.length === want.length && timingSafeEqual(got, want)
}

/**
 * The hello's `token` over Redis: derived from the secret and the source key (so it differs per
 * worker and says nothing of the secret). The hub's usual token check compares it.
 */
export function helloToken(secret: string, sourceKey: string): string {
  return createHmac('sha256', secret).update(`hello\n${sourceKey}`).digest('base64url')
}

/** Why a secret cannot be used, or null. */
export function secretProblem(secret: string | null | undefined): string | null {
  if (secret === null || secret === undefined || secret === '') return `no shared secret: set ${REDIS_SECRET_ENV} (the same on the app and every worker)`
  if (secret.length < MIN_SECRET_LENGTH) return `${REDIS_SECRET_ENV} must be at least ${MIN_SECRET_LENGTH} characters`
  return null
}

/**
 * Entry fields. Up and down entries: `c` the connection, `n` its sequence number (strictly
 * increasing per connection and direction), `m` one protocol message (JSON, no `\n`), `h` the
 * signature. Discovery entries: `k` the source key, `c`, `at` the up-stream id of its hello, `h`.
 */
export const ENTRY_FIELDS = { connection: 'c', seq: 'n', message: 'm', sig: 'h', key: 'k', at: 'at' } as const

/** A stream id as Redis writes it: `<ms>-<seq>`. */
export const STREAM_ID_PATTERN = /^\d{1,20}-\d{1,20}$/

/** Reads an entry's flat field list (`[name, value, …]`) into a map, or null if a name repeats. */
export function entryFields(flat: readonly string[]): Map<string, string> | null {
  const out = new Map<string, string>()
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const name = flat[i] as string
    if (out.has(name)) return null
    out.set(name, flat[i + 1] as string)
  }
  return flat.length % 2 === 0 ? out : null
}
