// watch()'s `stepTiming` option: on by default (as the app's own monitor), off with `false`, or
// on with another slow-step threshold. Checked before watch() does anything.
import { SLOW_STEP_MAX_MS, SLOW_STEP_MIN_MS } from '../shared/snapshots'

/** `false`: steps are not timed (no slow steps, task:timing answers null); an object: timed, with that threshold. */
export type StepTimingOption = false | { thresholdMs?: number }

/** A watch() option that cannot be used: thrown at once, before anything is watched or connected. */
export class WatchOptionError extends Error {
  override readonly name = 'WatchOptionError'
  readonly code = 'bad-watch-option'
}

/**
 * The TaskMonitor's `stepTiming` for watch()'s option (undefined: off). Throws WatchOptionError
 * for anything but false, undefined or `{ thresholdMs? }` with a threshold of SLOW_STEP_MIN_MS …
 * SLOW_STEP_MAX_MS real ms.
 */
export function monitorStepTiming(opt: unknown): { thresholdMs?: number } | undefined {
  if (opt === false) return undefined
  if (opt === undefined) return {}
  if (typeof opt !== 'object' || opt === null || Array.isArray(opt)) {
    throw new WatchOptionError(`stepTiming must be false or { thresholdMs }, got ${opt === null ? 'null' : Array.isArray(opt) ? 'an array' : typeof opt}`)
  }
  const extra = Object.keys(opt).filter((k) => k !== 'thresholdMs')
  if (extra.length > 0) throw new WatchOptionError(`stepTiming takes only thresholdMs, not ${extra.slice(0, 3).map((k) => k.slice(0, 40)).join(', ')}`)
  const ms = (opt as { thresholdMs?: unknown }).thresholdMs
  if (ms === undefined) return {}
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < SLOW_STEP_MIN_MS || ms > SLOW_STEP_MAX_MS) {
    throw new WatchOptionError(`stepTiming.thresholdMs must be ${SLOW_STEP_MIN_MS} … ${SLOW_STEP_MAX_MS} (real ms), got ${typeof ms === 'number' ? ms : typeof ms}`)
  }
  return { thresholdMs: ms }
}
