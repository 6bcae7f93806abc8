import { describe, expect, it } from 'vitest'
import { StateRecorder } from '../../src/main/monitor/state-recorder'
import { SEGMENT_CAPS } from '../../src/shared/snapshots'
import type { StateSegment } from '../../src/shared/snapshots'

/** n closed segments alternating running / waiting, segment i from 10·i to 10·i + 10. */
function expected(n: number): StateSegment[] {
  return Array.from({ length: n }, (_, i) => ({ state: i % 2 === 0 ? 'running' : 'waiting', from: 10 * i, to: 10 * i + 10 }))
}

describe('StateRecorder tail ring (grown in place up to its cap)', () => {
  it('keeps the first 50 and the newest 150 exactly at every size the ring grows through, and after it wraps', () => {
    for (const n of [51, 66, 67, 98, 99, 163, 199, 200, 201, 350, 1_001]) {
      const r = new StateRecorder()
      for (let i = 0; i <= n; i++) r.enter(i % 2 === 0 ? 'running' : 'waiting', 10 * i)
      const h = r.history()
      const all = expected(n)
      expect(h.head).toEqual(all.slice(0, SEGMENT_CAPS.head))
      const tailFrom = Math.max(SEGMENT_CAPS.head, n - SEGMENT_CAPS.tail)
      expect(h.tail).toEqual(all.slice(tailFrom))
      expect(h.skipped).toBe(tailFrom - SEGMENT_CAPS.head)
    }
  })

  it('hands out each new tail segment once across takes while the ring grows and wraps', () => {
    const r = new StateRecorder()
    const got = new Map<number, StateSegment>()
    let i = 0
    for (const upTo of [40, 60, 75, 110, 190, 240, 420]) {
      for (; i <= upTo; i++) r.enter(i % 2 === 0 ? 'running' : 'waiting', 10 * i)
      for (const a of r.take(1)) a.segments.forEach((s, k) => got.set(a.first + k, s))
    }
    const all = expected(420)
    // Everything taken is what happened at that index (a segment dropped before a take is a gap).
    for (const [k, s] of got) expect(s).toEqual(all[k])
    // Between takes at most 180 segments were added, more than the tail holds only once (240 → 420):
    // all of the first 240, and the newest 150 of the rest.
    for (let k = 0; k < 240; k++) expect(got.has(k)).toBe(true)
    for (let k = 270; k < 420; k++) expect(got.has(k)).toBe(true)
  })

  it('packs and unpacks a wrapped tail as it was kept', () => {
    const r = new StateRecorder()
    for (let i = 0; i <= 300; i++) r.enter(i % 2 === 0 ? 'running' : 'waiting', 10 * i)
    r.end(3_010)
    r.take(1)
    const kept = r.kept
    const out = new Float64Array(3 * (kept.head + kept.tail))
    r.packInto(out, 0)
    const back = new StateRecorder()
    back.unpack(out, 0, kept.head, kept.skipped, kept.tail)
    expect(back.history()).toEqual(r.history())
    expect(back.take(1)).toEqual([])
  })
})
