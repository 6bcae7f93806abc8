import type { RawData, WebSocket } from 'ws'
import type { ErrorInfo, Result } from '../../shared/contract'
import type { RequestId, ServerFrame } from '../../shared/wire'

/** Runs one command (the shared dispatcher, bound to the app's handlers). */
export type Dispatch = (channel: unknown, payload: unknown) => Promise<Result<unknown>>

/** A socket whose unsent backlog passes this is too slow to follow the deltas: it is closed. */
const MAX_BUFFERED = 32 << 20
const MAX_ID_LENGTH = 100

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
  if (typeof channel !== 'string') return { id: id as RequestId, error: { code: 'bad_request', message: 'a request needs a channel (a string)' } }
  return { id: id as RequestId, channel, payload }
}

function rawToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8')
  return Buffer.from(data as ArrayBuffer).toString('utf8')
}

/** Serves the contract over one WebSocket: requests in, replies and events out. */
export class SocketSession {
  constructor(
    private readonly socket: WebSocket,
    private readonly dispatch: Dispatch,
  ) {
    socket.on('message', (data, isBinary) => void this.onMessage(data, isBinary))
  }

  /** Sends an event frame already serialised (once for every socket: deltas can be large). */
  sendText(text: string): void {
    if (this.socket.readyState !== this.socket.OPEN) return
    if (this.socket.bufferedAmount > MAX_BUFFERED) {
      // It will reconnect and start again from app:snapshot, which is cheaper than a backlog.
      this.socket.close(1013, 'too slow to follow; reconnect')
      return
    }
    this.socket.send(text)
  }

  private async onMessage(data: RawData, isBinary: boolean): Promise<void> {
    const req = parseRequest(data, isBinary)
    if ('error' in req) return this.send({ id: req.id, ok: false, error: req.error })
    const result = await this.dispatch(req.channel, req.payload)
    this.send({ id: req.id, ...result } as ServerFrame)
  }

  private send(frame: ServerFrame): void {
    this.sendText(JSON.stringify(frame))
  }
}
