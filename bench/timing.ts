/** Timing helpers of the bench: best-of-n with the contenders taken in turn, geomean, a forced GC. */

/** A full collection when the bench runs with --expose-gc (scripts/bench.mjs passes it). */
export function gc(): void {
  ;(globalThis as { gc?: () => void }).gc?.()
}

/**
 * Runs every contender once (warm-up), then `runs` rounds of all of them in turn, each from a
 * collected heap; returns each one's best. A contender resolving with a number reports that
 * instead of its elapsed time. Taking them in turn spreads a slow spell of a shared machine over
 * all columns instead of one.
 */
export async function bestOf(contenders: (() => Promise<number | void>)[], runs: number): Promise<number[]> {
  const best = contenders.map(() => Infinity)
  for (let round = -1; round < runs; round++) {
    for (let i = 0; i < contenders.length; i++) {
      gc()
      const t0 = performance.now()
      const reported = await contenders[i]!()
      const ms = typeof reported === 'number' ? reported : performance.now() - t0
      if (round >= 0) best[i] = Math.min(best[i]!, ms)
    }
  }
  return best
}

export function geomean(xs: number[]): number {
  return Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length)
}
