/**
 * A write-behind flush at most `ms` after the first write since the last one: armed once, off
 * when the writer flushes on its own, unref'd so it never holds the process open. An error from a
 * flush the timer ran goes to `onError` (no caller is there to take it).
 */
export class FlushTimer {
  private timer: NodeJS.Timeout | null = null

  constructor(
    private readonly ms: number,
    private readonly flush: () => void,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** A flush will run within `ms` (nothing if one is already due). */
  arm(): void {
    if (this.timer) return
    this.timer = setTimeout(() => {
      this.timer = null
      try {
        this.flush()
      } catch (error) {
        this.onError(error)
      }
    }, this.ms)
    this.timer.unref()
  }

  /** The writer flushes now: the due one is not needed. */
  disarm(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
  }
}
