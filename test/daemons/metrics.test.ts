import { describe, expect, it } from 'vitest'
import { createSampler } from '../../src/main/daemons/metrics'

describe('the stats sampler', () => {
  it("reports event-loop delay beyond the histogram's own tick, so an idle loop reads near 0 ms, and a blocked one shows the block", async () => {
    // Real time is the point here: the delay of Node's own event loop.
    const sampler = createSampler(() => ({}))
    try {
      await new Promise((r) => setTimeout(r, 120))
      const idle = sampler.take(1)
      // Node's histogram drops the first interval after a reset (take() resets): let it tick first.
      await new Promise((r) => setTimeout(r, 30))
      const until = performance.now() + 60
      while (performance.now() < until) {
        // hold the event loop for 60 ms
      }
      await new Promise((r) => setTimeout(r, 30))
      const blocked = sampler.take(2)
      expect(idle.loopDelayMs.p50).toBeLessThan(8) // was ≈ 10.2 before subtracting the tick
      expect(blocked.loopDelayMs.max).toBeGreaterThanOrEqual(40)
    } finally {
      sampler.dispose()
    }
  })
})
