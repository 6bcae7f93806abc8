import { describe, expect, it } from 'vitest'
import { ERROR_LINE_WINDOW_MS, errorLines } from '../../src/main/queue/error-lines'

describe('errorLines: a reconnecting client does not flood stderr', () => {
  it('prints each message once per window, then says how many like it it left out', () => {
    let t = 0
    const lines: string[] = []
    const report = errorLines((l) => lines.push(l), 'loopwatch queue', () => t)
    for (let i = 0; i < 50; i++) {
      report(new Error('connect ECONNREFUSED 127.0.0.1:6379'))
      t += 100 // ioredis retries every ~100 ms: 50 errors in 5 s
    }
    report(new Error('READONLY You cannot write against a read only replica'))
    expect(lines).toEqual(['loopwatch queue: connect ECONNREFUSED 127.0.0.1:6379', 'loopwatch queue: READONLY You cannot write against a read only replica'])
    t = ERROR_LINE_WINDOW_MS
    report(new Error('connect ECONNREFUSED 127.0.0.1:6379'))
    expect(lines[2]).toBe('loopwatch queue: connect ECONNREFUSED 127.0.0.1:6379 (49 more like it in the last 10 s)')
    report(new Error('connect ECONNREFUSED 127.0.0.1:6379'))
    expect(lines).toHaveLength(3)
  })

  it('remembers a bounded number of distinct messages', () => {
    const lines: string[] = []
    const report = errorLines((l) => lines.push(l), 'q', () => 0)
    for (let i = 0; i < 150; i++) report(new Error(`error ${i}`))
    // The first message has been forgotten (only the newest 100 are kept): it prints again at once.
    report(new Error('error 0'))
    report(new Error('error 149'))
    expect(lines).toHaveLength(151)
    expect(lines.at(-1)).toBe('q: error 0')
  })
})
