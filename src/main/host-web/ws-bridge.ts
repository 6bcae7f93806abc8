import type { RawData, WebSocket } from 'ws'
import type { ErrorInfo, Result } from '../../shared/contract'
import type { RequestId, ServerFrame } from '../../shared/wire'
import type { Dispatch, SharedReplies } from './shared-replies'

export type { Dispatch }

/**
 * How much a socket may make the host hold. Memory per socket is bounded by maxInFlight answers
 * (shared ones count once for every socket) plus highWater of backlog plus the deltas'
 * maxBuffered, and there are at most maxSockets of them.
 */
export const FLOW_LIMITS = {
  /** Requests being answered at once; beyond it a request gets `busy` at once. */
  maxInFlight: 16,
  /** Past this backlog the socket is not read and answers wait (backpressure). */
  highWater: 1 << 20,
  /** Reading resumes once the backlog is down to this. */
  lowWater: 256 << 10,
  /** A socket whose backlog passes this is too slow to follow the deltas: it is closed. */
  maxBuffered: 32 << 20,
  /** Open sockets at once (a window needs one); beyond it an upgrade gets 503. */
  maxSockets: 32,
} as const

const MAX_ID_LENGTH = 100
const FRAME_KEYS = new Set(['id', 'channel', 'payload'])

/**
 * Parses one frame into a request, or returns the error reply for it. A malformed frame (binary,
 * not JSON, not an object, no usable id or channel) gets `{ id, ok: false, error }` and runs
 * nothing.
 */
export function parseRequest(data: RawData, isBinary: boolean): { id: RequestId; channel: unknown; payload: unknown } | { id: RequestId | null; error: ErrorInfo } {
  if (isBinary) return { id: null, error: { code: 'bad_request', message: 'binary frames are not accepted; send JSON text' } }
  let frame: unknown
  try {
    frame = JSON.parse(rawToString(data))
  } catch {
    return { id: null, error: { code: 'bad_request', message: 'the frame is not valid JSON' } }
  }
  if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) {
    return { id: null, error: { code: 'bad_request', message: 'a request is a JSON object { id, channel, payload }' } }
  }
  const { id, channel, payload } = frame as Record<string, unknown>
  const validId = (typeof id === 'number' && Number.isFinite(id)) || (typeof id === 'string' && id.length <= MAX_ID_LENGTH)
  if (!validId) return { id: null, error: { code: 'bad_request', message: 'a request needs an id: a finite number or a short string' } }
  // A key the frame has no use for (`__proto__` included) is refused, not ignored.
  const extra = Object.keys(frame).find((k) => !FRAME_KEYS.has(k))
  if (extra !== undefined) return { id: id as RequestId, error: { code: 'bad_request', message: `a request has only id, channel and payload; got ${JSON.stringify(extra.slice(0, 40))}` } }
  if (typeof channel !== 'string') return { id: id as RequestId, error: { code: 'bad_request', message: 'a request needs a channel (a string)' } }
  return { id: id as RequestId, channel, payload }
}

function rawToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8')
  return Buffer.from(data as ArrayBuffer).toString('utf8')
}

/**
 * Serves the contract over one WebSocket: requests in, replies and events out, within
 * FLOW_LIMITS. Answers are sent in the order they complete, each once the backlog allows it; a
 * socket that is gone gets no more work (nothing is serialised for it).
 */
export class SocketSession {
  private inFlight = 0
  /** Answers ready to send, waiting for the backlog to fall under highWater. */
  private readonly outbox: (() => void)[] = []
  private paused = false
  private readonly epoch: number
  private readonly afterWrite = () => this.drained()

  constructor(
    private readonly socket: WebSocket,
    private readonly dispatch: Dispatch,
    private readonly shared: SharedReplies,
  ) {
    this.epoch = shared.open()
    socket.on('message', (data, isBinary) => this.onMessage(data, isBinary))
    socket.on('close', () => this.drained())
  }

  /** Requests of this socket being answered now (for tests). */
  get pending(): number {
    return this.inFlight
  }

  /** Sends an event frame already serialised (once for every socket: deltas can be large). */
  sendText(text: string): void {
    if (!this.isOpen()) return
    if (this.socket.bufferedAmount > FLOW_LIMITS.maxBuffered) {
      // It will reconnect and start again from app:snapshot, which is cheaper than a backlog.
      this.socket.close(1013, 'too slow to follow; reconnect')
      return
    }
    this.socket.send(text, this.afterWrite)
    this.throttle()
  }

  private isOpen(): boolean {
    return this.socket.readyState === this.socket.OPEN
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (!this.isOpen()) return
    const req = parseRequest(data, isBinary)
    if ('error' in req) return this.send({ id: req.id, ok: false, error: req.error })
    if (this.inFlight >= FLOW_LIMITS.maxInFlight) {
      return this.send({ id: req.id, ok: false, error: { code: 'busy', message: `more than ${FLOW_LIMITS.maxInFlight} requests in flight on this connection: wait for their answers, then retry` } })
    }
    this.inFlight++
    void this.answer(req.id, req.channel, req.payload)
  }

  private async answer(id: RequestId, channel: unknown, payload: unknown): Promise<void> {
    let sendIt: (() => void) | null = null
    const tail = this.shared.tail(channel, payload, this.epoch, () => this.isOpen())
    if (tail) {
      const body = await tail
      if (body) sendIt = () => this.sendTail(id, body)
    } else {
      const result = await this.dispatch(channel, payload)
      if (this.isOpen()) sendIt = () => this.send({ id, ...result } as ServerFrame)
    }
    if (!sendIt) {
      this.inFlight--
      return
    }
    const send = sendIt
    this.whenWritable(() => {
      this.inFlight--
      if (this.isOpen()) send()
    })
  }

  /** Runs `send` now if the backlog allows, else once it has drained (in order). */
  private whenWritable(send: () => void): void {
    if (this.outbox.length === 0 && this.socket.bufferedAmount <= FLOW_LIMITS.highWater) send()
    else this.outbox.push(send)
  }

  /** After a write reached the kernel (or the socket closed): resume reading, flush answers. */
  private drained(): void {
    const open = this.isOpen()
    if (this.paused && (!open || this.socket.bufferedAmount <= FLOW_LIMITS.lowWater)) {
      this.paused = false
      if (open) this.socket.resume()
    }
    while (this.outbox.length > 0 && (!open || this.socket.bufferedAmount <= FLOW_LIMITS.highWater)) this.outbox.shift()!()
  }

  /** Stops reading requests while the backlog is high: a flood waits in the kernel, not in us. */
  private throttle(): void {
    if (this.paused || this.socket.bufferedAmount <= FLOW_LIMITS.highWater) return
    this.paused = true
    this.socket.pause()
  }

  /** A shared answer: `{"id":…,` then the shared bytes, as two fragments of one text message. */
  private sendTail(id: RequestId, tail: Buffer): void {
    this.socket.send(`{"id":${JSON.stringify(id)},`, { fin: false })
    this.socket.send(tail, { binary: false, fin: true }, this.afterWrite)
    this.throttle()
  }

  private send(frame: ServerFrame): void {
    if (!this.isOpen()) return
    this.socket.send(JSON.stringify(frame), this.afterWrite)
    this.throttle()
  }
}
