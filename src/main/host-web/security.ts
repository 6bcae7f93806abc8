import { randomBytes, timingSafeEqual } from 'node:crypto'

/** A fresh secret per start: whoever can read the printed URL may connect, no one else. */
export function newToken(): string {
  return randomBytes(24).toString('base64url')
}

/** Compares tokens in constant time (length leaks, content does not). */
export function tokenMatches(expected: string, given: string | null): boolean {
  if (given === null) return false
  const a = Buffer.from(expected)
  const b = Buffer.from(given)
  return a.length === b.length && timingSafeEqual(a, b)
}

/** The Origins our own pages have; a WebSocket from anywhere else is another site's page. */
export function allowedOrigins(port: number): Set<string> {
  return new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`])
}

/** The Host headers our own pages send; anything else is a rebound DNS name. */
export function allowedHosts(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`])
}

/**
 * The page's CSP: scripts only from us, no inline script, sockets only back to this host.
 * Styles allow 'unsafe-inline' because Svelte transitions and uPlot set style attributes.
 */
export function contentSecurityPolicy(port: number | null): string {
  const ws = port === null ? 'ws://127.0.0.1:*' : `ws://127.0.0.1:${port} ws://localhost:${port}`
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src 'self' ${ws}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ')
}

export function securityHeaders(port: number | null): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(port),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  }
}
