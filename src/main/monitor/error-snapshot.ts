import type { ErrorSnapshot } from '../../shared/snapshots'

const MAX_STACK = 8_000
const MAX_MESSAGE = 2_000

/**
 * Turns anything thrown into a plain `{ name, message, stack }` that survives JSON and IPC (an
 * Error's own properties are not enumerable, so it would otherwise cross as `{}`).
 */
export function toErrorSnapshot(e: unknown): ErrorSnapshot {
  if (e instanceof Error) {
    return {
      name: e.name || 'Error',
      message: String(e.message).slice(0, MAX_MESSAGE),
      stack: typeof e.stack === 'string' ? e.stack.slice(0, MAX_STACK) : null,
    }
  }
  let message: string
  try {
    message = typeof e === 'string' ? e : JSON.stringify(e) ?? String(e)
  } catch {
    message = String(e)
  }
  return { name: 'Error', message: message.slice(0, MAX_MESSAGE), stack: null }
}
