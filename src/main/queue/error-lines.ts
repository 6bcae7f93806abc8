// A Redis that is down makes ioredis emit the same error on every reconnect attempt: one line per
// message per window is enough to say so, and the repeats are counted instead of printed.

/** How long a message, once printed, is only counted. */
export const ERROR_LINE_WINDOW_MS = 10_000
/** Distinct messages remembered at once (an unbounded map would let a chatty server grow it). */
const MAX_MESSAGES = 100

/**
 * Wraps a line printer so that each error message is printed at most once per window; the next
 * time it is printed it says how many like it were left out meanwhile.
 *
 * @example queue.on('error', errorLines((line) => void process.stderr.write(`${line}\n`), 'loopwatch queue'))
 */
export function errorLines(print: (line: string) => void, prefix: string, now: () => number = Date.now): (error: Error) => void {
  const seen = new Map<string, { at: number; skipped: number }>()
  return (error) => {
    const message = error.message
    const t = now()
    const last = seen.get(message)
    if (last && t - last.at < ERROR_LINE_WINDOW_MS) {
      last.skipped += 1
      return
    }
    const more = last && last.skipped > 0 ? ` (${last.skipped} more like it in the last ${Math.round((t - last.at) / 1000)} s)` : ''
    seen.delete(message)
    seen.set(message, { at: t, skipped: 0 })
    if (seen.size > MAX_MESSAGES) seen.delete(seen.keys().next().value!)
    print(`${prefix}: ${message}${more}`)
  }
}
