// The hub: a TCP server on 127.0.0.1 that agents connect to, one AgentSession per connection, and
// the registry of sources the app shows. Host-free Node: no Electron, no AppCore.
import { createServer } from 'node:net'
import type { Server, Socket } from 'node:net'
import * as v from 'valibot'
import { AGENT_PROTOCOL_VERSION, MAX_TEXT_LENGTH, commandSpecs } from '../../shared/agent-protocol/index'
import type { CommandType, Hello, NoticeKind } from '../../shared/agent-protocol/index'
import { realTimers } from '../monitor/throttle'
import type { Timers } from '../monitor/throttle'
import { removeAgentFile, writeAgentFile } from './agent-file'
import { AgentSession, socketSession } from './agent-session'
import type { SessionHost, SessionWire } from './agent-session'
import { DEFAULT_HUB_LIMITS } from './limits'
import type { HubLimits } from './limits'
import { RedisTransport } from './redis-transport'
import type { RedisTransportOptions } from './redis-transport'
import { SourceRecord } from './source-state'
import { createToken } from './token'
import { parseTaskKey, taskKey } from './types'
import type { CommandOf, CommandOutcome, HubChange, SourceId, SourceInfo, SourceLog, SourceTask } from './types'

export interface HubOptions {
  /** Where agent.json is written (mode 0600) at start and removed on close; null writes none. */
  dataDir: string | null
  /** TCP port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number
  /** Smaller bounds for tests; unset ones keep DEFAULT_HUB_LIMITS. */
  limits?: Partial<Omit<HubLimits, 'budget'>> & { budget?: Partial<HubLimits['budget']> }
  timers?: Timers
  /** Where a throwing onChange listener is reported (default console.error): it never reaches a socket. */
  onListenerError?: (err: unknown) => void
  /** Also take agents over Redis streams (workers on any machine); null or unset: TCP only. */
  redis?: RedisTransportOptions | null
}

/**
 * Accepts agents on 127.0.0.1, checks their token, keeps each source's last known state, and lets
 * the app send them commands. Every bound is in HubLimits.
 *
 * @example
 * const hub = await AgentHub.start({ dataDir })
 * hub.onChange((c) => c.kind === 'tasks' && forward(c.sourceId, c.delta))
 * const r = await hub.sendCommand('agent-1', { type: 'cancel', taskId: 7, reason: 'from the window' })
 * await hub.close()
 */
export class AgentHub {
  readonly token = createToken()
  readonly limits: HubLimits
  private readonly timers: Timers
  private readonly records = new Map<SourceId, SourceRecord>()
  private readonly live = new Map<SourceId, AgentSession>()
  private readonly sessions = new Set<AgentSession>()
  private readonly listeners = new Set<(change: HubChange) => void>()
  private nextSource = 0
  private closing: Promise<void> | null = null
  private agentFile: string | null = null
  private redisTransport: RedisTransport | null = null
  private readonly sessionHost: SessionHost

  private constructor(
    private readonly server: Server,
    private readonly opts: HubOptions,
  ) {
    const { budget, ...rest } = opts.limits ?? {}
    this.limits = { ...DEFAULT_HUB_LIMITS, ...rest, budget: { ...DEFAULT_HUB_LIMITS.budget, ...budget } }
    this.timers = opts.timers ?? realTimers
    this.sessionHost = {
      token: this.token,
      limits: this.limits,
      timers: this.timers,
      admit: (session, hello) => this.admit(session, hello),
      emit: (change) => this.emit(change),
      ended: (session) => this.ended(session),
    }
  }

  /** Listens on 127.0.0.1 and writes agent.json. Rejects if the port is taken or the dir unwritable. */
  static async start(opts: HubOptions): Promise<AgentHub> {
    const server = createServer({ noDelay: true })
    const hub = new AgentHub(server, opts)
    server.on('connection', (socket) => hub.accept(socket))
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen({ host: '127.0.0.1', port: opts.port ?? 0 }, () => {
        server.off('error', reject)
        resolve()
      })
    })
    // Later server errors (EMFILE on accept) must not become an uncaught exception.
    server.on('error', (err) => hub.reportListenerError(err))
    if (opts.redis) {
      try {
        hub.useRedis(opts.redis)
      } catch (err) {
        await new Promise<void>((resolve) => server.close(() => resolve()))
        throw err
      }
    }
    if (opts.dataDir !== null) {
      try {
        hub.agentFile = await writeAgentFile(opts.dataDir, { port: hub.port, token: hub.token, pid: process.pid, protocol: AGENT_PROTOCOL_VERSION })
      } catch (err) {
        await new Promise<void>((resolve) => server.close(() => resolve()))
        await hub.redisTransport?.close()
        throw err
      }
    }
    return hub
  }

  get port(): number {
    const address = this.server.address()
    return typeof address === 'object' && address !== null ? address.port : 0
  }

  /** The Redis-streams transport, when this hub was started with one (or given one by useRedis). */
  get redis(): RedisTransport | null {
    return this.redisTransport
  }

  /**
   * Also takes agents over Redis from now on (e.g. once the jobs daemon is given a Redis URL in its
   * settings). Throws for a bad URL or secret, or if the hub already reads a Redis or is closing.
   */
  useRedis(options: RedisTransportOptions): RedisTransport {
    if (this.closing) throw new Error('the hub is closing')
    if (this.redisTransport) throw new Error('the hub already takes agents over Redis')
    this.redisTransport = RedisTransport.start(this, options, this.limits.helloTimeoutMs)
    return this.redisTransport
  }

  /** The path of the agent.json this hub wrote (null when it writes none). */
  get agentFilePath(): string | null {
    return this.agentFile
  }

  /** Every source kept, in the order they first connected. */
  sources(): SourceInfo[] {
    return [...this.records.values()].map((r) => r.info())
  }

  source(id: SourceId): SourceInfo | null {
    return this.records.get(id)?.info() ?? null
  }

  /** A source's last known tasks (stale once it is lost), each with its namespaced key. */
  tasks(id: SourceId): SourceTask[] {
    const r = this.records.get(id)
    if (!r) return []
    return [...r.tasks.values()].map((task) => ({ key: taskKey(id, task.id), sourceId: id, task }))
  }

  /** One task by its namespaced key (`agent-1:42`). */
  task(key: string): SourceTask | null {
    const parsed = parseTaskKey(key)
    const task = parsed && this.records.get(parsed.sourceId)?.tasks.get(parsed.taskId)
    return parsed && task ? { key, sourceId: parsed.sourceId, task } : null
  }

  /** The source's recent log lines (from `log` messages and deltas), oldest first. */
  logs(id: SourceId): SourceLog[] {
    return this.records.get(id)?.recentLogs() ?? []
  }

  /** Calls `listener` with every change; returns the function that stops it. */
  onChange(listener: (change: HubChange) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /**
   * Sends a command to a source and resolves with its typed answer; never rejects. Errors:
   * `unknown_source`, `source_gone` (lost, exited, or the connection ended before the answer),
   * `bad_command`, `unknown_task`, `too_many_pending`, `command_timeout` (default 10 s; a stop
   * waits its grace on top), `bad_result`, or the agent's own `{ code, message }`.
   */
  sendCommand<K extends CommandType>(sourceId: SourceId, command: CommandOf<K>, opts: { timeoutMs?: number } = {}): Promise<CommandOutcome<K>> {
    const fail = (code: string, message: string) => Promise.resolve({ ok: false as const, error: { code, message } })
    const record = this.records.get(sourceId)
    if (!record) return fail('unknown_source', `no source ${String(sourceId).slice(0, 64)}`)
    const session = this.live.get(sourceId)
    if (!session || record.state === 'exited' || record.state === 'lost') return fail('source_gone', `source ${sourceId} is ${record.state}`)
    const type = (command as { type?: unknown }).type
    if (typeof type !== 'string' || !Object.hasOwn(commandSpecs, type)) return fail('bad_command', `unknown command type; expected one of ${Object.keys(commandSpecs).join(', ')}`)
    const parsed = v.safeParse(commandSpecs[type as CommandType].fields, command)
    if (!parsed.success) return fail('bad_command', `${type}: ${v.summarize(parsed.issues).slice(0, 300)}`)
    const checked = parsed.output
    if ('taskId' in checked && !record.tasks.has(checked.taskId)) return fail('unknown_task', `source ${sourceId} has no task ${checked.taskId}`)
    let timeoutMs = opts.timeoutMs ?? this.limits.commandTimeoutMs
    if (checked.type !== 'stop') return session.send(checked, timeoutMs) as Promise<CommandOutcome<K>>
    if (opts.timeoutMs === undefined) timeoutMs += checked.graceMs
    record.state = 'stopping'
    this.emit({ kind: 'source', source: record.info() })
    // A stop the agent refused or never answered leaves it running: it is connected again, not
    // stopping for good. (A stop that worked ends in bye → exited, or in lost.)
    return session.send(checked, timeoutMs).then((outcome) => {
      if (!outcome.ok && record.state === 'stopping' && this.live.get(sourceId) === session) {
        record.state = 'connected'
        this.emit({ kind: 'source', source: record.info() })
      }
      return outcome
    }) as Promise<CommandOutcome<K>>
  }

  /** Sends a connected source a notice (`app-closing`, …); false if it is not connected. */
  notify(sourceId: SourceId, what: NoticeKind, message: string): boolean {
    return this.live.get(sourceId)?.notify({ type: 'notice', what, message: message.slice(0, MAX_TEXT_LENGTH) }) ?? false
  }

  /** Forgets an ended (exited or lost) source and its tasks; false if it is connected or unknown. */
  forget(sourceId: SourceId): boolean {
    if (this.live.has(sourceId) || !this.records.delete(sourceId)) return false
    this.emit({ kind: 'source:removed', sourceId })
    return true
  }

  /** Open connections, and how many of them are still in their handshake. */
  connections(): { open: number; handshaking: number } {
    let handshaking = 0
    for (const s of this.sessions) if (s.phase === 'handshake') handshaking++
    return { open: this.sessions.size, handshaking }
  }

  /**
   * Stops listening, tells every agent `hub_closing`, waits for the connections to end (each at
   * most closeLingerMs), and removes agent.json. Sources stay readable, marked lost.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const closed = new Promise<void>((resolve) => this.server.close(() => resolve()))
      for (const s of this.sessions) s.close('hub_closing', 'the app is closing')
      await closed
      await this.redisTransport?.close()
      if (this.opts.dataDir !== null) await removeAgentFile(this.opts.dataDir, this.token)
    })()
    return this.closing
  }

  /**
   * A session over another transport (the Redis streams): the same handshake, budget and limits,
   * its hello checked against `token`. Null while closing or when too many are in their handshake.
   */
  openSession(wire: SessionWire, token: string): AgentSession | null {
    if (this.closing || this.connections().handshaking >= this.limits.maxHandshakes) return null
    const session = new AgentSession(wire, { ...this.sessionHost, token })
    this.sessions.add(session)
    return session
  }

  private accept(socket: Socket): void {
    if (this.closing || this.connections().handshaking >= this.limits.maxHandshakes) {
      socket.on('error', () => undefined)
      socket.destroy()
      return
    }
    this.sessions.add(socketSession(socket, this.sessionHost))
  }

  private admit(session: AgentSession, hello: Hello): ReturnType<SessionHost['admit']> {
    if (this.closing) return { ok: false, code: 'hub_closing', message: 'the app is closing' }
    const wall = Date.now()
    const again = hello.instance === undefined ? undefined : [...this.records.values()].find((r) => r.hello.instance === hello.instance && !this.live.has(r.id))
    let record: SourceRecord
    if (again) {
      // The same process reconnecting: its source again, live; its tasks stay until it resends them.
      record = again
      record.hello = hello
      record.state = 'connected'
      record.exit = null
      record.endedWall = null
      record.connectedWall = wall
    } else {
      if (this.records.size >= this.limits.maxSources && !this.evictOneEnded()) {
        return { ok: false, code: 'too_many_sources', message: `the app already watches ${this.limits.maxSources} connected processes` }
      }
      record = new SourceRecord(`agent-${++this.nextSource}`, hello, wall, this.limits)
      this.records.set(record.id, record)
    }
    this.live.set(record.id, session)
    this.emit({ kind: 'source', source: record.info() })
    return { ok: true, source: record }
  }

  private ended(session: AgentSession): void {
    this.sessions.delete(session)
    const id = session.source?.id
    if (id !== undefined && this.live.get(id) === session) this.live.delete(id)
  }

  private evictOneEnded(): boolean {
    for (const [id] of this.records) {
      if (!this.live.has(id)) return this.forget(id)
    }
    return false
  }

  private emit(change: HubChange): void {
    for (const listener of this.listeners) {
      try {
        listener(change)
      } catch (err) {
        this.reportListenerError(err)
      }
    }
  }

  private reportListenerError(err: unknown): void {
    try {
      ;(this.opts.onListenerError ?? console.error)(err)
    } catch {
      // The reporter itself failed: nothing more to do, and the socket must not see it.
    }
  }
}
