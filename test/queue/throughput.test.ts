// Completed per second over the last minute, on an injected clock.
import { describe, expect, it } from 'vitest'
import { Throughput } from '../../src/main/queue'
import { QUEUE_LIMITS } from '../../src/shared/queue-contract'

describe('Throughput', () => {
  it('counts into wall seconds, answers the last minute oldest first, and divides by the seconds listened', () => {
    let now = 1_000_000
    const t = new Throughput(() => now)
    for (let k = 0; k < 10; k++) t.record()
    now += 2000
    for (let k = 0; k < 5; k++) t.record()
    const r = t.read()
    expect(r.perSecondSeries).toHaveLength(QUEUE_LIMITS.throughputSeconds)
    expect(r.perSecondSeries.slice(-3)).toEqual([10, 0, 5])
    expect(r.perSecond).toBe(7.5) // 15 jobs in the 2 s listened
    expect(r.lastSecondWall).toBe(1_002_000)
  })

  it('forgets what is older than a minute and ignores events outside the window', () => {
    let now = 5_000_000
    const t = new Throughput(() => now)
    t.record()
    t.record(now - 61_000) // an old event replayed from BullMQ's stream
    t.record(now + 5_000)
    expect(t.read().perSecondSeries.reduce((a, b) => a + b)).toBe(1)
    now += 70_000
    for (let k = 0; k < 60; k++) t.record(now - k * 1000)
    const r = t.read()
    expect(r.perSecondSeries.every((n) => n === 1)).toBe(true)
    expect(r.perSecond).toBe(1)
  })
})
