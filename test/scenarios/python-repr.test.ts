import { describe, expect, it } from 'vitest'
import { pyFloat, pyNumber, pyRepr } from '../../src/main/scenarios/python/repr'

describe("Python's text for numbers and decoded JSON", () => {
  it('prints floats as str(float) does', () => {
    expect([60, 0.5, 1.25, 0, 1e-5, 1e16, 123456789012345.6, 0.0001].map(pyFloat)).toEqual([
      '60.0', '0.5', '1.25', '0.0', '1e-05', '1e+16', '123456789012345.6', '0.0001',
    ])
  })

  it('prints whole seconds as an int and others as a float, as the async iterator does', () => {
    expect([2, 1.5, 0.25].map(pyNumber)).toEqual(['2', '1.5', '0.25'])
  })

  it('prints a dict with single-quoted strings and Python separators', () => {
    expect(pyRepr({ crowd: ['Andrey', 'Alex'], n: 1, ok: true, none: null, q: "it's" })).toBe(
      `{'crowd': ['Andrey', 'Alex'], 'n': 1, 'ok': True, 'none': None, 'q': "it's"}`,
    )
  })
})
