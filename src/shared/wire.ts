// WebSocket frames of the browser host (/ipc). JSON text frames only.
//   client → server  { id, channel, payload }         a request
//   server → client  { id, ok: true, value }          its reply
//                    { id, ok: false, error }         (id is null when the frame had no usable id)
//                    { event, payload }               an event
import type { Channel, ErrorInfo, EventName, EventPayloadOf, PayloadOf, ResultOf } from './contract'

/** The WebSocket endpoint; the token goes in the `token` query parameter. */
export const WS_PATH = '/ipc'
export const TOKEN_PARAM = 'token'
/**
 * `GET /ipc/token?token=…` answers 204 for this start's token and 401 otherwise: a browser cannot
 * read why a WebSocket handshake failed, so the client asks here to tell "wrong token (the host
 * restarted: use the new URL it printed)" from "host unreachable".
 */
export const TOKEN_CHECK_PATH = '/ipc/token'
/** Frames larger than this are refused by the server (the socket is closed with 1009). */
export const MAX_FRAME_BYTES = 1 << 20

export type RequestId = number | string

export interface RequestFrame<C extends Channel = Channel> {
  id: RequestId
  channel: C
  payload?: PayloadOf<C>
}

export type ReplyFrame<C extends Channel = Channel> =
  | { id: RequestId | null; ok: true; value: ResultOf<C> }
  | { id: RequestId | null; ok: false; error: ErrorInfo }

export interface EventFrame<E extends EventName = EventName> {
  event: E
  payload: EventPayloadOf<E>
}

export type ServerFrame = ReplyFrame | EventFrame

export function isEventFrame(f: ServerFrame): f is EventFrame {
  return typeof (f as EventFrame).event === 'string'
}

/** The URL of the WebSocket for a page served by the browser host, given its token. */
export function ipcUrl(location: { host: string; protocol: string }, token: string): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:'
  return `${scheme}//${location.host}${WS_PATH}?${TOKEN_PARAM}=${encodeURIComponent(token)}`
}

/** The token check (TOKEN_CHECK_PATH) for a WebSocket URL made by ipcUrl: same host, same token. */
export function tokenCheckUrl(wsUrl: string): string {
  const url = new URL(wsUrl)
  url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:'
  url.pathname = TOKEN_CHECK_PATH
  return url.toString()
}

/** Reads the token from a location hash like `#token=abc`. */
export function tokenFromHash(hash: string): string | null {
  const params = new URLSearchParams(hash.replace(/^#/, ''))
  return params.get(TOKEN_PARAM)
}

// Electron IPC: one gateway channel each way (as VS Code and Fiddle do), so the sandboxed preload
// needs no copy of the channel list: main validates the contract channel inside the gateway.
/** ipcRenderer.invoke(ELECTRON_INVOKE, channel, payload) → Result. */
export const ELECTRON_INVOKE = 'loopwatch:invoke'
/** webContents.send(ELECTRON_EVENT, event, payload). */
export const ELECTRON_EVENT = 'loopwatch:event'
