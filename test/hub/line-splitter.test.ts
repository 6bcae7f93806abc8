import { describe, expect, it } from 'vitest'
import { LineSplitter } from '../../src/main/hub/line-splitter'

function collect(max: number) {
  const lines: string[] = []
  let overflows = 0
  const s = new LineSplitter(max, (line) => lines.push(line), () => overflows++)
  return { s, lines, overflows: () => overflows }
}

describe('line splitter', () => {
  it('joins a line split over chunks, splits several lines in one chunk, drops \\r and skips empty lines', () => {
    const { s, lines } = collect(100)
    s.push(Buffer.from('{"a"'))
    s.push(Buffer.from(':1}\r\n\n  \n{"b":2}\n{"c"'))
    s.push(Buffer.from(':3}\n'))
    expect(lines).toEqual(['{"a":1}', '{"b":2}', '{"c":3}'])
  })

  it('keeps a multi-byte character split between chunks whole', () => {
    const { s, lines } = collect(100)
    const bytes = Buffer.from('"é€"\n')
    s.push(bytes.subarray(0, 2))
    s.push(bytes.subarray(2))
    expect(lines).toEqual(['"é€"'])
  })

  it('accepts a line of exactly the maximum and overflows one byte past it', () => {
    const { s, lines, overflows } = collect(10)
    s.push(Buffer.from(`${'x'.repeat(10)}\n`))
    expect(lines).toHaveLength(1)
    s.push(Buffer.from('y'.repeat(6)))
    s.push(Buffer.from(`${'y'.repeat(5)}\n`))
    expect(overflows()).toBe(1)
    expect(lines).toHaveLength(1)
  })

  it('streams a 100 MB line without holding more than the bound: one overflow, then nothing is kept', () => {
    const max = 4 << 20
    const { s, lines, overflows } = collect(max)
    const chunk = Buffer.alloc(64 << 10, 0x61) // one 64 KiB buffer, pushed 1,600 times
    let peak = 0
    for (let sent = 0; sent < 100 << 20; sent += chunk.length) {
      s.push(chunk)
      peak = Math.max(peak, s.pending)
    }
    s.push(Buffer.from('\n'))
    expect(overflows()).toBe(1)
    expect(lines).toEqual([])
    expect(peak).toBeLessThanOrEqual(max)
    expect(s.pending).toBe(0)
  })
})
