// One poll loop for the renderer's polled views (resources, the job queue): a request at a time,
// polled while anyone watches, at the pace the most eager watcher asks for, slower after errors.

/** One poll: resolves true when it got an answer, false (or throws) when it failed. */
export type PollOnce = () => Promise<boolean>

export interface PollerOptions {
  /** The pace of a watcher that names none (ms between the end of one poll and the next). */
  intervalMs: number
  /** After failures in a row the wait doubles each time, up to this (ms); a success resets it. */
  maxBackoffMs?: number
  /** A poll that throws is reported here (it counts as a failure). */
  onError?: (error: unknown) => void
}

/**
 * Polls `once` while at least one watcher is registered: at once when the first arrives (or when
 * one arrives asking for a faster pace than the current one), then every `intervalMs` — the
 * smallest interval any watcher asked for — after each poll ends, so requests never overlap. A
 * failed poll doubles the next wait (up to `maxBackoffMs`). Uses the global timers (fake ones in tests).
 *
 * @example
 * const poller = new Poller(() => fetchStatus(), { intervalMs: 1000 })
 * const unwatch = poller.watch()      // polls now, then every second
 * const fast = poller.watch(250)      // polls now, then every 250 ms
 * fast(); unwatch()                   // stops
 */
export class Poller {
  private readonly watchers = new Map<number, number>()
  private nextWatcher = 0
  private timer: ReturnType<typeof setTimeout> | null = null
  private inFlight: Promise<void> | null = null
  /** A poll was asked for while one was in flight: run one more after it. */
  private again = false
  private failures = 0
  /** Polls that ran (tests and the views' "updated" counters). */
  polls = 0

  constructor(
    private readonly once: PollOnce,
    private readonly options: PollerOptions,
  ) {}

  /** Is anyone watching? */
  get watching(): boolean {
    return this.watchers.size > 0
  }

  /** The wait after a poll now: the fastest watcher's pace, doubled per failure in a row. */
  get delayMs(): number {
    let base = Infinity
    for (const ms of this.watchers.values()) base = Math.min(base, ms)
    if (!Number.isFinite(base)) return Infinity
    const max = Math.max(base, this.options.maxBackoffMs ?? base * 8)
    return Math.min(max, base * 2 ** this.failures)
  }

  /**
   * Registers a watcher wanting a poll every `intervalMs` (default: the poller's); returns its
   * unwatch (idempotent). The last unwatch stops the polling; a poll in flight still lands.
   */
  watch(intervalMs: number = this.options.intervalMs): () => void {
    const before = this.delayMs
    const id = ++this.nextWatcher
    this.watchers.set(id, intervalMs)
    // The first watcher, or a more eager one: look now rather than at the slower pace's time.
    if (before === Infinity || intervalMs < before) void this.pollNow()
    return () => {
      if (!this.watchers.delete(id)) return
      if (this.watchers.size === 0) this.clearTimer()
    }
  }

  /**
   * Polls now (after the one in flight, if any: its answer may predate what the caller changed)
   * and resolves when that poll ended. The next poll is then scheduled while anyone watches.
   */
  async pollNow(): Promise<void> {
    if (this.inFlight) {
      this.again = true
      await this.inFlight
      // The poll in flight ran the extra one, or another caller did: wait for that one too.
      if (this.inFlight) await this.inFlight
      return
    }
    this.clearTimer()
    this.inFlight = this.run()
    try {
      await this.inFlight
    } finally {
      this.inFlight = null
    }
    if (this.again) {
      this.again = false
      await this.pollNow()
      return
    }
    this.schedule()
  }

  /** Stops polling whoever watches (a watcher's unwatch still works afterwards). */
  stop(): void {
    this.watchers.clear()
    this.clearTimer()
  }

  private async run(): Promise<void> {
    let ok = false
    try {
      ok = await this.once()
    } catch (error) {
      this.options.onError?.(error)
    }
    this.polls++
    this.failures = ok ? 0 : Math.min(this.failures + 1, 16)
  }

  private schedule(): void {
    this.clearTimer()
    const delay = this.delayMs
    if (delay !== Infinity) this.timer = setTimeout(() => void this.pollNow(), delay)
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
  }
}
