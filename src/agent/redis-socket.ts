// One connection of the agent over Redis streams, shaped as the socket AgentConnection speaks to:
// lines written become signed entries on the worker's up stream (the first, the hello, is then
// announced on the discovery stream); signed entries of this connection on the down stream come
// back as lines. Heartbeats (`ping`) keep the source alive on the hub; a hub that stops answering
// closes the connection, and AgentConnection reconnects as it does over TCP.
import { Duplex } from 'node:stream'
import type { Redis } from 'ioredis'
import {
  DISCOVERY_MAXLEN,
  DISCOVERY_STREAM,
  ENTRY_FIELDS as F,
  REDIS_SECRET_ENV,
  STREAM_TTL_MS,
  UP_STREAM_MAXLEN,
  downStream,
  entryFields,
  entrySigned,
  signEntry,
  upStream,
} from '../main/hub/redis-wire'

/** The two clients one worker's agent uses: one writes, one blocks reading its down stream. */
export interface RedisClients {
  writer: Redis
  reader: Redis
}

export interface RedisSocketOptions {
  sourceKey: string
  secret: string
  clients: () => Promise<RedisClients>
  /** A ping goes up when nothing else did for this long (the hub's liveness). */
  heartbeatMs: number
  /** With no entry from the hub for this long (no welcome, no pong), the connection is given up. */
  hubSilentMs: number
  /** Set ref/unref on the clients' sockets (the agent must not keep a finished program alive). */
  setRef: (ref: boolean) => void
}

/** How long one blocking read waits: also how soon a closed connection's reader notices. */
const BLOCK_MS = 500

/**
 * A Duplex that AgentConnection treats as its socket (it emits `connect`, `data`, `drain`, `close`).
 *
 * @example const s = new RedisSocket({ sourceKey, secret, clients, heartbeatMs: 1000, hubSilentMs: 5000, setRef })
 */
export class RedisSocket extends Duplex {
  /** This connection's nonce: entries of other connections (earlier ones) are ignored both ways. */
  readonly connection = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 12)}`
  private upSeq = 0
  private downSeq = 0
  private downFrom = '$'
  private heardAt = 0
  private heardAny = false
  private startedAt = Date.now()
  private sentAt = 0
  private pingId = 0
  private timer: NodeJS.Timeout | null = null
  private clientsNow: RedisClients | null = null
  private dead = false
  /** Whether this connection may hold the process open (AgentConnection unrefs it, refs it to close). */
  private referenced = true

  constructor(private readonly opts: RedisSocketOptions) {
    super({ allowHalfOpen: false, writableHighWaterMark: 1 << 20, decodeStrings: true })
    void this.open()
  }

  /** AgentConnection's socket options that mean nothing here. */
  setNoDelay(): this {
    return this
  }

  ref(): this {
    this.referenced = true
    this.opts.setRef(true)
    this.timer?.ref()
    return this
  }

  unref(): this {
    this.referenced = false
    this.opts.setRef(false)
    this.timer?.unref()
    return this
  }

  private async open(): Promise<void> {
    try {
      const clients = await this.opts.clients()
      if (this.dead) return
      this.clientsNow = clients
      // Read the down stream from its end now: the hub answers only after the hello goes up.
      const last = (await clients.writer.xrevrange(downStream(this.opts.sourceKey), '+', '-', 'COUNT', 1)) as [string, string[]][]
      this.downFrom = last[0]?.[0] ?? '0-0'
      if (this.dead) return
      this.startedAt = Date.now()
      this.timer = setInterval(() => this.tick(), Math.max(50, this.opts.heartbeatMs / 2))
      if (!this.referenced) this.timer.unref()
      this.emit('connect')
      void this.readLoop(clients.reader)
    } catch (err) {
      this.destroy(err as Error)
    }
  }

  private tick(): void {
    const now = Date.now()
    const silent = this.heardAny ? now - this.heardAt : now - this.startedAt
    if (silent > this.opts.hubSilentMs) return void this.destroy(new Error(`no answer from the app over Redis for ${silent} ms (is it running with this Redis and the same ${REDIS_SECRET_ENV}?)`))
    // Pings only once welcomed (before it, any line would be taken for the hello).
    if (this.heardAny && !this.writableEnded && now - this.sentAt >= this.opts.heartbeatMs) this.write(`{"type":"ping","id":${++this.pingId}}\n`)
  }

  private async readLoop(reader: Redis): Promise<void> {
    const key = downStream(this.opts.sourceKey)
    while (!this.dead) {
      let got: [string, [string, string[]][]][] | null
      try {
        got = (await reader.xread('COUNT', 256, 'BLOCK', BLOCK_MS, 'STREAMS', key, this.downFrom)) as typeof got
      } catch (err) {
        if (!this.dead) this.destroy(err as Error)
        return
      }
      if (this.dead || !got) continue
      for (const [, entries] of got) {
        for (const [id, flat] of entries) {
          this.downFrom = id
          this.onDown(flat)
        }
      }
    }
  }

  /** A down entry: passed on only if it is this connection's, signed, and in order. */
  private onDown(flat: string[]): void {
    const f = entryFields(flat)
    const c = f?.get(F.connection)
    const n = Number(f?.get(F.seq))
    const m = f?.get(F.message)
    const h = f?.get(F.sig)
    if (!f || c !== this.connection || m === undefined || h === undefined || !Number.isSafeInteger(n) || n <= this.downSeq) return
    if (!entrySigned(this.opts.secret, 'down', this.opts.sourceKey, c, n, m, h)) return
    this.downSeq = n
    this.heardAny = true
    this.heardAt = Date.now()
    this.push(`${m}\n`)
    // A refusal or a fatal error ends the connection on the hub's side, as a TCP close would.
    if (m.startsWith('{"type":"refused"') || (m.startsWith('{"type":"error"') && m.endsWith('"fatal":true}'))) setImmediate(() => this.destroy())
  }

  override _read(): void {
    // Entries are pushed as they arrive; the hub's are few and small.
  }

  override _writev(chunks: { chunk: Buffer }[], done: (error?: Error | null) => void): void {
    this.send(Buffer.concat(chunks.map((c) => c.chunk)).toString('utf8')).then(() => done(), done)
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (error?: Error | null) => void): void {
    this.send(chunk.toString('utf8')).then(() => done(), done)
  }

  /** Each line one signed entry, in order in one pipeline; the first line (the hello) also announced. */
  private async send(text: string): Promise<void> {
    const clients = this.clientsNow
    if (!clients || this.dead) return
    const { sourceKey, secret } = this.opts
    const up = upStream(sourceKey)
    const lines = text.split('\n').filter((l) => l !== '')
    if (lines.length === 0) return
    this.sentAt = Date.now()
    const pipe = clients.writer.pipeline()
    const first = this.upSeq === 0
    for (const line of lines) {
      const n = this.upSeq++
      pipe.xadd(up, 'MAXLEN', '~', UP_STREAM_MAXLEN, '*', F.connection, this.connection, F.seq, String(n), F.message, line, F.sig, signEntry(secret, 'up', sourceKey, this.connection, n, line))
    }
    pipe.pexpire(up, STREAM_TTL_MS)
    const results = (await pipe.exec()) ?? []
    const failed = results.find(([err]) => err)
    if (failed) throw failed[0] as Error
    if (first) {
      const at = String(results[0]?.[1])
      await clients.writer.xadd(DISCOVERY_STREAM, 'MAXLEN', '~', DISCOVERY_MAXLEN, '*', F.key, sourceKey, F.connection, this.connection, F.at, at, F.sig, signEntry(secret, 'discovery', sourceKey, this.connection, 0, at))
    }
  }

  override _final(done: (error?: Error | null) => void): void {
    // Everything written has gone up (writes are done in order before _final): the end is here.
    done()
    this.destroy()
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    this.dead = true
    if (this.timer) clearInterval(this.timer)
    this.timer = null
    done(error)
  }
}
