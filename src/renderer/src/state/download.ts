// Hands a file to the browser as a download. The page's globals are reached through a minimal
// local type so that this file (and the history state importing it) also type-checks under the
// Node config, where the state is tested against the real handlers.
interface Anchor {
  href: string
  download: string
  click(): void
  remove(): void
}
interface PageGlobals {
  document: { createElement(tag: 'a'): Anchor; body: { append(node: Anchor): void } }
  location: { hash: string }
}
const page = globalThis as unknown as PageGlobals

/** Starts a download of `href` (a same-origin URL or a blob: URL) under `filename`. */
export function download(href: string, filename: string): void {
  const a = page.document.createElement('a')
  a.href = href
  a.download = filename
  page.document.body.append(a)
  a.click()
  a.remove()
}

/** The page's location hash (`#token=…` on the browser host). */
export function pageHash(): string {
  return page.location.hash
}
