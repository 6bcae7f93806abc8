/**
 * Clocks, as Trio's: the loop asks `now()` for its time and `sleepTimeUntil()` for how long it may
 * really wait for a deadline. All values are milliseconds.
 */
import { performance } from 'node:perf_hooks'

export interface Clock {
  /** ms on this clock */
  now(): number
  /** real ms the loop may wait for that deadline */
  sleepTimeUntil(deadline: number): number
}

/** Wall time: a monotonic clock in ms. */
export class RealClock implements Clock {
  now(): number {
    return performance.now()
  }
  sleepTimeUntil(deadline: number): number {
    return Math.max(0, deadline - this.now())
  }
}

/**
 * Time running `rate` times faster than real time, starting at `start` (default 0): with rate 60
 * one real second is a clock minute, so a 60 s daemon interval passes in 1 s. `setRate` changes
 * the rate live, keeping time continuous (the loop controls' speed).
 */
export class ScaledClock implements Clock {
  private r: number
  /** clock ms at `anchor` (real ms): now = base + (real - anchor) × rate */
  private base: number
  private anchor = performance.now()

  constructor(rate: number, opts: { start?: number } = {}) {
    this.r = checkRate(rate)
    this.base = opts.start ?? 0
    if (!Number.isFinite(this.base)) throw new RangeError(`ScaledClock start must be finite, got ${String(opts.start)}`)
  }
  get rate(): number {
    return this.r
  }
  now(): number {
    return this.base + (performance.now() - this.anchor) * this.r
  }
  sleepTimeUntil(deadline: number): number {
    return Math.max(0, (deadline - this.now()) / this.r)
  }
  /** From now on time runs `rate` times real time; what has passed stays (no jump). */
  setRate(rate: number): void {
    checkRate(rate)
    const real = performance.now()
    this.base += (real - this.anchor) * this.r
    this.anchor = real
    this.r = rate
  }
}

function checkRate(rate: number): number {
  if (!(typeof rate === 'number' && Number.isFinite(rate) && rate > 0)) {
    throw new RangeError(`ScaledClock rate must be a finite number > 0, got ${String(rate)}`)
  }
  return rate
}

/**
 * Trio's MockClock: starts at `start` (default 0) and moves only when told — by `advance()`, or,
 * with `autojump` (default true), by the loop jumping straight to the next timer whenever no task
 * is ready. Deterministic and instant: a program that sleeps an hour finishes at once, with
 * `loop.time()` an hour later.
 */
export class VirtualClock implements Clock {
  readonly autojump: boolean
  private t: number

  constructor(opts: { start?: number; autojump?: boolean } = {}) {
    this.t = opts.start ?? 0
    this.autojump = opts.autojump ?? true
    if (!Number.isFinite(this.t)) throw new RangeError(`VirtualClock start must be finite, got ${String(opts.start)}`)
  }
  now(): number {
    return this.t
  }
  /** Virtual time never passes by itself: without autojump the loop waits for `advance()`. */
  sleepTimeUntil(deadline: number): number {
    return deadline <= this.t ? 0 : Infinity
  }
  /** Moves time forward by `ms` (≥ 0); the loop fires what became due. */
  advance(ms: number): void {
    if (!(Number.isFinite(ms) && ms >= 0)) throw new RangeError(`advance() takes a finite ms ≥ 0, got ${String(ms)}`)
    this.t += ms
    for (const fn of this.listeners) fn()
  }
  /** @internal the loop's autojump */
  jumpTo(when: number): void {
    if (when > this.t) this.t = when
  }
  /** @internal loops waiting on this clock are woken when it is advanced */
  readonly listeners = new Set<() => void>()
}

/**
 * Real (wall-clock) time, for what must not follow a loop's clock: shutdown grace periods. A 5 s
 * grace is 5 real seconds whether the loop runs at 0.01× or on a virtual clock. The default uses
 * the host's global `setTimeout`/`clearTimeout` and `performance.now()` (no host import); tests may
 * inject their own.
 */
export interface WallTimer {
  /** real ms, monotonic */
  now(): number
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

/** The host's timers (kept ref'd: a process awaiting a shutdown report must live to read it). */
export const hostWallTimer: WallTimer = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as Parameters<typeof clearTimeout>[0]),
}

/** Longest delay setTimeout honours (≈ 24.8 days); a longer grace is as good as unlimited. */
export const MAX_WALL_DELAY_MS = 2 ** 31 - 1
