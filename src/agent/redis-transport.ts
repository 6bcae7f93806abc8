// The agent's Redis transport: what watch({ redis }) plugs into AgentConnection in place of TCP.
// ioredis is loaded here with a dynamic import, only when this transport is used, so a program
// that watches over TCP never loads it.
import type { Socket } from 'node:net'
import type { Redis } from 'ioredis'
import { redisOptions } from '../main/queue/redis-url'
import { DEFAULT_HEARTBEAT_MS, DEFAULT_LOST_AFTER_MS, REDIS_SECRET_ENV, SOURCE_KEY_PATTERN, helloToken, secretProblem } from '../main/hub/redis-wire'
import type { HubLocation } from './find-hub'
import { RedisSocket } from './redis-socket'
import type { RedisClients } from './redis-socket'

export interface RedisAgentOptions {
  /** `redis://host:port[/db]` (or `rediss://`). */
  url: string
  /** The shared secret (default: LOOPWATCH_REDIS_SECRET), at least 16 characters. */
  secret?: string
  /** This worker's key on Redis, its stream names (default: made up once per process). */
  sourceKey?: string
  /** A ping goes up after this long without another message (default 1 s). */
  heartbeatMs?: number
  /** The app is taken as gone after this long without an answer (default 5 s); the agent then reconnects. */
  hubSilentMs?: number
}

/** What AgentConnection needs from a transport, and how to let it go. */
export interface AgentTransport {
  locate: () => HubLocation
  connect: () => Socket
  /** Closes the transport's own connections (after the connection's bye). */
  dispose: () => Promise<void>
}

/** The URL or the secret cannot be used: thrown at once by redisTransport(). */
export class RedisAgentConfigError extends Error {
  override readonly name = 'RedisAgentConfigError'
  readonly code = 'bad-redis-transport'
}

/**
 * A transport over Redis streams for AgentConnection (see docs/agent-protocol.md, "Transport:
 * Redis streams"). Throws RedisAgentConfigError for a bad URL or a missing or short secret.
 *
 * @example new AgentConnection({ identity, onCommand, ...redisTransport({ url: 'redis://10.0.0.5:6379' }) })
 */
export function redisTransport(opts: RedisAgentOptions): AgentTransport {
  const secret = opts.secret ?? process.env[REDIS_SECRET_ENV] ?? ''
  const problem = secretProblem(secret)
  if (problem) throw new RedisAgentConfigError(problem)
  let options: ReturnType<typeof redisOptions>
  try {
    options = redisOptions(opts.url)
  } catch (err) {
    throw new RedisAgentConfigError((err as Error).message)
  }
  const sourceKey = opts.sourceKey ?? `${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`
  if (!SOURCE_KEY_PATTERN.test(sourceKey)) throw new RedisAgentConfigError('sourceKey: letters, digits, _ and - (at most 64)')
  let clients: Promise<RedisClients> | null = null
  let made: Redis[] = []
  let referenced = false
  const applyRef = (r: Redis) => {
    const stream = (r as unknown as { stream?: { ref?: () => void; unref?: () => void } }).stream
    if (referenced) stream?.ref?.()
    else stream?.unref?.()
  }
  const getClients = () =>
    (clients ??= (async () => {
      const { Redis } = await import('ioredis')
      // No offline queue: while Redis is down a command fails at once, the connection closes, and
      // AgentConnection's backoff decides when to try again (nothing piles up in ioredis).
      const make = () => {
        const r = new Redis({ ...options, lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1 })
        r.on('error', () => undefined) // each failure surfaces as a closed connection and its reason
        r.on('connect', () => applyRef(r))
        made.push(r)
        return r
      }
      const writer = make()
      const reader = make()
      try {
        await Promise.all([writer.connect(), reader.connect()])
      } catch (err) {
        clients = null
        for (const r of [writer, reader]) r.disconnect()
        made = made.filter((r) => r !== writer && r !== reader)
        throw err
      }
      return { writer, reader }
    })())
  const fixed: HubLocation = { ok: true, address: { host: 'redis', port: 0, token: helloToken(secret, sourceKey) }, from: 'url' }
  return {
    locate: () => fixed,
    connect: () =>
      new RedisSocket({
        sourceKey,
        secret,
        clients: getClients,
        heartbeatMs: opts.heartbeatMs ?? DEFAULT_HEARTBEAT_MS,
        hubSilentMs: opts.hubSilentMs ?? DEFAULT_LOST_AFTER_MS,
        setRef: (ref) => {
          referenced = ref
          for (const r of made) applyRef(r)
        },
      }) as unknown as Socket,
    dispose: async () => {
      const all = made
      made = []
      clients = null
      await Promise.all(all.map((r) => r.quit().catch(() => r.disconnect())))
    },
  }
}
