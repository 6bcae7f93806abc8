/** Timing helpers of the bench: best-of-n with the contenders taken in turn, geomean, a forced GC. */

/** A full collection when the bench runs with --expose-gc (scripts/bench.mjs passes it). */
export function gc(): void {
  ;(globalThis as { gc?: () => void }).gc?.()
}

/** A contender's best wall-clock ms (or its reported figure) and best CPU ms (all threads: GC helpers too). */
export interface Best {
  ms: number
  cpuMs: number
}

/**
 * Runs every contender once (warm-up), then `runs` rounds of all of them in turn, each from a
 * collected heap; returns each one's best wall and CPU time. A contender resolving with a number
 * reports that instead of its elapsed wall time (its CPU time is then the whole run's). Taking
 * them in turn spreads a slow spell of a shared machine over all columns instead of one; CPU time
 * moves less with the load than wall time.
 */
export async function bestOf(contenders: (() => Promise<number | void>)[], runs: number): Promise<Best[]> {
  const best = contenders.map(() => ({ ms: Infinity, cpuMs: Infinity }))
  for (let round = -1; round < runs; round++) {
    for (let i = 0; i < contenders.length; i++) {
      gc()
      const t0 = performance.now()
      const cpu0 = process.cpuUsage()
      const reported = await contenders[i]!()
      const cpu = process.cpuUsage(cpu0)
      const ms = typeof reported === 'number' ? reported : performance.now() - t0
      if (round < 0) continue
      best[i]!.ms = Math.min(best[i]!.ms, ms)
      best[i]!.cpuMs = Math.min(best[i]!.cpuMs, (cpu.user + cpu.system) / 1000)
    }
  }
  return best
}

export function geomean(xs: number[]): number {
  return Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length)
}
