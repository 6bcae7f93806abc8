import type { IncomingMessage, ServerResponse } from 'node:http'
import type { ErrorCode } from '../../shared/contract'
import { TOKEN_PARAM } from '../../shared/wire'
import { allowedHosts, allowedOrigins, securityHeaders, tokenMatches } from './security'

/** Why a plain HTTP door of the host refuses a request: its status, the contract's code, one line. */
export interface HttpRefusal {
  status: number
  code: ErrorCode
  reason: string
}

/**
 * The WebSocket upgrade's checks, for the host's plain HTTP doors (`/ipc/token`, `/export`): GET
 * only (405), our Host (421), an Origin, when the browser sends one, of our own (403), this start's
 * token (401). A same-origin GET or a download link carries no Origin, a page from elsewhere does.
 * Null: the request may be answered.
 */
export function httpRefusal(req: IncomingMessage, url: URL, token: string, port: number): HttpRefusal | null {
  if (req.method !== 'GET') return { status: 405, code: 'bad_request', reason: 'only GET is answered here' }
  if (!allowedHosts(port).has(req.headers.host ?? '')) return { status: 421, code: 'forbidden', reason: 'unknown host' }
  const origin = req.headers.origin
  if (origin !== undefined && !allowedOrigins(port).has(origin)) return { status: 403, code: 'forbidden', reason: 'foreign origin' }
  if (!tokenMatches(token, url.searchParams.get(TOKEN_PARAM))) return { status: 401, code: 'forbidden', reason: 'missing or wrong token' }
  return null
}

/** Headers of every refusal: the security headers, never cached, and `Allow` beside a 405. */
export function refusalHeaders(port: number, status: number): Record<string, string> {
  return { ...securityHeaders(port), 'Cache-Control': 'no-store', ...(status === 405 ? { Allow: 'GET' } : {}) }
}

/**
 * The status of `GET /ipc/token?token=…` (see wire.ts): 204 for this start's token, else the
 * refusal's status. The page asks it after a failed handshake; it learns nothing more.
 */
export function tokenCheckStatus(req: IncomingMessage, token: string, port: number): number {
  return httpRefusal(req, new URL(req.url ?? '/', 'http://localhost'), token, port)?.status ?? 204
}

/** Answers the token check; never cached (the answer changes with each start). */
export function answerTokenCheck(req: IncomingMessage, res: ServerResponse, token: string, port: number): void {
  const status = tokenCheckStatus(req, token, port)
  res.writeHead(status, refusalHeaders(port, status))
  res.end()
}
