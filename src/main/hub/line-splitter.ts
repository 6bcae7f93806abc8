/**
 * Splits a byte stream into `\n`-terminated lines without ever holding more than `maxBytes` of one
 * line: the moment a line passes the bound, `onOverflow` is called once and every later byte is
 * dropped unread, so a 100 MB line costs one chunk of memory, not 100 MB. A trailing `\r` is
 * removed; empty lines are skipped (an agent may send them as keep-alives).
 *
 * @example
 * const s = new LineSplitter(1024, (line) => handle(line), () => socket.destroy())
 * socket.on('data', (chunk) => s.push(chunk))
 */
export class LineSplitter {
  private parts: Buffer[] = []
  private held = 0
  private overflowed = false

  constructor(
    /** The longest line accepted, bytes without the `\n`; may be raised later (after a handshake). */
    public maxBytes: number,
    private readonly onLine: (line: string, bytes: number) => void,
    private readonly onOverflow: () => void,
  ) {}

  /** Bytes of the unfinished line held now (never more than maxBytes). */
  get pending(): number {
    return this.held
  }

  /** Feeds one chunk; calls onLine for each complete line in it, in order. */
  push(chunk: Buffer): void {
    if (this.overflowed) return
    let start = 0
    for (;;) {
      const nl = chunk.indexOf(10, start)
      if (nl === -1) break
      if (this.held + (nl - start) > this.maxBytes) return this.overflow()
      const piece = chunk.subarray(start, nl)
      const line = this.held === 0 ? piece : Buffer.concat([...this.parts, piece])
      this.parts = []
      this.held = 0
      start = nl + 1
      this.emit(line)
      if (this.overflowed) return
    }
    const rest = chunk.length - start
    if (rest === 0) return
    if (this.held + rest > this.maxBytes) return this.overflow()
    // Copy the tail: keeping a subarray would pin the whole (up to 64 KiB) chunk.
    this.parts.push(Buffer.from(chunk.subarray(start)))
    this.held += rest
  }

  /** Stops: later pushes are ignored (the connection is closing). */
  stop(): void {
    this.overflowed = true
    this.parts = []
    this.held = 0
  }

  private emit(line: Buffer): void {
    const end = line.length > 0 && line[line.length - 1] === 13 ? line.length - 1 : line.length
    if (end === 0) return
    const text = line.toString('utf8', 0, end)
    if (text.trim() === '') return
    this.onLine(text, end)
  }

  private overflow(): void {
    this.stop()
    this.onOverflow()
  }
}
