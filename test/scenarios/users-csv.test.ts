import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runScenario } from './helpers'

/** Splits the CSV into rows of fields; the names faker makes hold no commas or quotes. */
function parseCsv(text: string): string[][] {
  expect(text.endsWith('\r\n')).toBe(true)
  return text.slice(0, -2).split('\r\n').map((row) => row.split(','))
}

async function writeCsv(params: Record<string, unknown>) {
  const run = await runScenario('users-csv', params)
  try {
    const file = join(run.outDir, (params.path as string | undefined) ?? 'users.csv')
    return { result: run.result, text: readFileSync(file, 'utf8'), file }
  } finally {
    run.remove()
  }
}

describe('users-csv', () => {
  it('writes a header and ten faker rows with ids 1 to 10, each line ending in CRLF', async () => {
    const { result, text, file } = await writeCsv({})
    expect(result.outcome).toBe('done')
    expect(result.files).toEqual([file])
    const rows = parseCsv(text)
    expect(rows[0]).toEqual(['id', 'name', 'email'])
    expect(rows.slice(1).map((r) => r[0])).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10'])
    for (const [, name, email] of rows.slice(1)) {
      expect(name).toMatch(/^\S+( \S+)+$/)
      expect(email).toMatch(/^[^@\s]+@example\.(org|com|net)$/)
    }
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/)
  })

  it('writes the same file for the same seed and a different one for another seed', async () => {
    const first = await writeCsv({ seed: 42 })
    const again = await writeCsv({ seed: 42 })
    const other = await writeCsv({ seed: 43 })
    expect(again.text).toBe(first.text)
    expect(other.text).not.toBe(first.text)
  })

  it("writes to params.path inside the run's output folder", async () => {
    const { text } = await writeCsv({ path: 'out.csv' })
    expect(parseCsv(text)).toHaveLength(11)
  })
})
