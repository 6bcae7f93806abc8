// One agent connection: framing, handshake, budget, validation, dispatch, commands in flight. The
// transport is a SessionWire (a TCP socket, or a Redis stream pair): the session logic is the same.
import type { Socket } from 'node:net'
import * as v from 'valibot'
import {
  AGENT_PROTOCOL_VERSION,
  MAX_HELLO_LINE_BYTES,
  MAX_LINE_BYTES,
  clip,
  commandSpecs,
  encodeLine,
  helloSchema,
  helloVersionSchema,
  parseAgentLine,
} from '../../shared/agent-protocol/index'
import type { AgentMessage, Command, CommandType, Hello, HubMessage, HubMessageOf, RefusalCode, SessionErrorCode } from '../../shared/agent-protocol/index'
import type { Timers } from '../monitor/throttle'
import { InboundBudget } from './budget'
import type { HubLimits } from './limits'
import { LineSplitter } from './line-splitter'
import type { SourceRecord } from './source-state'
import { tokensEqual } from './token'
import type { CommandOutcome, HubChange } from './types'

/** What a session needs from its hub. */
export interface SessionHost {
  readonly token: string
  readonly limits: HubLimits
  readonly timers: Timers
  /** Admits a checked hello: the source it becomes, or why it is refused. */
  admit(session: AgentSession, hello: Hello): { ok: true; source: SourceRecord } | { ok: false; code: RefusalCode; message: string }
  emit(change: HubChange): void
  /** The connection is gone (after the source's state was updated). */
  ended(session: AgentSession): void
}

/**
 * What a session writes to: a TCP socket (socketSession) or a Redis stream pair. Input is pushed into
 * the session by whoever reads the transport (`receiveBytes`, `receiveLine`, `peerClosed`).
 */
export interface SessionWire {
  /** Writes one encoded line (ending in `\n`). */
  write(line: string): void
  /** Bytes written and not yet handed on: beyond maxOutboundBytes the peer is not reading. */
  readonly pendingBytes: number
  /** False once ended or destroyed. */
  readonly writable: boolean
  /** Hands on what was written, then ends; the transport calls `peerClosed` when it is over. */
  end(): void
  /** Ends now, dropping what is unsent; the transport calls `peerClosed`. */
  destroy(): void
}

/** A TCP socket as a session's wire, its events fed into the session. */
export function socketSession(socket: Socket, host: SessionHost): AgentSession {
  socket.setNoDelay(true)
  const session = new AgentSession(
    {
      write: (line) => void socket.write(line),
      get pendingBytes() {
        return socket.writableLength
      },
      get writable() {
        return !socket.destroyed && socket.writable
      },
      end: () => void socket.end(),
      destroy: () => void socket.destroy(),
    },
    host,
  )
  socket.on('data', (chunk: Buffer) => session.receiveBytes(chunk))
  socket.on('end', () => session.peerClosed())
  socket.on('close', () => session.peerClosed())
  // A reset peer: 'close' follows and ends the session.
  socket.on('error', () => undefined)
  return session
}

/** Where a connection is: waiting for hello, open, closing (a last line sent, draining), closed. */
export type SessionPhase = 'handshake' | 'open' | 'closing' | 'closed'

interface Pending {
  type: CommandType
  resolve: (outcome: CommandOutcome) => void
  timer: unknown
}

/**
 * Serves one agent connection. Lines are split without holding more than the line bound (4 KiB
 * before welcome, MAX_LINE_BYTES after), each checked against the inbound budget, parsed and
 * validated; a bad line is answered with one `error` line and changes nothing; the
 * `maxBadMessages`-th bad line also disconnects. A connection that ends without a `bye` leaves
 * its source `lost`.
 */
export class AgentSession {
  phase: SessionPhase = 'handshake'
  source: SourceRecord | null = null
  /** Bad lines on this connection (the source's count spans reconnects). */
  badMessages = 0
  private byeSeen = false
  private discardedInARow = 0
  private lastWarnAt = Number.NEGATIVE_INFINITY
  private nextCommandId = 0
  private readonly pending = new Map<number, Pending>()
  /** Ids of commands that timed out: their late answers are dropped quietly (bounded). */
  private readonly late = new Set<number>()
  private readonly splitter: LineSplitter
  private readonly budget: InboundBudget
  private helloTimer: unknown
  private lingerTimer: unknown = null

  constructor(
    readonly wire: SessionWire,
    private readonly host: SessionHost,
  ) {
    const { limits, timers } = host
    this.budget = new InboundBudget(limits.budget, () => timers.now())
    this.splitter = new LineSplitter(MAX_HELLO_LINE_BYTES, (line, bytes) => this.onLine(line, bytes), () => this.onOverflow())
    this.helloTimer = timers.setTimeout(() => {
      if (this.phase === 'handshake') this.refuse('hello_timeout', `no hello within ${limits.helloTimeoutMs} ms`)
    }, limits.helloTimeoutMs)
  }

  /** Whether the agent said bye (its last message: a message transport may end the connection then). */
  get saidBye(): boolean {
    return this.byeSeen
  }

  /** Bytes from a byte-stream transport (TCP): split into lines within the line bound. */
  receiveBytes(chunk: Buffer): void {
    this.splitter.push(chunk)
  }

  /**
   * One whole message from a message transport (a Redis stream entry), `bytes` its UTF-8 length:
   * checked against the same line bound as a TCP line (past it, the same overflow).
   */
  receiveLine(line: string, bytes: number): void {
    if (this.phase === 'closing' || this.phase === 'closed') return
    if (bytes > this.splitter.maxBytes) return this.onOverflow()
    if (line.trim() === '') return
    this.onLine(line, bytes)
  }

  /** The transport ended (the peer closed, or the wire was ended/destroyed): once, lost unless bye. */
  peerClosed(): void {
    this.finish()
  }

  /** Sends a command (already validated by the hub) and resolves with the agent's answer or a typed error. */
  send(command: Command, timeoutMs: number): Promise<CommandOutcome> {
    if (this.phase !== 'open' || this.byeSeen) return Promise.resolve(gone('the source is not connected'))
    if (this.pending.size >= this.host.limits.maxPendingCommands) {
      return Promise.resolve({ ok: false, error: { code: 'too_many_pending', message: `${this.pending.size} commands already await an answer from this source` } })
    }
    const id = ++this.nextCommandId
    return new Promise((resolve) => {
      const timer = this.host.timers.setTimeout(() => {
        if (!this.pending.delete(id)) return
        this.late.add(id)
        if (this.late.size > this.host.limits.maxPendingCommands) this.late.delete(this.late.values().next().value as number)
        resolve({ ok: false, error: { code: 'command_timeout', message: `the agent did not answer ${command.type} within ${timeoutMs} ms` } })
      }, timeoutMs)
      this.pending.set(id, { type: command.type, resolve, timer })
      this.write({ ...command, id } as HubMessage)
    })
  }

  /** Sends a notice (it answers nothing); false if the session is not open. */
  notify(notice: HubMessageOf<'notice'>): boolean {
    if (this.phase !== 'open' || this.byeSeen) return false
    this.write(notice)
    return true
  }

  /** Closes the connection with a fatal error (or, before welcome, a refusal). */
  close(code: SessionErrorCode & RefusalCode, message: string): void {
    if (this.phase === 'handshake') this.refuse(code, message)
    else this.fatal(code, message)
  }

  private onLine(line: string, bytes: number): void {
    if (this.phase === 'handshake') return this.handshake(line)
    if (this.phase !== 'open') return
    if (!this.budget.admit(bytes)) return this.discard()
    this.discardedInARow = 0
    const parsed = parseAgentLine(line)
    if (!parsed.ok) return this.bad(parsed.error.code, parsed.error.message)
    this.dispatch(parsed.message)
  }

  private handshake(line: string): void {
    let raw: unknown
    try {
      raw = JSON.parse(line)
    } catch {
      return this.refuse('bad_hello', 'the first line must be a hello message (JSON)')
    }
    const head = v.safeParse(helloVersionSchema, raw)
    if (!head.success) return this.refuse('bad_hello', `the first message must be {"type":"hello","protocol":${AGENT_PROTOCOL_VERSION},…}`)
    const theirs = head.output.protocol
    if (theirs !== AGENT_PROTOCOL_VERSION) {
      return this.refuse(
        'version_mismatch',
        `the agent speaks protocol ${clip(String(theirs), 24)}; this app speaks protocol ${AGENT_PROTOCOL_VERSION}. Use an agent and an app of the same protocol`,
      )
    }
    const hello = v.safeParse(helloSchema, raw, { abortEarly: true })
    if (!hello.success) {
      const issue = hello.issues[0]
      return this.refuse('bad_hello', clip(`hello.${v.getDotPath(issue) ?? ''}: ${issue.message}`))
    }
    if (!tokensEqual(hello.output.token, this.host.token)) {
      return this.refuse('bad_token', 'the token is missing or wrong; read agent.json again (the app writes a new token at every start)')
    }
    const admitted = this.host.admit(this, hello.output)
    if (!admitted.ok) return this.refuse(admitted.code, admitted.message)
    this.host.timers.clearTimeout(this.helloTimer)
    this.source = admitted.source
    this.phase = 'open'
    this.splitter.maxBytes = MAX_LINE_BYTES
    this.write({ type: 'welcome', protocol: AGENT_PROTOCOL_VERSION, sourceId: admitted.source.id, limits: { maxLineBytes: MAX_LINE_BYTES } })
  }

  private dispatch(m: AgentMessage): void {
    const source = this.source as SourceRecord
    if (this.byeSeen) return this.bad('bad_message', `${m.type} after bye: no message may follow bye`)
    switch (m.type) {
      case 'hello':
        return this.bad('bad_message', 'hello was already accepted on this connection')
      case 'loop:added':
      case 'loop:removed': {
        const no = m.type === 'loop:added' ? source.addLoop(m.loop, m.clock) : source.removeLoop(m.loop)
        if (no) return this.bad(no.code, no.message)
        return this.host.emit({ kind: 'source', source: source.info() })
      }
      case 'tasks:delta': {
        const no = source.check(m.delta)
        if (no) return this.bad(no.code, no.message)
        source.apply(m.delta)
        return this.host.emit({ kind: 'tasks', sourceId: source.id, delta: m.delta })
      }
      case 'log': {
        const log = { stream: m.stream, line: m.line, wall: m.wall, taskId: m.taskId }
        const no = source.addLog(log)
        if (no) return this.bad(no.code, no.message)
        return this.host.emit({ kind: 'log', sourceId: source.id, log })
      }
      case 'dropped':
        source.dropped += m.count
        return this.host.emit({ kind: 'source', source: source.info() })
      case 'result':
        return this.onResult(m)
      case 'ping':
        return this.write({ type: 'pong', id: m.id })
      case 'bye':
        this.byeSeen = true
        source.state = 'exited'
        source.exit = { code: m.code, reason: m.reason }
        source.endedWall = Date.now()
        this.failPending('the source said bye before answering')
        return this.host.emit({ kind: 'source', source: source.info() })
    }
  }

  private onResult(m: Extract<AgentMessage, { type: 'result' }>): void {
    const p = this.pending.get(m.id)
    if (!p) {
      if (this.late.delete(m.id)) return
      return this.bad('unknown_command', `result for command ${m.id}, which the hub is not waiting for`)
    }
    this.pending.delete(m.id)
    this.host.timers.clearTimeout(p.timer)
    if (!m.ok) return p.resolve({ ok: false, error: m.error })
    const value = v.safeParse(commandSpecs[p.type].result, m.value, { abortEarly: true })
    if (value.success) return p.resolve({ ok: true, value: value.output } as CommandOutcome)
    const issue = value.issues[0]
    const message = clip(`result of ${p.type}: value.${v.getDotPath(issue) ?? ''}: ${issue.message}`)
    p.resolve({ ok: false, error: { code: 'bad_result', message } })
    this.bad('bad_message', message)
  }

  /** Answers one bad line; the maxBadMessages-th also disconnects. */
  private bad(code: SessionErrorCode, message: string): void {
    this.badMessages++
    if (this.source) this.source.errors++
    this.write({ type: 'error', code, message: clip(message), fatal: false })
    const max = this.host.limits.maxBadMessages
    if (this.badMessages >= max) this.fatal('too_many_errors', `${this.badMessages} bad messages on this connection (the limit is ${max}); disconnecting`)
  }

  /** A line over the budget: discarded unread, counted, warned about once a second. */
  private discard(): void {
    const source = this.source as SourceRecord
    source.discarded++
    this.discardedInARow++
    const { maxDiscardedInARow } = this.host.limits
    if (this.discardedInARow >= maxDiscardedInARow) {
      return this.fatal('flood', `${this.discardedInARow} lines in a row over the inbound budget; disconnecting`)
    }
    const now = this.host.timers.now()
    if (now - this.lastWarnAt >= 1000) {
      this.lastWarnAt = now
      this.write({
        type: 'error',
        code: 'rate_limited',
        message: `over the inbound budget: ${source.discarded} lines discarded unread so far; send less (batch into deltas)`,
        fatal: false,
      })
    }
  }

  private onOverflow(): void {
    const max = this.splitter.maxBytes
    if (this.phase === 'handshake') this.refuse('line_too_long', `the first line passed ${max} bytes; a hello is short`)
    else if (this.phase === 'open') this.fatal('line_too_long', `a line passed ${max} bytes (the limit); disconnecting`)
  }

  private refuse(code: RefusalCode, message: string): void {
    this.last({ type: 'refused', code, message: clip(message), protocol: AGENT_PROTOCOL_VERSION })
  }

  private fatal(code: SessionErrorCode, message: string): void {
    this.last({ type: 'error', code, message: clip(message), fatal: true })
  }

  /** Sends one last line, then half-closes and drains (unread) until the peer closes or the linger ends. */
  private last(message: HubMessage): void {
    if (this.phase === 'closing' || this.phase === 'closed') return
    this.write(message)
    this.phase = 'closing'
    this.splitter.stop()
    this.failPending('the connection is closing')
    this.wire.end()
    this.lingerTimer = this.host.timers.setTimeout(() => this.wire.destroy(), this.host.limits.closeLingerMs)
  }

  private write(message: HubMessage): void {
    if (this.phase === 'closed' || !this.wire.writable) return
    if (this.wire.pendingBytes > this.host.limits.maxOutboundBytes) {
      // It does not read what we send: no last line (it would not read it either).
      this.phase = 'closing'
      this.splitter.stop()
      this.wire.destroy()
      return
    }
    this.wire.write(encodeLine(message))
  }

  private failPending(why: string): void {
    for (const p of this.pending.values()) {
      this.host.timers.clearTimeout(p.timer)
      p.resolve(gone(why))
    }
    this.pending.clear()
  }

  /** The peer ended or the socket closed: once, the source becomes lost unless it said bye. */
  private finish(): void {
    if (this.phase === 'closed') return
    this.phase = 'closed'
    this.splitter.stop()
    this.host.timers.clearTimeout(this.helloTimer)
    if (this.lingerTimer !== null) this.host.timers.clearTimeout(this.lingerTimer)
    this.failPending('the connection ended before the agent answered')
    this.wire.destroy()
    const source = this.source
    if (source && !this.byeSeen) {
      source.state = 'lost'
      source.endedWall = Date.now()
      this.host.emit({ kind: 'source', source: source.info() })
    }
    this.host.ended(this)
  }
}

function gone(message: string): CommandOutcome {
  return { ok: false, error: { code: 'source_gone', message } }
}
