import { pathToFileURL } from 'node:url'

/**
 * Whether a frame URL is our own renderer page (the file:// index.html we loaded, any hash or
 * query), so IPC from anything else — a navigated frame, an iframe, a devtools extension — is
 * refused.
 */
export function isOwnRenderer(frameUrl: string | undefined, rendererIndexPath: string): boolean {
  if (!frameUrl) return false
  let url: URL
  try {
    url = new URL(frameUrl)
  } catch {
    return false
  }
  const ours = pathToFileURL(rendererIndexPath)
  return url.protocol === 'file:' && url.host === '' && url.pathname === ours.pathname
}
