import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { type OracleScenario, compareTrace, cpythonTrace, oracleDir, tempDir, virtualTrace } from './helpers'

const catalogue: OracleScenario[] = JSON.parse(readFileSync(join(oracleDir, 'scenarios.json'), 'utf8'))

describe('reference traces (CPython on virtual time)', () => {
  for (const { id, params } of catalogue) {
    it(`${id} prints what CPython prints, at the same virtual times`, async () => {
      const actual = await virtualTrace(id, params)
      const verdict = compareTrace(join(oracleDir, 'traces', `${id}.jsonl`), actual)
      expect(verdict.report).toMatch(/^OK /m)
      expect(verdict.status).toBe(0)
    })
  }
})

// Other params: the reference is produced by CPython at test time from the oracle's seed port.
const variants: [string, Record<string, unknown>, string][] = [
  ['gather-random-sleep', { delays: [2000, 1000, 2000, 1000, 3000] }, 'delays that tie'],
  ['graceful-cancel', { cancelAfter: 2500 }, 'a cancel between two rounds'],
  ['graceful-cancel', { cancelAfter: 3000 }, 'a cancel due together with a round'],
  ['wait-first-completed', { delays: [2000, 1000, 3000, 1000, 5000] }, 'two fastest sources that tie'],
  ['wait-all-completed', { delays: [1000, 1000, 500, 2000, 500] }, 'ties in the delays'],
  ['wait-for-timeout', { delay: 500, timeout: 1000 }, 'a request faster than the timeout'],
  ['async-iterator', { people: ['Ann', 'Bob'], delays: [1500, 250] }, 'fractional delays'],
  ['workers-heartbeat', { iterations: 3 }, 'three rounds'],
  ['stats-daemon', { interval: 10_000, iterations: 2 }, 'a 10 s interval'],
  ['stats-daemon-run', { interval: 1500, iterations: 3 }, 'a fractional-second interval'],
  ['users-csv', { seed: 7 }, 'another seed'],
]

describe('traces with other params match CPython', () => {
  for (const [id, params, what] of variants) {
    it(`${id} matches CPython with ${what} (${JSON.stringify(params)})`, async () => {
      const dir = tempDir()
      try {
        const expectedFile = join(dir.path, 'expected.jsonl')
        writeFileSync(expectedFile, cpythonTrace(id, params))
        const verdict = compareTrace(expectedFile, await virtualTrace(id, params))
        expect(verdict.report).toMatch(/^OK /m)
        expect(verdict.status).toBe(0)
      } finally {
        dir.remove()
      }
    })
  }
})
