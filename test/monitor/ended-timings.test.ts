import { describe, expect, it } from 'vitest'
import { EndedTimings } from '../../src/main/monitor/ended-timings'
import { TaskSteps } from '../../src/main/monitor/step-stats'

function steps(n: number): TaskSteps {
  const s = new TaskSteps()
  s.steps = n
  return s
}

describe('EndedTimings: the newest ended tasks keep their step timing', () => {
  it('keeps the newest `capacity` and lets the oldest go first', () => {
    const kept = new EndedTimings(3)
    for (let id = 1; id <= 5; id++) kept.keep(id, steps(id))
    expect(kept.size).toBe(3)
    expect([1, 2, 3, 4, 5].map((id) => kept.get(id)?.steps ?? null)).toEqual([null, null, 3, 4, 5])
  })

  it('a task taken out (revived) and kept again holds one slot, and its old slot does not evict it', () => {
    const kept = new EndedTimings(3)
    kept.keep(1, steps(1))
    kept.keep(2, steps(2))
    expect(kept.delete(1)?.steps).toBe(1)
    expect(kept.delete(1)).toBeNull()
    kept.keep(3, steps(3))
    kept.keep(1, steps(10)) // back in: the ring's next slot, the one it had (emptied when taken out)
    kept.keep(4, steps(4)) // the next slot is 2's: 2 is let go
    expect(kept.get(1)?.steps).toBe(10)
    expect(kept.get(2)).toBeNull()
    expect(kept.size).toBe(3)
    kept.keep(5, steps(5)) // then 3's
    expect([1, 3, 4, 5].map((id) => kept.get(id)?.steps ?? null)).toEqual([10, null, 4, 5])
  })

  it('keeping an id already kept replaces its timing without growing', () => {
    const kept = new EndedTimings(2)
    kept.keep(7, steps(1))
    kept.keep(7, steps(2))
    expect(kept.size).toBe(1)
    expect(kept.get(7)?.steps).toBe(2)
    kept.keep(8, steps(8))
    kept.keep(9, steps(9))
    expect(kept.get(7)).toBeNull()
    expect(kept.size).toBe(2)
  })

  it('holds 100,000 ended tasks in turn at a bounded size', () => {
    const kept = new EndedTimings(2_000)
    for (let id = 0; id < 100_000; id++) kept.keep(id, steps(id))
    expect(kept.size).toBe(2_000)
    expect(kept.get(97_999)).toBeNull()
    expect(kept.get(98_000)?.steps).toBe(98_000)
  })
})
