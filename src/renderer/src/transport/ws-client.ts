// The browser host's side of the contract: LoopwatchApi over one WebSocket to /ipc, reconnecting
// with backoff. Requests made while (re)connecting wait for the socket; requests in flight when it
// drops resolve with an error result (the contract's invoke never rejects).
//
// A browser cannot read why a WebSocket handshake failed, so after each failed attempt the client
// asks the host's token check (wire.ts): 401 means this link's token is not this start's (the host
// restarted and printed a new link) and retrying cannot help, so it stops with state `refused`;
// no answer at all means the host is unreachable, and it keeps retrying.
import type { Channel, EventName, EventPayloadOf, InvokeArgs, LoopwatchApi, Result, ResultOf } from '../../../shared/contract'
import { isEventFrame, tokenCheckUrl, type RequestFrame, type ServerFrame } from '../../../shared/wire'

export const CONNECTION_STATES = ['connecting', 'open', 'closed', 'refused'] as const
/** `closed`: lost or not reached, retrying. `refused`: the host refused the token; not retrying. */
export type ConnectionState = (typeof CONNECTION_STATES)[number]

/** Why the socket is not open, as far as the token check could tell. */
export type ConnectionProblem = 'token' | 'unreachable' | 'other'

export interface ConnectionInfo {
  reconnect: boolean
  reason?: string
  /** Set once the token check answered (or could not be reached) after a failed attempt. */
  problem?: ConnectionProblem
  /** The token check's HTTP status, when it answered. */
  status?: number
}

export interface WsClientOptions {
  url: string
  /** Called on every state change; `open` after a reconnect means: refetch the snapshot. */
  onState?: (state: ConnectionState, info: ConnectionInfo) => void
  maxBackoffMs?: number
}

interface Pending {
  resolve: (r: Result<unknown>) => void
}

/** A reconnecting WebSocket implementation of LoopwatchApi. */
export class WsClient implements LoopwatchApi {
  private socket: WebSocket | null = null
  private nextId = 1
  private readonly pending = new Map<number, Pending>()
  private readonly queue: string[] = []
  private readonly listeners = new Map<string, Set<(payload: never) => void>>()
  private backoff = 250
  private opened = false
  private closedForGood = false

  constructor(private readonly opts: WsClientOptions) {
    this.connect()
  }

  invoke<C extends Channel>(channel: C, ...args: InvokeArgs<C>): Promise<Result<ResultOf<C>>> {
    const id = this.nextId++
    const frame: RequestFrame<C> = { id, channel, payload: args[0] }
    return new Promise((resolve) => {
      this.pending.set(id, { resolve: resolve as (r: Result<unknown>) => void })
      const text = JSON.stringify(frame)
      if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(text)
      else this.queue.push(text)
    })
  }

  on<E extends EventName>(event: E, listener: (payload: EventPayloadOf<E>) => void): () => void {
    let set = this.listeners.get(event)
    if (!set) this.listeners.set(event, (set = new Set()))
    set.add(listener as (payload: never) => void)
    return () => set.delete(listener as (payload: never) => void)
  }

  /** Close for good (no reconnect). */
  close(): void {
    this.closedForGood = true
    this.socket?.close()
  }

  private connect(): void {
    const reconnect = this.opened
    this.opts.onState?.('connecting', { reconnect })
    const ws = new WebSocket(this.opts.url)
    this.socket = ws
    let attemptOpened = false
    ws.onopen = () => {
      attemptOpened = true
      this.backoff = 250
      this.opened = true
      for (const text of this.queue.splice(0)) ws.send(text)
      this.opts.onState?.('open', { reconnect })
    }
    ws.onmessage = (e) => this.receive(String(e.data))
    ws.onclose = (e) => {
      this.socket = null
      for (const [id, p] of this.pending) {
        p.resolve({ ok: false, error: { code: 'internal', message: 'the connection to Loopwatch was lost' } })
        this.pending.delete(id)
      }
      const reason = e.reason || (e.code === 1006 ? 'connection refused or lost' : `closed (${e.code})`)
      this.opts.onState?.('closed', { reconnect, reason })
      if (this.closedForGood) return
      if (attemptOpened) return this.retry()
      void this.checkToken().then(({ problem, status }) => {
        if (this.closedForGood) return
        if (problem === 'token') {
          this.closedForGood = true
          this.opts.onState?.('refused', { reconnect, reason: `the host refused this link's token (HTTP ${status})`, problem, status })
          return
        }
        const why = problem === 'unreachable' ? 'Loopwatch is not reachable' : `the host answered the token check with HTTP ${status}`
        this.opts.onState?.('closed', { reconnect, reason: why, problem, status })
        this.retry()
      })
    }
  }

  private retry(): void {
    setTimeout(() => this.connect(), this.backoff)
    this.backoff = Math.min(this.opts.maxBackoffMs ?? 5000, this.backoff * 2)
  }

  /** Asks the host whether our token is this start's (see the file comment). */
  private async checkToken(): Promise<{ problem: ConnectionProblem; status?: number }> {
    try {
      // The host answers with Cache-Control: no-store, so this is never a cached verdict.
      const res = await fetch(tokenCheckUrl(this.opts.url))
      return { problem: res.status === 401 ? 'token' : 'other', status: res.status }
    } catch {
      return { problem: 'unreachable' }
    }
  }

  private receive(text: string): void {
    let frame: ServerFrame
    try {
      frame = JSON.parse(text) as ServerFrame
    } catch {
      return
    }
    if (isEventFrame(frame)) {
      const set = this.listeners.get(frame.event)
      if (set) for (const l of set) (l as (p: unknown) => void)(frame.payload)
      return
    }
    if (typeof frame.id !== 'number') return
    const p = this.pending.get(frame.id)
    if (!p) return
    this.pending.delete(frame.id)
    p.resolve(frame.ok ? { ok: true, value: frame.value } : { ok: false, error: frame.error })
  }
}

