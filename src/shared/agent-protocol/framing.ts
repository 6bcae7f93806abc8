// Framing: newline-delimited JSON (one UTF-8 JSON object per line, `\n`-terminated) over TCP on
// 127.0.0.1. Nothing else is needed to speak it: Python's `socket` + `json` suffice.

/**
 * The longest line (bytes, without its `\n`) after the handshake. A line that grows past it is not
 * buffered further: the peer is told `line_too_long` and disconnected. Deltas larger than this are
 * split by the agent (each list in a delta has its own bound as well).
 */
export const MAX_LINE_BYTES = 4 << 20
/** The longest line before `welcome`: a hello is small, so an unauthenticated peer costs 4 KiB at most. */
export const MAX_HELLO_LINE_BYTES = 4 << 10

/** One message as a line of the wire: compact JSON and its `\n`. */
export function encodeLine(message: object): string {
  return `${JSON.stringify(message)}\n`
}
