import { describe, expect, it } from 'vitest'
import { formatCountdown, formatDuration, formatRate, formatSeconds } from '../../src/renderer/src/state/format'

describe('time formatting', () => {
  it('shows milliseconds as seconds with three decimals', () => {
    expect(formatSeconds(0)).toBe('0.000')
    expect(formatSeconds(1234.4)).toBe('1.234')
    expect(formatSeconds(1234.5)).toBe('1.235')
    expect(formatSeconds(60_000)).toBe('60.000')
  })

  it('shows a dash, never NaN, for a missing time', () => {
    expect(formatSeconds(null)).toBe('—')
    expect(formatSeconds(undefined)).toBe('—')
    expect(formatSeconds(Number.NaN)).toBe('—')
    expect(formatDuration(null)).toBe('—')
  })

  it('counts a deadline down on the task clock and says when it has passed', () => {
    expect(formatCountdown(5000, 3800)).toBe('1.200 s')
    expect(formatCountdown(5000, 5000)).toBe('expired')
    expect(formatCountdown(5000, 7000)).toBe('expired')
    expect(formatCountdown(null, 1)).toBe('—')
  })

  it('rounds large rates to whole numbers and small ones to one decimal', () => {
    expect(formatRate(812.34)).toBe('812/s')
    expect(formatRate(2.25)).toBe('2.3/s')
  })
})
