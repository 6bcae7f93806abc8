import { createServer } from 'node:http'
import type { IncomingMessage, Server } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocketServer } from 'ws'
import type { EventName } from '../../shared/contract'
import { MAX_FRAME_BYTES, TOKEN_CHECK_PATH, TOKEN_PARAM, WS_PATH } from '../../shared/wire'
import type { EventFrame } from '../../shared/wire'
import { allowedHosts, allowedOrigins, newToken, securityHeaders, tokenMatches } from './security'
import { EXPORT_PATH, handleExport } from './export-route'
import { serveStatic } from './static-files'
import { answerTokenCheck } from './token-check'
import { SharedReplies } from './shared-replies'
import { FLOW_LIMITS, SocketSession } from './ws-bridge'
import type { Dispatch } from './ws-bridge'

/** Events whose payload is the whole current list, so a newer one makes an unsent older one moot. */
const WHOLE_LIST_EVENTS: ReadonlySet<EventName> = new Set<EventName>(['runs:changed'])

export interface WebHostOptions {
  /** The built renderer (out/renderer). */
  staticDir: string
  /** 0 picks a free port. */
  port: number
  dispatch: Dispatch
  /** Subscribes to the app's events; returns unsubscribe. */
  subscribe: (listener: (event: EventName, payload: unknown) => void) => () => void
  /** Fixed token (tests); default a fresh random one. */
  token?: string
}

export interface WebHost {
  readonly port: number
  readonly token: string
  /** The URL to open: the token rides in the hash, which browsers never send to servers. */
  readonly url: string
  readonly server: Server
  close(): Promise<void>
}

/**
 * The browser host: static files of the renderer over HTTP on 127.0.0.1, and the contract over a
 * WebSocket at /ipc for pages that present this start's token from our own origin.
 */
export async function startWebHost(opts: WebHostOptions): Promise<WebHost> {
  const token = opts.token ?? newToken()
  // One message per turn of the event loop: a burst of 10,000 frames read in one chunk would
  // otherwise be handled in one go, and every other socket would wait for all of it.
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, allowSynchronousEvents: false })
  const sessions = new Set<SocketSession>()
  const shared = new SharedReplies(opts.dispatch)
  let port = opts.port

  const server = createServer((req, res) => {
    // DNS rebinding: a foreign name pointed at 127.0.0.1 reaches us with its own Host header.
    if (!allowedHosts(port).has(req.headers.host ?? '')) {
      res.writeHead(421, { 'Content-Type': 'text/plain; charset=utf-8' })
      return void res.end('unknown host')
    }
    const url = new URL(req.url ?? '/', 'http://localhost')
    if (url.pathname === TOKEN_CHECK_PATH) return answerTokenCheck(req, res, token, port)
    if (url.pathname === EXPORT_PATH) return handleExport(req, res, url, { token, port, dispatch: opts.dispatch })
    serveStatic(opts.staticDir, req, res, securityHeaders(port)).catch(() => res.destroy())
  })
  server.on('upgrade', (req, socket, head) => {
    const refusal = checkUpgrade(req, token, port)
    if (refusal) return refuse(socket, refusal.status, refusal.reason)
    if (sessions.size >= FLOW_LIMITS.maxSockets) return refuse(socket, 503, 'too many connections')
    wss.handleUpgrade(req, socket, head, (ws) => {
      const session = new SocketSession(ws, opts.dispatch, shared)
      sessions.add(session)
      ws.on('close', () => sessions.delete(session))
      ws.on('error', () => ws.terminate())
    })
  })
  const broadcast = (event: EventName, payload: unknown) => {
    if (sessions.size === 0) return
    const text = JSON.stringify({ event, payload } as EventFrame)
    for (const s of sessions) s.sendText(text)
  }
  // An event that carries a whole list (every run) supersedes the one before it: a burst (500
  // runs started at once, each one a runs:changed with every run in it) goes out as its last list,
  // once per turn, not as 500 ever longer lists. Any other event sends the pending list first,
  // so the order a window sees is kept.
  let pendingList: { event: EventName; payload: unknown } | null = null
  const flushList = () => {
    const p = pendingList
    pendingList = null
    if (p) broadcast(p.event, p.payload)
  }
  const unsubscribe = opts.subscribe((event, payload) => {
    shared.changed()
    if (WHOLE_LIST_EVENTS.has(event)) {
      if (pendingList === null) setImmediate(flushList)
      pendingList = { event, payload }
      return
    }
    flushList()
    broadcast(event, payload)
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address()
  port = typeof address === 'object' && address ? address.port : opts.port

  return {
    port,
    token,
    url: `http://127.0.0.1:${port}/#${TOKEN_PARAM}=${token}`,
    server,
    async close() {
      unsubscribe()
      flushList()
      for (const client of wss.clients) client.close(1001, 'server shutting down')
      wss.close()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** Why an upgrade is refused (null: accept). */
export function checkUpgrade(req: IncomingMessage, token: string, port: number): { status: number; reason: string } | null {
  const url = new URL(req.url ?? '/', 'http://localhost')
  if (!allowedHosts(port).has(req.headers.host ?? '')) return { status: 421, reason: 'unknown host' }
  if (url.pathname !== WS_PATH) return { status: 404, reason: 'no WebSocket here' }
  const origin = req.headers.origin
  if (!origin || !allowedOrigins(port).has(origin)) return { status: 403, reason: 'foreign origin' }
  if (!tokenMatches(token, url.searchParams.get(TOKEN_PARAM))) return { status: 401, reason: 'missing or wrong token' }
  return null
}

function refuse(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(reason)}\r\n\r\n${reason}`)
}
