import { randomBytes, timingSafeEqual } from 'node:crypto'
import { contentSecurityPolicy } from '../../shared/csp'

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

/** The headers of every HTTP answer: the page's one CSP (src/shared/csp.ts) for this port, and no sniffing, referrer or cross-origin use. */
export function securityHeaders(port: number): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy({ kind: 'web', port }),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  }
}
