// The agent's side of the protocol: connect, hello, a bounded outbox, reconnect with backoff, and
// commands answered through a handler. The Node agent (watch()) builds on this; it knows nothing of
// the runtime.
import { connect } from 'node:net'
import type { Socket } from 'node:net'
import { AGENT_PROTOCOL_VERSION, MAX_LINE_BYTES, clip, encodeLine, parseHubLine } from '../shared/agent-protocol/index'
import type { AgentClock, AgentMessage, AgentRole, CommandMessage, HubAddress, HubMessage, HubMessageOf, RefusalCode, RuntimeKind } from '../shared/agent-protocol/index'
import { LineSplitter } from '../main/hub/line-splitter'
import { realTimers } from '../main/monitor/throttle'
import type { Timers } from '../main/monitor/throttle'
import { OutboundBuffer } from './outbound-buffer'
import type { HubLocation } from './find-hub'

/** Who this process is, as its hello says. */
export interface AgentIdentity {
  name: string
  pid: number
  runtime: { kind: RuntimeKind; version: string }
  clock: AgentClock
  /** Kept across reconnects so the hub shows the same source again (default: made up once per connection object). */
  instance?: string
  /** `child` (started by the app: its shutdown stops it) or `service` (the default: told and left running). */
  role?: AgentRole
}

/** A command handler's typed failure: throw one (or any Error: its code becomes `agent_error`). */
export class CommandFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

/** Where the connection is. `refused` is final (a version mismatch); `closed` follows close(). */
export type ConnectionStatus =
  | { state: 'connecting' }
  | { state: 'connected'; sourceId: string }
  | { state: 'waiting'; retryInMs: number; why: string }
  | { state: 'refused'; code: RefusalCode; message: string }
  | { state: 'closed' }

export interface ConnectionOptions {
  identity: AgentIdentity
  /** Says where the hub is; called before every attempt (see hubLocator). */
  locate: () => HubLocation
  /** Runs a command; its return value is the result's value, a throw its error. */
  onCommand: (command: CommandMessage) => unknown
  /**
   * The process's whole current state as messages: its loops, then deltas with every task in
   * `created`. When given, it is sent in place of the outbox after every reconnect and after any
   * drop, because the hub then lacks what was lost (a restarted hub knows nothing, and a delta
   * naming a task it never saw is an error); the outbox's older lines are superseded by it.
   * Without it, the outbox is sent as it is.
   */
  snapshot?: () => Outgoing[]
  /** Called after each welcome (after the dropped count, the resync or the outbox went out). */
  onWelcome?: (info: { sourceId: string; reconnect: boolean }) => void
  onStatus?: (status: ConnectionStatus) => void
  /** Called with each `notice` the hub sends (e.g. `app-closing`); the connection carries on as before. */
  onNotice?: (notice: HubMessageOf<'notice'>) => void
  /** The outbox: lines and bytes held while disconnected or while the socket is backed up. */
  buffer?: { maxLines?: number; maxBytes?: number }
  /** Reconnect delays: initialMs, ×factor per failed attempt, at most maxMs; reset by a welcome. */
  backoff?: { initialMs?: number; maxMs?: number; factor?: number }
  timers?: Timers
  /** Opens the TCP connection (tests may wrap it). */
  connect?: (address: HubAddress) => Socket
}

export const DEFAULT_BUFFER = { maxLines: 10_000, maxBytes: 16 << 20 } as const
export const DEFAULT_BACKOFF = { initialMs: 100, maxMs: 5_000, factor: 2 } as const
/** Unsent bytes in the socket beyond which lines wait in the (bounded) outbox instead. */
const SOCKET_HIGH_WATER = 1 << 20

type Outgoing = Exclude<AgentMessage, { type: 'hello' }>

/**
 * A connection to the hub that survives the app restarting. Messages go through `send`, which never
 * blocks and never grows without bound: while disconnected (or backed up) they wait in the outbox,
 * and when it is full they are dropped and counted; the next welcome reports the count as
 * `dropped`. Commands from the hub are answered with `result` on the connection they came on.
 *
 * @example
 * const conn = new AgentConnection({ identity, locate: hubLocator(), onCommand: (c) => runCommand(c) })
 * conn.start()
 * conn.send({ type: 'loop:added', loop: 'main', clock: { kind: 'real' } })
 * await conn.close({ code: 0, reason: 'finished' })
 */
export class AgentConnection {
  private readonly outbox: OutboundBuffer
  private readonly timers: Timers
  private readonly backoff: { initialMs: number; maxMs: number; factor: number }
  private readonly instance: string
  private socket: Socket | null = null
  /** Counts connections, so a result never goes out on a later connection than its command's. */
  private generation = 0
  private welcomed = false
  private everWelcomed = false
  /** Set by a reconnect: the next flush sends the snapshot instead of the outbox. */
  private needResync = false
  private sourceIdNow: string | null = null
  private attempt = 0
  private retryTimer: unknown = null
  private maxLineBytes = MAX_LINE_BYTES
  private stopped = false
  private statusNow: ConnectionStatus = { state: 'connecting' }
  /** Why the hub closed the connection (its refusal or fatal error), for the waiting status. */
  private lastWhy: string | null = null

  constructor(private readonly opts: ConnectionOptions) {
    this.outbox = new OutboundBuffer(opts.buffer?.maxLines ?? DEFAULT_BUFFER.maxLines, opts.buffer?.maxBytes ?? DEFAULT_BUFFER.maxBytes)
    this.timers = opts.timers ?? realTimers
    this.backoff = { ...DEFAULT_BACKOFF, ...opts.backoff }
    this.instance = opts.identity.instance ?? `${opts.identity.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`
  }

  get status(): ConnectionStatus {
    return this.statusNow
  }

  /** The source id of the current connection (null while not welcomed). */
  get sourceId(): string | null {
    return this.welcomed ? this.sourceIdNow : null
  }

  /** Messages dropped and not yet reported to a hub. */
  get dropped(): number {
    return this.outbox.dropped
  }

  /** Starts connecting (and reconnecting, until close()). */
  start(): void {
    if (this.stopped || this.socket || this.retryTimer !== null) return
    this.attemptNow()
  }

  /**
   * Sends a message now if connected and the socket keeps up, else queues it; drops and counts it
   * when the outbox is full or the line is longer than the hub accepts. Returns false if dropped.
   */
  send(message: Outgoing): boolean {
    return this.sendLine(encodeLine(message))
  }

  /**
   * As send(), for a message the caller already encoded with encodeLine (watch() encodes each
   * delta once to check its size, and sends that very line).
   */
  sendEncoded(line: string): boolean {
    return this.sendLine(line)
  }

  /**
   * Says bye (if connected), flushes what the outbox holds, and closes; no reconnect after this.
   * Resolves once the socket is closed (at most `waitMs`).
   */
  async close(bye: { code: number | null; reason: string } = { code: null, reason: 'closed' }, waitMs = 2_000): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    if (this.retryTimer !== null) this.timers.clearTimeout(this.retryTimer)
    this.retryTimer = null
    const socket = this.socket
    if (socket && this.welcomed) {
      this.flush(true)
      socket.write(encodeLine({ type: 'bye', code: bye.code, reason: clip(bye.reason, 500) }))
    }
    if (socket) {
      // The socket is unref'd so that it never keeps a finished program alive; but a program
      // awaiting close() as its last top-level await must see it settle, so the socket holds the
      // process until it closes or the timer below (which the socket keeps running) destroys it.
      socket.ref()
      await new Promise<void>((resolve) => {
        const timer = this.timers.setTimeout(() => {
          socket.destroy()
          resolve()
        }, waitMs)
        socket.once('close', () => {
          this.timers.clearTimeout(timer)
          resolve()
        })
        socket.end()
      })
    }
    this.setStatus({ state: 'closed' })
  }

  /**
   * The last words of a process that is exiting now (`process.on('exit')`): what the outbox holds,
   * then bye, written synchronously — no later turn of the event loop will come. Node hands a
   * write on an idle TCP socket to the kernel at once when its buffer has room, so these lines go
   * out before the process ends. The fallback, when they cannot (a backed-up socket, no
   * connection): nothing is sent and the source reads `lost`, as a crash does.
   */
  byeOnExit(code: number | null, reason: string): void {
    if (this.stopped) return
    this.stopped = true
    const socket = this.socket
    if (!socket || !this.welcomed || !socket.writable) return
    this.flush(true)
    socket.write(encodeLine({ type: 'bye', code, reason: clip(reason, 500) }))
  }

  private sendLine(line: string): boolean {
    if (Buffer.byteLength(line) - 1 > this.maxLineBytes) {
      this.outbox.dropped++
      return false
    }
    if (this.canWrite() && this.outbox.length === 0 && this.outbox.dropped === 0) {
      ;(this.socket as Socket).write(line)
      return true
    }
    const queued = this.outbox.push(line)
    this.flush(false)
    return queued
  }

  private canWrite(): boolean {
    const s = this.socket
    return this.welcomed && s !== null && s.writable && s.writableLength < SOCKET_HIGH_WATER
  }

  /**
   * Writes the dropped count (if any), then the snapshot if one is due (a reconnect or a drop), then
   * queued lines while the socket keeps up (or all, when closing).
   */
  private flush(all: boolean): void {
    const s = this.socket
    if (!this.welcomed || !s || !s.writable) return
    const dropped = this.outbox.takeDropped()
    if (dropped > 0) s.write(encodeLine({ type: 'dropped', count: dropped }))
    if ((dropped > 0 || this.needResync) && this.opts.snapshot) {
      this.outbox.clear()
      for (const m of this.opts.snapshot()) {
        const line = encodeLine(m)
        if (Buffer.byteLength(line) - 1 <= this.maxLineBytes) s.write(line)
      }
    }
    this.needResync = false
    while (all || s.writableLength < SOCKET_HIGH_WATER) {
      const line = this.outbox.shift()
      if (line === null) break
      s.write(line)
    }
  }

  private attemptNow(): void {
    this.retryTimer = null
    if (this.stopped) return
    const where = this.opts.locate()
    if (!where.ok) return this.retry(where.message)
    this.setStatus({ state: 'connecting' })
    const generation = ++this.generation
    const socket = (this.opts.connect ?? defaultConnect)(where.address)
    this.socket = socket
    socket.setNoDelay(true)
    // The agent must not keep a finished program alive by its connection alone.
    socket.unref()
    const splitter = new LineSplitter(
      MAX_LINE_BYTES,
      (line) => this.onLine(line, generation),
      () => socket.destroy(),
    )
    let socketError: string | null = null
    socket.on('connect', () => {
      const { identity } = this.opts
      socket.write(
        encodeLine({
          type: 'hello',
          protocol: AGENT_PROTOCOL_VERSION,
          token: where.address.token,
          name: clip(identity.name, 200),
          pid: identity.pid,
          runtime: identity.runtime,
          clock: identity.clock,
          instance: this.instance,
          ...(identity.role ? { role: identity.role } : {}),
        }),
      )
    })
    socket.on('data', (chunk: Buffer) => splitter.push(chunk))
    socket.on('drain', () => this.flush(false))
    socket.on('error', (err) => void (socketError ??= err.message))
    socket.on('close', () => {
      if (this.socket === socket) {
        this.socket = null
        this.welcomed = false
        this.sourceIdNow = null
      }
      if (!this.stopped && this.statusNow.state !== 'refused') this.retry(this.lastWhy ?? socketError ?? 'the connection closed')
      this.lastWhy = null
    })
  }

  private onLine(line: string, generation: number): void {
    if (generation !== this.generation) return
    const parsed = parseHubLine(line)
    if (!parsed.ok) return
    const m = parsed.message
    switch (m.type) {
      case 'welcome':
        return this.onWelcome(m)
      case 'refused':
        this.lastWhy = `refused (${m.code}): ${m.message}`
        // A version mismatch will not heal by retrying; a bad token may (agent.json is rewritten).
        if (m.code === 'version_mismatch') {
          this.stopped = true
          this.setStatus({ state: 'refused', code: m.code, message: m.message })
        }
        return
      case 'error':
        if (m.fatal) this.lastWhy = `disconnected (${m.code}): ${m.message}`
        return
      case 'pong':
        return
      case 'notice':
        this.opts.onNotice?.(m)
        return
      default:
        return this.onCommandMessage(m, generation)
    }
  }

  private onWelcome(m: Extract<HubMessage, { type: 'welcome' }>): void {
    this.welcomed = true
    this.sourceIdNow = m.sourceId
    this.attempt = 0
    this.maxLineBytes = Math.min(MAX_LINE_BYTES, m.limits.maxLineBytes)
    const reconnect = this.everWelcomed
    this.everWelcomed = true
    this.needResync = reconnect
    this.setStatus({ state: 'connected', sourceId: m.sourceId })
    this.flush(false)
    this.opts.onWelcome?.({ sourceId: m.sourceId, reconnect })
  }

  private onCommandMessage(command: CommandMessage, generation: number): void {
    const answer = (result: Outgoing) => {
      // The hub numbers commands per connection: an answer belongs on the one that asked.
      if (generation === this.generation && this.welcomed) this.send(result)
    }
    Promise.resolve()
      .then(() => this.opts.onCommand(command))
      .then(
        (value) => answer({ type: 'result', id: command.id, ok: true, value: value ?? null }),
        (err: unknown) => {
          const code = err instanceof CommandFailure && /^[a-z][a-z0-9_]{0,63}$/.test(err.code) ? err.code : 'agent_error'
          const message = clip(err instanceof Error ? err.message : String(err), 500)
          answer({ type: 'result', id: command.id, ok: false, error: { code, message } })
        },
      )
  }

  private retry(why: string): void {
    if (this.stopped || this.retryTimer !== null) return
    const { initialMs, maxMs, factor } = this.backoff
    const delay = Math.min(maxMs, initialMs * factor ** this.attempt)
    this.attempt++
    this.setStatus({ state: 'waiting', retryInMs: delay, why })
    this.retryTimer = this.timers.setTimeout(() => this.attemptNow(), delay)
  }

  private setStatus(status: ConnectionStatus): void {
    this.statusNow = status
    this.opts.onStatus?.(status)
  }
}

function defaultConnect(address: HubAddress): Socket {
  return connect({ host: address.host, port: address.port })
}
