// The one Content-Security-Policy of the renderer page, for every place it is delivered: the
// Electron window's response header (src/main/index.ts), the browser host's response header
// (src/main/host-web/security.ts) and the <meta> tag of index.html, which the build writes from
// here (electron.vite.config.ts) so the HTML never restates it. No imports: the Vite config, main
// and the browser host all load it as it is.

/** Where a policy is delivered; each gets the same rules, differing only where they must. */
export type CspTarget =
  /** The Electron window (a file:// page): it talks to main over IPC, so it may connect nowhere. */
  | { kind: 'electron' }
  /** The browser host's page on 127.0.0.1:<port>: its WebSocket goes back to that port only. */
  | { kind: 'web'; port: number }
  /**
   * The <meta> tag, written once at build time for both hosts, so it cannot know the port:
   * `connect-src 'self'` (CSP3 lets 'self' match ws: on the page's own host and port; e2e/csp.spec.ts
   * shows Chromium opening our socket under it). Each host's header narrows it further, since a
   * browser enforces every policy a page has.
   */
  | { kind: 'meta' }

/**
 * Directives a <meta> policy may not carry: browsers ignore `frame-ancestors` there (CSP3 allows it
 * only in a header) and warn in the console on every load.
 */
const HEADER_ONLY: ReadonlySet<string> = new Set(['frame-ancestors'])

/** The hosts the browser host answers to (the same pair as its Host/Origin checks). */
function ownSockets(port: number): string {
  return `ws://127.0.0.1:${port} ws://localhost:${port}`
}

/**
 * The directives, in order, for one target. `default-src 'none'` so anything not listed (frames,
 * workers, media, manifests) is refused; styles allow 'unsafe-inline' because Svelte transitions
 * and uPlot set style attributes (scripts never do: no inline script, no eval).
 */
export function cspDirectives(target: CspTarget): [name: string, sources: string][] {
  const connect = target.kind === 'electron' ? "'none'" : target.kind === 'web' ? `'self' ${ownSockets(target.port)}` : "'self'"
  const all: [string, string][] = [
    ['default-src', "'none'"],
    ['script-src', "'self'"],
    ['style-src', "'self' 'unsafe-inline'"],
    ['img-src', "'self' data:"],
    ['font-src', "'self'"],
    ['connect-src', connect],
    ['object-src', "'none'"],
    ['base-uri', "'none'"],
    ['form-action', "'none'"],
    ['frame-ancestors', "'none'"],
  ]
  return target.kind === 'meta' ? all.filter(([name]) => !HEADER_ONLY.has(name)) : all
}

/** The policy text for one target, as a header value or a meta tag's `content`. */
export function contentSecurityPolicy(target: CspTarget): string {
  return cspDirectives(target)
    .map(([name, sources]) => `${name} ${sources}`)
    .join('; ')
}
