import { describe, expect, it } from 'vitest'
import { IdRows, IdTable } from '../../src/main/monitor/id-table'

describe('IdTable (tasks by id, paged)', () => {
  it('holds, finds and lets go of values across pages as a Map does', () => {
    const t = new IdTable<string>()
    const m = new Map<number, string>()
    // Ids in runs and far apart (pages of 64, a page made and let go many times), with deletes between.
    const ids = [1, 2, 63, 64, 65, 127, 128, 5_000, 5_001, 1_000_000_007, 2 ** 31 + 5, 2 ** 40 + 3]
    for (const id of ids) {
      t.set(id, `v${id}`)
      m.set(id, `v${id}`)
    }
    t.set(64, 'again')
    m.set(64, 'again')
    expect(t.size).toBe(m.size)
    for (const id of [2, 65, 5_000, 2 ** 31 + 5]) expect(t.delete(id)).toBe(m.delete(id))
    expect(t.delete(2)).toBe(false)
    for (const id of [...ids, 0, 3, 66, 4_999, 2 ** 31 + 6]) expect(t.get(id)).toBe(m.get(id))
    expect(t.size).toBe(m.size)
    expect(new Map(t.entries())).toEqual(m)
    expect(t.values().sort()).toEqual([...m.values()].sort())
  })

  it('finds nothing on a page once its last value went (and a new value there starts it again)', () => {
    const t = new IdTable<number>()
    t.set(70, 1)
    t.set(71, 2)
    t.delete(70)
    t.delete(71)
    expect(t.size).toBe(0)
    expect(t.get(71)).toBeUndefined()
    expect(t.entries()).toEqual([])
    t.set(72, 3)
    expect(t.get(72)).toBe(3)
    expect(t.get(71)).toBeUndefined()
    expect(t.entries()).toEqual([[72, 3]])
  })

  it('refuses an id that is not a non-negative integer, and finds nothing for one', () => {
    const t = new IdTable<number>()
    expect(() => t.set(-1, 1)).toThrow(RangeError)
    expect(() => t.set(1.5, 1)).toThrow(RangeError)
    expect(t.get(-1)).toBeUndefined()
    expect(t.get(Number.NaN)).toBeUndefined()
    expect(t.size).toBe(0)
  })

  it('agrees with a Map over 20,000 random operations', () => {
    const t = new IdTable<number>()
    const m = new Map<number, number>()
    let seed = 7
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n)
    for (let k = 0; k < 20_000; k++) {
      const id = rnd(3) === 0 ? rnd(100_000) : 1_000 + rnd(300)
      if (rnd(2) === 0) {
        t.set(id, k)
        m.set(id, k)
      } else expect(t.delete(id)).toBe(m.delete(id))
      expect(t.get(id)).toBe(m.get(id))
    }
    expect(t.size).toBe(m.size)
    expect(new Map(t.entries())).toEqual(m)
  })
})

describe('IdRows (ended rows by id, Int32 pages)', () => {
  it('holds rows by id, -1 for none, and lets go of them', () => {
    const r = new IdRows()
    r.set(5, 0)
    r.set(69, 7)
    r.set(3_000_000_000, 9)
    expect([r.get(5), r.get(69), r.get(3_000_000_000), r.get(6)]).toEqual([0, 7, 9, -1])
    expect(r.size).toBe(3)
    expect(r.has(5)).toBe(true)
    expect(r.delete(5)).toBe(true)
    expect(r.delete(5)).toBe(false)
    expect(r.has(5)).toBe(false)
    expect(r.rows().sort()).toEqual([7, 9])
    expect(r.size).toBe(2)
  })
})
