// Completed jobs per second over the last minute: one counter a wall second in a ring, so the
// view's rate and its chart cost the same whatever the job rate.
import { QUEUE_LIMITS } from '../../shared/queue-contract'

const SECONDS = QUEUE_LIMITS.throughputSeconds

/**
 * Counts events into one-second buckets (wall clock) and answers the last minute of them.
 *
 * @example const t = new Throughput(); t.record(); t.read().perSecond
 */
export class Throughput {
  private readonly counts = new Array<number>(SECONDS).fill(0)
  /** The wall second each bucket holds (a bucket of another second reads as 0). */
  private readonly seconds = new Array<number>(SECONDS).fill(-1)
  private readonly startedWall: number

  constructor(private readonly now: () => number = Date.now) {
    this.startedWall = now()
  }

  /** Counts one event at wall time `at` (default now); one older than the window, or ahead of now, is ignored. */
  record(at: number = this.now()): void {
    const now = this.now()
    if (at > now || at <= now - SECONDS * 1000) return
    const sec = Math.floor(at / 1000)
    const i = sec % SECONDS
    if (this.seconds[i] !== sec) {
      this.seconds[i] = sec
      this.counts[i] = 0
    }
    this.counts[i]! += 1
  }

  /**
   * The last minute, oldest second first; the rate divides by the seconds listened (at most 60),
   * so the first seconds after start are not diluted by a minute of nothing.
   */
  read(): { perSecond: number; perSecondSeries: number[]; lastSecondWall: number } {
    const now = this.now()
    const sec = Math.floor(now / 1000)
    const series: number[] = []
    for (let s = sec - SECONDS + 1; s <= sec; s++) {
      const i = ((s % SECONDS) + SECONDS) % SECONDS
      series.push(this.seconds[i] === s ? this.counts[i]! : 0)
    }
    const total = series.reduce((a, b) => a + b, 0)
    // Seconds the series covers that were listened to; the current one counts as far as it has gone.
    const span = (now - Math.max((sec - SECONDS + 1) * 1000, this.startedWall)) / 1000
    return { perSecond: Math.round((total / Math.max(span, 1)) * 10) / 10, perSecondSeries: series, lastSecondWall: sec * 1000 }
  }
}
