/**
 * The agent's bounded outbox: encoded lines waiting for the socket. When a line does not fit
 * (`maxLines` or `maxBytes`), it is dropped and counted; the count travels to the hub as `dropped`.
 * A program with no app running therefore costs at most the bound, never its whole history.
 *
 * @example const out = new OutboundBuffer(1000, 1 << 20); out.push(line) || console.debug('dropped')
 */
export class OutboundBuffer {
  private lines: string[] = []
  private head = 0
  private bytes = 0
  /** Lines dropped since the count was last taken. */
  dropped = 0

  constructor(
    readonly maxLines: number,
    readonly maxBytes: number,
  ) {}

  get length(): number {
    return this.lines.length - this.head
  }

  /** Queues a line, or drops and counts it when the buffer is full. */
  push(line: string): boolean {
    const size = Buffer.byteLength(line)
    if (this.length >= this.maxLines || this.bytes + size > this.maxBytes) {
      this.dropped++
      return false
    }
    this.lines.push(line)
    this.bytes += size
    return true
  }

  /** Takes the oldest line, or null. */
  shift(): string | null {
    if (this.head >= this.lines.length) return null
    const line = this.lines[this.head] as string
    this.head++
    this.bytes -= Buffer.byteLength(line)
    // Compact now and then, so a long-lived buffer does not keep a sparse array.
    if (this.head > 1024 && this.head * 2 > this.lines.length) {
      this.lines = this.lines.slice(this.head)
      this.head = 0
    }
    return line
  }

  /** Empties the buffer (its lines are superseded, not dropped: the count is kept). */
  clear(): void {
    this.lines = []
    this.head = 0
    this.bytes = 0
  }

  /** The dropped count, reset to 0. */
  takeDropped(): number {
    const n = this.dropped
    this.dropped = 0
    return n
  }
}
