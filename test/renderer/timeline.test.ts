import { describe, expect, it } from 'vitest'
import { plainRows } from '../../src/renderer/src/state/task-rows'
import { chooseAxis, fitSpan, ticks } from '../../src/renderer/src/state/timeline.svelte'
import { task } from './helpers'

describe('timeline helpers', () => {
  it('uses loop time when every row shares one loop, wall time when loops mix', () => {
    expect(chooseAxis(plainRows([task({ loop: 'run-1' }), task({ loop: 'run-1' })]))).toBe('loop')
    expect(chooseAxis(plainRows([task({ loop: 'run-1' }), task({ loop: 'daemons' })]))).toBe('wall')
  })

  it('fits from the earliest start to the later of the last end and now, with a little air', () => {
    const rows = plainRows([task({ at: 1000, ended: 3000, state: 'done' }), task({ at: 2000 })])
    const span = fitSpan(rows, 'loop', 5000)
    expect(span?.start).toBe(1000)
    expect(span!.end).toBeGreaterThan(5000)
    expect(span!.end).toBeLessThan(5200)
  })

  it('never fits a zero-width span', () => {
    const span = fitSpan(plainRows([task({ at: 0, ended: 0, state: 'done' })]), 'loop', null)
    expect(span!.end - span!.start).toBeGreaterThanOrEqual(1000)
  })

  it('places ticks on a 1-2-5 step inside the span', () => {
    expect(ticks({ start: 0, end: 10_000 }, 5)).toEqual([0, 2000, 4000, 6000, 8000, 10_000])
    expect(ticks({ start: 150, end: 900 }, 4)).toEqual([200, 400, 600, 800])
  })
})
