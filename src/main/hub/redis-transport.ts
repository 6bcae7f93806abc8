// The hub's Redis-streams transport: the same protocol messages and the same AgentSession (its
// validation, budget and limits) as TCP, carried by stream entries. Workers on other machines need
// nothing but Redis; the app opens no port for them. See docs/agent-protocol.md, "Transport: Redis
// streams".
import { Redis } from 'ioredis'
import { MAX_LINE_BYTES } from '../../shared/agent-protocol/index'
import { redisOptions } from '../queue/redis-url'
import type { AgentSession, SessionWire } from './agent-session'
import {
  CONNECTION_PATTERN,
  DEFAULT_LOST_AFTER_MS,
  DISCOVERY_STREAM,
  DOWN_STREAM_MAXLEN,
  ENTRY_FIELDS as F,
  REDIS_SECRET_ENV,
  SOURCE_KEY_PATTERN,
  STREAM_ID_PATTERN,
  STREAM_TTL_MS,
  downStream,
  entryFields,
  entrySigned,
  helloToken,
  secretProblem,
  signEntry,
  upStream,
} from './redis-wire'

/** How the hub reaches Redis, and its bounds. */
export interface RedisTransportOptions {
  url: string
  /** The shared secret (LOOPWATCH_REDIS_SECRET): every entry both ways is signed with it. */
  secret: string
  /** Silence on an up stream after which its source is lost (default 5 s). */
  lostAfterMs?: number
  /** How long an idle poll waits before the next (default 25 ms; 4× that after a quiet second); a busy one goes again at once. */
  pollMs?: number
  /** Entries read per stream per poll (default 512). */
  entriesPerPoll?: number
  /** Bytes read per poll over all streams (default 8 MiB; one entry always passes). */
  bytesPerPoll?: number
  /** Where Redis errors go (default console.error), once per message per 10 s. */
  onError?: (line: string) => void
}

/** What the transport needs of the hub: a session for each new connection (null: not now). */
export interface SessionOpener {
  openSession(wire: SessionWire, token: string): AgentSession | null
}

/** Counts of entries the transport dropped before any session saw them. */
export interface RedisTransportStats {
  /** Unsigned, wrongly signed, replayed, or malformed entries (up and discovery). */
  unsigned: number
  /** Entries too long to read (their size alone was read). */
  oversized: number
  /** Signed entries of an earlier connection of the same worker. */
  stale: number
}

/** Reads streams without ever loading a long entry: each is returned whole, or as its size. */
const READ_SCRIPT = `
local count, maxEntry, budget = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local out = {}
for i, key in ipairs(KEYS) do
  local list = {}
  if budget > 0 then
    local got = redis.call('XRANGE', key, ARGV[3 + i], '+', 'COUNT', count)
    for _, e in ipairs(got) do
      local size = 0
      for _, x in ipairs(e[2]) do size = size + #x end
      if size > maxEntry then
        list[#list + 1] = {e[1], size}
      else
        if size > budget and #list > 0 then break end
        budget = budget - size
        list[#list + 1] = {e[1], e[2]}
      end
    end
    -- What the hub has read it no longer needs: a writer that ignores MAXLEN cannot grow it.
    if #list > 0 then redis.call('XTRIM', key, 'MINID', list[#list][1]) end
  end
  out[i] = list
end
return out
`

type RawEntry = [id: string, fieldsOrSize: string[] | number]

interface Peer {
  key: string
  connection: string
  session: AgentSession
  /** XRANGE start: the hello's id (inclusive) at first, then `(` + the last id read. */
  from: string
  lastSeq: number
  heardAt: number
  downSeq: number
  pendingBytes: number
  closed: boolean
  warnedAt: number
}

/** Field room beside the message: connection, sequence number, signature and their names. */
const FIELD_OVERHEAD = 256

/**
 * Watches the discovery stream and every known worker's up stream; feeds each signed entry to that
 * worker's AgentSession and writes the session's lines to its down stream, signed. A worker whose
 * up stream stays silent for `lostAfterMs` is lost, as a dropped TCP connection is.
 *
 * @example const t = await RedisTransport.start(hub, { url, secret }); …; await t.close()
 */
export class RedisTransport {
  readonly stats: RedisTransportStats = { unsigned: 0, oversized: 0, stale: 0 }
  private readonly peers = new Map<string, Peer>()
  /** Null until Redis first answered (then: its clock minus the hello window). */
  private discoveryFrom: string | null = null
  private helloWindowMs = 5_000
  private closed = false
  private timer: NodeJS.Timeout | null = null
  private polling: Promise<void> | null = null
  private idlePolls = 0
  private readonly lostAfterMs: number
  private readonly pollMs: number
  private readonly report: (line: string) => void
  private lastError = { message: '', at: 0 }

  private constructor(
    private readonly hub: SessionOpener,
    private readonly redis: Redis,
    private readonly opts: RedisTransportOptions,
  ) {
    this.lostAfterMs = opts.lostAfterMs ?? DEFAULT_LOST_AFTER_MS
    this.pollMs = opts.pollMs ?? 25
    this.report = opts.onError ?? ((line) => console.error(line))
    redis.defineCommand('loopwatchRead', { lua: READ_SCRIPT })
    redis.on('error', (err: Error) => this.error(err))
  }

  /**
   * Starts polling: discovery is read from a hello timeout before the first successful read (a
   * worker that said hello just before the app started is found). Throws for a bad URL or secret;
   * a Redis that is down is only reported (once per message per 10 s) and read again later.
   */
  static start(hub: SessionOpener, opts: RedisTransportOptions, helloWindowMs = 5_000): RedisTransport {
    const problem = secretProblem(opts.secret)
    if (problem) throw new Error(problem)
    // No offline queue: while Redis is down a poll fails at once (reported, tried again), so the
    // liveness check below keeps running and close() never waits on a dead server.
    const t = new RedisTransport(hub, new Redis({ ...redisOptions(opts.url), enableOfflineQueue: false, maxRetriesPerRequest: 1 }), opts)
    t.helloWindowMs = helloWindowMs
    t.schedule(0)
    return t
  }

  /** Workers with a connection now (in handshake or open). */
  get connected(): number {
    return this.peers.size
  }

  /** Stops polling and disconnects (the hub has already closed the sessions, whose last lines go first). */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    if (this.timer) clearTimeout(this.timer)
    await this.polling
    for (const p of [...this.peers.values()]) this.drop(p)
    try {
      await this.redis.quit()
    } catch {
      this.redis.disconnect()
    }
  }

  private schedule(ms: number): void {
    if (this.closed) return
    this.timer = setTimeout(() => {
      this.timer = null
      this.polling = this.poll().then((busy) => {
        this.polling = null
        // Quiet for a second (heartbeats aside): poll four times less often until something comes.
        this.idlePolls = busy ? 0 : this.idlePolls + 1
        this.schedule(busy ? 0 : this.idlePolls * this.pollMs > 1_000 ? 4 * this.pollMs : this.pollMs)
      })
    }, ms)
    this.timer.unref()
  }

  /** One read of discovery and every up stream; true if anything came (read again at once). */
  private async poll(): Promise<boolean> {
    const now = Date.now()
    for (const p of [...this.peers.values()]) {
      if (now - p.heardAt > this.lostAfterMs) this.drop(p)
    }
    // Not connected (yet, or again): ioredis reconnects and reports its errors; nothing to read.
    if (this.redis.status !== 'ready') return false
    if (this.discoveryFrom === null) {
      try {
        const [sec] = await this.redis.time()
        this.discoveryFrom = `${Math.max(0, Number(sec) * 1000 - this.helloWindowMs)}-0`
      } catch (err) {
        this.error(err as Error)
        return false
      }
    }
    const peers = [...this.peers.values()]
    const keys = [DISCOVERY_STREAM, ...peers.map((p) => upStream(p.key))]
    const from = [this.discoveryFrom, ...peers.map((p) => p.from)]
    let result: RawEntry[][]
    try {
      const read = (this.redis as unknown as { loopwatchRead(...args: (string | number)[]): Promise<RawEntry[][]> }).loopwatchRead
      result = await read.call(
        this.redis,
        keys.length,
        ...keys,
        this.opts.entriesPerPoll ?? 512,
        MAX_LINE_BYTES + FIELD_OVERHEAD,
        this.opts.bytesPerPoll ?? 8 << 20,
        ...from,
      )
    } catch (err) {
      this.error(err as Error)
      return false
    }
    if (this.closed || this.discoveryFrom === null) return false
    let busy = false
    result.forEach((entries, i) => {
      if (entries.length === 0) return
      busy = true
      if (i === 0) {
        for (const e of entries) this.discovered(e)
        this.discoveryFrom = `(${entries[entries.length - 1]![0]}`
        return
      }
      const peer = peers[i - 1]!
      for (const e of entries) {
        if (peer.closed) break
        this.onEntry(peer, e)
        peer.from = `(${e[0]}`
      }
    })
    return busy
  }

  /** A discovery entry: a worker's new connection, its hello at `at` on its up stream. */
  private discovered([, raw]: RawEntry): void {
    const f = typeof raw === 'number' ? null : entryFields(raw)
    const key = f?.get(F.key)
    const connection = f?.get(F.connection)
    const at = f?.get(F.at)
    const sig = f?.get(F.sig)
    if (
      !f ||
      f.size !== 4 ||
      key === undefined ||
      connection === undefined ||
      at === undefined ||
      sig === undefined ||
      !SOURCE_KEY_PATTERN.test(key) ||
      !CONNECTION_PATTERN.test(connection) ||
      !STREAM_ID_PATTERN.test(at) ||
      !entrySigned(this.opts.secret, 'discovery', key, connection, 0, at, sig)
    ) {
      if (typeof raw === 'number') this.stats.oversized++
      else this.stats.unsigned++
      return
    }
    const old = this.peers.get(key)
    if (old?.connection === connection) return
    // The same worker connecting again (it thought the app gone): its old connection ends first,
    // so the hub shows the same source again (its instance) rather than a second one.
    if (old) this.drop(old)
    const peer: Peer = {
      key,
      connection,
      session: null as unknown as AgentSession,
      from: at,
      lastSeq: -1,
      heardAt: Date.now(),
      downSeq: 0,
      pendingBytes: 0,
      closed: false,
      warnedAt: 0,
    }
    const session = this.hub.openSession(this.wireOf(peer), helloToken(this.opts.secret, key))
    if (!session) return // closing, or too many handshakes: the worker tries again
    peer.session = session
    this.peers.set(key, peer)
  }

  /** One up-stream entry: fed to the session only if it is this connection's, signed and in order. */
  private onEntry(peer: Peer, [, raw]: RawEntry): void {
    if (typeof raw === 'number') {
      this.stats.oversized++
      return this.warn(peer, 'line_too_long', `an entry of ${raw} bytes was dropped unread (the limit is ${MAX_LINE_BYTES}); it cannot be shown to come from this worker, so the connection stays`)
    }
    const f = entryFields(raw)
    const connection = f?.get(F.connection)
    const seqText = f?.get(F.seq)
    const message = f?.get(F.message)
    const sig = f?.get(F.sig)
    const seq = seqText !== undefined && /^\d{1,15}$/.test(seqText) ? Number(seqText) : -1
    if (f && f.size === 4 && connection !== undefined && connection !== peer.connection && message !== undefined && sig !== undefined && CONNECTION_PATTERN.test(connection)) {
      if (entrySigned(this.opts.secret, 'up', peer.key, connection, seq, message, sig)) {
        this.stats.stale++
        return
      }
    }
    if (!f || f.size !== 4 || connection !== peer.connection || message === undefined || sig === undefined || seq <= peer.lastSeq || !entrySigned(this.opts.secret, 'up', peer.key, connection, seq, message, sig)) {
      this.stats.unsigned++
      return this.warn(peer, 'bad_message', 'an entry not signed for this connection with the shared secret (or replayed) was dropped; it changed nothing')
    }
    peer.lastSeq = seq
    peer.heardAt = Date.now()
    peer.session.receiveLine(message, Buffer.byteLength(message))
    // Bye is an agent's last message: over TCP it closes its socket next; here the hub ends it.
    if (peer.session.saidBye) this.drop(peer)
  }

  /**
   * Entries nobody can vouch for are never counted against the worker's session (a stranger must
   * not be able to disconnect it), but are answered: at most one error a second per worker.
   */
  private warn(peer: Peer, code: 'line_too_long' | 'bad_message', message: string): void {
    const now = Date.now()
    if (now - peer.warnedAt < 1000) return
    peer.warnedAt = now
    this.writeDown(peer, JSON.stringify({ type: 'error', code, message, fatal: false }))
  }

  private wireOf(peer: Peer): SessionWire {
    return {
      write: (line) => this.writeDown(peer, line.endsWith('\n') ? line.slice(0, -1) : line),
      get pendingBytes() {
        return peer.pendingBytes
      },
      get writable() {
        return !peer.closed
      },
      // The entries already written go out in order on the one client: ending is dropping.
      end: () => queueMicrotask(() => this.drop(peer)),
      destroy: () => this.drop(peer),
    }
  }

  private writeDown(peer: Peer, message: string): void {
    if (peer.closed) return
    const seq = ++peer.downSeq
    const bytes = Buffer.byteLength(message)
    peer.pendingBytes += bytes
    const sig = signEntry(this.opts.secret, 'down', peer.key, peer.connection, seq, message)
    const down = downStream(peer.key)
    this.redis
      .multi()
      .xadd(down, 'MAXLEN', '~', DOWN_STREAM_MAXLEN, '*', F.connection, peer.connection, F.seq, String(seq), F.message, message, F.sig, sig)
      .pexpire(down, STREAM_TTL_MS)
      .exec()
      .then(
        () => void (peer.pendingBytes -= bytes),
        (err: Error) => {
          peer.pendingBytes -= bytes
          this.error(err)
        },
      )
  }

  /** Ends a worker's connection: its session finishes (lost unless it said bye). */
  private drop(peer: Peer): void {
    if (peer.closed) return
    peer.closed = true
    if (this.peers.get(peer.key) === peer) this.peers.delete(peer.key)
    peer.session.peerClosed()
  }

  private error(err: Error): void {
    const now = Date.now()
    if (err.message === this.lastError.message && now - this.lastError.at < 10_000) return
    this.lastError = { message: err.message, at: now }
    try {
      this.report(`loopwatch hub (redis): ${err.message}`)
    } catch {
      // the reporter failed: nothing more to do
    }
  }
}

/** The Redis transport the app runs: from LOOPWATCH_REDIS_URL (or a settings URL) and LOOPWATCH_REDIS_SECRET; null with why when off. */
export function redisTransportSettings(
  url: string | null | undefined,
  env: NodeJS.ProcessEnv = process.env,
): { ok: true; options: RedisTransportOptions } | { ok: false; why: string } {
  const u = (url ?? env['LOOPWATCH_REDIS_URL'] ?? '').trim()
  if (u === '') return { ok: false, why: 'no Redis URL' }
  const secret = env[REDIS_SECRET_ENV] ?? ''
  const problem = secretProblem(secret)
  if (problem) return { ok: false, why: problem }
  return { ok: true, options: { url: u, secret } }
}
