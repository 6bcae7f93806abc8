/** Random programs (fuzz.ts) print the same trace on the runtime as on CPython (fuzz.py). */
import { describe, expect, it } from 'vitest'
import { sortRuns } from './cpython'
import { generate, runPython, runTs } from './fuzz'

/** several thousand seeds matched when this was written (`npx tsx` a loop over generate()/runTs()/runPython()); the suite keeps a fast slice of them. */
const SEEDS = Array.from({ length: 300 }, (_, i) => i + 1)

describe('random programs, compared with CPython', () => {
  it('three hundred seeded random programs (sleeps with equal deadlines, cancels, awaits, waitFor, shield, gather, timeouts, task groups, queue, lock, semaphore, event) print CPython\'s trace', async () => {
    const programs = SEEDS.map((s) => generate(s))
    const expected = runPython(programs)
    expect(expected.size).toBe(programs.length)
    // a task group's children are cancelled in CPython's set order: compare those runs sorted
    const norm = (lines: string[] | undefined): string[] | undefined => lines && sortRuns(lines, /\.g\d+ ends cancelled$/)
    for (const prog of programs) {
      const actual = await runTs(prog)
      expect(actual.length, `seed ${prog.seed} printed nothing`).toBeGreaterThan(0)
      expect({ seed: prog.seed, trace: norm(actual) }, `seed ${prog.seed}: ${JSON.stringify(prog.main)}`).toEqual({
        seed: prog.seed,
        trace: norm(expected.get(prog.seed)),
      })
    }
  })


  it('random programs run three at a time on separate virtual-clock loops still print CPython\'s trace', async () => {
    const programs = SEEDS.slice(0, 90).map((s) => generate(s + 10_000))
    const expected = runPython(programs)
    const norm = (lines: string[] | undefined): string[] | undefined => lines && sortRuns(lines, /\.g\d+ ends cancelled$/)
    for (let i = 0; i < programs.length; i += 3) {
      const batch = programs.slice(i, i + 3)
      const traces = await Promise.all(batch.map(runTs))
      batch.forEach((prog, k) => {
        expect({ seed: prog.seed, trace: norm(traces[k]) }).toEqual({ seed: prog.seed, trace: norm(expected.get(prog.seed)) })
      })
    }
  })

  it('sixty larger random programs (up to 20 tasks, longer bodies) print CPython\'s trace', async () => {
    const programs = SEEDS.slice(0, 60).map((s) => generate(s + 20_000, 3))
    const expected = runPython(programs)
    const norm = (lines: string[] | undefined): string[] | undefined => lines && sortRuns(lines, /\.g\d+ ends cancelled$/)
    for (const prog of programs) {
      expect({ seed: prog.seed, trace: norm(await runTs(prog)) }).toEqual({ seed: prog.seed, trace: norm(expected.get(prog.seed)) })
    }
  })
})
