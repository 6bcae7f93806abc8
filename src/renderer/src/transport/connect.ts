// Which side serves this window: the Electron preload (`window.loopwatch`) when present, else the
// browser host's WebSocket with the token from the page's hash. Both are the same LoopwatchApi.
import type { LoopwatchApi } from '../../../shared/contract'
import { ipcUrl, tokenFromHash } from '../../../shared/wire'
import { WsClient, type ConnectionInfo, type ConnectionState } from './ws-client'

declare global {
  interface Window {
    loopwatch?: LoopwatchApi
  }
}

export type Connection =
  | { ok: true; api: LoopwatchApi; host: 'electron' | 'web' }
  | { ok: false; message: string }

/**
 * Connect to whichever host serves the page. `onState` reports the WebSocket's state changes; the
 * preload never calls it (it is open from the start and never drops).
 */
export function connect(onState: (s: ConnectionState, info: ConnectionInfo) => void): Connection {
  if (window.loopwatch) return { ok: true, api: window.loopwatch, host: 'electron' }
  const token = tokenFromHash(location.hash)
  if (!token) {
    return {
      ok: false,
      message: 'This page needs the link Loopwatch printed when it started (it ends in #token=…).',
    }
  }
  return { ok: true, api: new WsClient({ url: ipcUrl(location, token), onState }), host: 'web' }
}
