// What each task of the `load` scenario will do, drawn from the run's seed: its fate (finish, fail,
// be cancelled), its sleeps and when its cancel comes. Each task draws from its own stream
// (seed, index), so a task's plan does not depend on how the others interleave, and nothing per
// task is held before the task exists.

import { seededRandom } from '../../shared/seeded-random'

/** The seed of task `index`'s own stream: the run's seed and the index, mixed (Knuth's multiplicative hash). */
function taskSeed(seed: number, index: number): number {
  return (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0
}

export const LOAD_FATES = ['done', 'failed', 'cancelled'] as const
export type LoadFate = (typeof LOAD_FATES)[number]

export interface LoadShape {
  sleeps: number
  minSleep: number
  maxSleep: number
  failFraction: number
  cancelFraction: number
  seed: number
}

export interface TaskPlan {
  fate: LoadFate
  /** Sleeps it makes before it raises (fate `failed`); its sleep count otherwise. */
  sleepsBeforeEnd: number
  /** Loop ms after its creation at which the canceller cancels it (fate `cancelled`), else null. */
  cancelAfter: number | null
  /** Its sleeps' lengths in ms, drawn one by one (call at most `sleepsBeforeEnd` times). */
  nextSleep: () => number
}

/**
 * Task `index`'s plan. Sleeps are whole ms, uniform in [minSleep, maxSleep]; a failing task raises
 * after a uniform number of its sleeps (0 to k − 1); a cancelled one is cancelled at a uniform moment
 * of its planned sleeping time.
 *
 * @example planTask({ sleeps: 3, minSleep: 10, maxSleep: 20, failFraction: 0, cancelFraction: 0, seed: 1 }, 0).fate // 'done'
 */
export function planTask(shape: LoadShape, index: number): TaskPlan {
  const seed = taskSeed(shape.seed, index)
  const head = seededRandom(seed)
  const r = head()
  const fate: LoadFate = r < shape.failFraction ? 'failed' : r < shape.failFraction + shape.cancelFraction ? 'cancelled' : 'done'
  const span = shape.maxSleep - shape.minSleep
  const sleeps = seededRandom(seed ^ 0x5bd1e995)
  const nextSleep = () => shape.minSleep + Math.floor(sleeps() * (span + 1))
  let cancelAfter: number | null = null
  if (fate === 'cancelled') {
    // The same stream, drawn ahead once: the task's planned sleeping time.
    const preview = seededRandom(seed ^ 0x5bd1e995)
    let total = 0
    for (let s = 0; s < shape.sleeps; s++) total += shape.minSleep + Math.floor(preview() * (span + 1))
    cancelAfter = Math.floor(head() * total)
  }
  const sleepsBeforeEnd = fate === 'failed' ? Math.floor(head() * shape.sleeps) : shape.sleeps
  return { fate, sleepsBeforeEnd, cancelAfter, nextSleep }
}
