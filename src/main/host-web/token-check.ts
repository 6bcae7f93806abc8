import type { IncomingMessage, ServerResponse } from 'node:http'
import { TOKEN_PARAM } from '../../shared/wire'
import { allowedHosts, allowedOrigins, securityHeaders, tokenMatches } from './security'

/**
 * The status of `GET /ipc/token?token=…` (see wire.ts), with the WebSocket upgrade's checks: GET
 * only (405), our Host (421), an Origin, when the browser sends one, of our own (403); then 204
 * for this start's token, 401 for any other. A same-origin GET carries no Origin, a page from
 * elsewhere does: it learns nothing here.
 */
export function tokenCheckStatus(req: IncomingMessage, token: string, port: number): number {
  if (req.method !== 'GET') return 405
  if (!allowedHosts(port).has(req.headers.host ?? '')) return 421
  const origin = req.headers.origin
  if (origin !== undefined && !allowedOrigins(port).has(origin)) return 403
  const url = new URL(req.url ?? '/', 'http://localhost')
  return tokenMatches(token, url.searchParams.get(TOKEN_PARAM)) ? 204 : 401
}

/** Answers the token check; never cached (the answer changes with each start). */
export function answerTokenCheck(req: IncomingMessage, res: ServerResponse, token: string, port: number): void {
  const status = tokenCheckStatus(req, token, port)
  res.writeHead(status, { ...securityHeaders(port), 'Cache-Control': 'no-store', ...(status === 405 ? { Allow: 'GET' } : {}) })
  res.end()
}
