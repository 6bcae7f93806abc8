// The browser host's side of the contract: LoopwatchApi over one WebSocket to /ipc, reconnecting
// with backoff. Requests made while (re)connecting wait for the socket; requests in flight when it
// drops resolve with an error result (the contract's invoke never rejects).
import type { Channel, EventName, EventPayloadOf, InvokeArgs, LoopwatchApi, Result, ResultOf } from '../../../shared/contract'
import { ipcUrl, isEventFrame, type RequestFrame, type ServerFrame } from '../../../shared/wire'

export type ConnectionState = 'connecting' | 'open' | 'closed'

export interface WsClientOptions {
  url: string
  /** Called on every state change; `open` after a reconnect means: refetch the snapshot. */
  onState?: (state: ConnectionState, info: { reconnect: boolean; reason?: string }) => void
  /** Stop retrying after the server refused the token (close code 1008 / 4401…). */
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
    ws.onopen = () => {
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
      setTimeout(() => this.connect(), this.backoff)
      this.backoff = Math.min(this.opts.maxBackoffMs ?? 5000, this.backoff * 2)
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

