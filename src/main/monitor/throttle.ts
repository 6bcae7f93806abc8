import type { WallTimer } from '../runtime'

/** The timer functions the throttle uses (the runtime's wall-timer shape); tests may pass their own. */
export type Timers = WallTimer

export const realTimers: Timers = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => {
    const h = setTimeout(fn, ms)
    // A pending flush must not keep a finished process (CLI, tests) alive.
    h.unref?.()
    return h
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
}

/**
 * Calls `flush` at most once per `intervalMs`, after something was `mark()`ed: many marks between
 * two flushes coalesce into one call. The first mark after a quiet period flushes on the next timer
 * turn (not synchronously), so a burst of changes made in one step still travels together.
 *
 * @example const t = new Throttle(1000 / 60, () => send(batch())); t.mark(); t.mark() // one send
 */
export class Throttle {
  private timer: unknown = null
  private last = Number.NEGATIVE_INFINITY

  constructor(
    private intervalMs: number,
    private readonly flush: () => void,
    private readonly timers: Timers = realTimers,
  ) {}

  mark(): void {
    if (this.timer !== null) return
    const wait = Math.max(0, this.last + this.intervalMs - this.timers.now())
    this.timer = this.timers.setTimeout(() => this.fire(), wait)
  }

  /** Changes the minimum gap between flushes from the next one on. */
  setInterval(ms: number): void {
    this.intervalMs = ms
  }

  /** Flushes now if something is pending (e.g. before shutting down). */
  flushNow(): void {
    if (this.timer === null) return
    this.timers.clearTimeout(this.timer)
    this.fire()
  }

  /** Records a flush made directly (not through the timer): the gap counts from now. */
  noteFlushed(): void {
    if (this.timer !== null) this.timers.clearTimeout(this.timer)
    this.timer = null
    this.last = this.timers.now()
  }

  dispose(): void {
    if (this.timer !== null) this.timers.clearTimeout(this.timer)
    this.timer = null
  }

  private fire(): void {
    this.timer = null
    this.last = this.timers.now()
    this.flush()
  }
}
