// The course's own Python, verbatim (courseSources), under the agent on the virtual clock, compared
// with the oracle's CPython trace through shared/oracle/compare.py. The course's random delays are
// pinned to the oracle's defaults (pin/sitecustomize.py); endless programs end with --stop-at; where
// the course's text fails as written (a missing import, Python 3.11's refusal of coroutines in
// asyncio.wait) the test asserts CPython's own failure, and the fixed text is compared with the oracle.
import { readFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { courseSources } from '../../src/main/scenarios/sources.generated'
import { DEBIAN_PYTHON, compareTrace, missingModules, oracleDir, records, runAgent } from './python-helper'

const dirs: string[] = []
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true })
})

interface Case {
  /** Seconds the course's random.randint(1, 5) returns, in call order (the oracle's default delays). */
  randint?: number[]
  /** Virtual ms at which to stop an endless program. */
  stopAt?: number
  /** Text put before the course's (a fix the oracle's port has too). */
  prefix?: string
  /** Modules the program imports beyond the standard library. */
  needs?: string[]
  /** Expected trace instead of the oracle's (the course's text as CPython runs it). */
  expected?: Record<string, unknown>[]
}

const ORACLE_MATCHES: Record<string, Case> = {
  'run-non-coroutine': {},
  'workers-heartbeat': { stopAt: 1500 },
  'gather-random-sleep': { randint: [4, 1, 2, 3, 5] },
  'wait-for-timeout': {},
  'graceful-cancel': {},
  'async-iterator': { randint: [2, 3, 3, 2] },
  'async-context-manager': {},
  'http-context-manager': { needs: ['aiohttp', 'aioresponses'] },
  // The course forgot `import time`; with it, the daemon prints a stat line every 60 s.
  'stats-daemon': { prefix: 'import time\n', stopAt: 180_500 },
  'stats-daemon-run': { prefix: 'import time\n', stopAt: 180_500 },
}

const PASSING_CORO = 'TypeError: Passing coroutines is forbidden, use tasks explicitly.'
/** The course's text as CPython 3.11 runs it, where that differs from the oracle's port (oracle README). */
const AS_WRITTEN: Record<string, Case> = {
  'stats-daemon-run': { expected: [{ t: 60_000, line: "NameError: name 'time' is not defined" }] },
  'wait-all-completed': { expected: [{ t: 0, line: PASSING_CORO }] },
  'wait-first-completed': { expected: [{ t: 0, line: PASSING_CORO }] },
  'first-exception': { expected: [{ t: 0, line: PASSING_CORO }] },
  // Prints nothing (the port's 'awaited …' lines are its own).
  awaitables: { expected: [] },
}

async function runCourse(id: string, c: Case): Promise<{ code: number | null; stdout: string; stderr: string; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), `lw-course-${id}-`))
  dirs.push(dir)
  const code = courseSources[id]?.code
  if (code === undefined) throw new Error(`no course text for ${id}`)
  await writeFile(join(dir, 'program.py'), `${c.prefix ?? ''}${code}\n`)
  const args = ['--virtual', '--json', '--no-app', ...(c.stopAt !== undefined ? ['--stop-at', String(c.stopAt)] : []), 'program.py']
  const env: Record<string, string> = c.randint ? { LOOPWATCH_PIN_RANDINT: JSON.stringify(c.randint) } : {}
  return { ...(await runAgent(DEBIAN_PYTHON, args, { cwd: dir, env })), dir }
}

const noPython = missingModules(DEBIAN_PYTHON, [])

describe.skipIf(noPython !== null)('the course programs under the agent (virtual clock) match the CPython oracle', () => {
  for (const [id, c] of Object.entries(ORACLE_MATCHES)) {
    const missing = c.needs ? missingModules(DEBIAN_PYTHON, c.needs) : null
    it.skipIf(missing !== null)(`${id}${missing ? ` — skipped: ${missing}` : ''}${c.prefix ? ' (with the import the course forgot)' : ''}`, async () => {
      const run = await runCourse(id, c)
      const verdict = await compareTrace(join(oracleDir(), 'traces', `${id}.jsonl`), run.stdout)
      expect(verdict.output + run.stderr).toMatch(/^OK /m)
      expect(verdict.ok).toBe(true)
    })
  }

  for (const [id, c] of Object.entries(AS_WRITTEN)) {
    it(`${id}, as written, fails or prints as CPython does`, async () => {
      const run = await runCourse(id, c)
      const file = join(run.dir, 'expected.jsonl')
      await writeFile(file, c.expected!.map((r) => JSON.stringify(r)).join('\n') + '\n')
      const verdict = await compareTrace(file, run.stdout)
      expect(verdict.output).toMatch(/^OK /m)
      const exit = records(run.stdout).find((r) => 'exit' in r)
      expect(exit?.exit).toBe(c.expected!.some((r) => String(r.line).includes('Error')) ? 1 : 0)
    })
  }

  it('stats-daemon, as written: the worker dies of NameError at t=60 s, CPython logs it, the loop idles on', async () => {
    const run = await runCourse('stats-daemon', { stopAt: 200_000 })
    const recs = records(run.stdout)
    expect(recs.filter((r) => 'line' in r)).toEqual([])
    const err = recs.filter((r) => 'stderr' in r)
    expect(err[0]).toMatchObject({ t: 60_000, stderr: 'Task exception was never retrieved' })
    expect(err.find((r) => String(r.stderr).startsWith('NameError'))).toMatchObject({ t: 60_000, stderr: "NameError: name 'time' is not defined" })
    expect(recs.find((r) => r.event === 'task' && r.state === 'failed')).toMatchObject({ t: 60_000, name: 'worker' })
    expect(recs.at(-1)).toMatchObject({ exit: 130, outcome: 'cancelled' })
  })

  it('awaitables: main awaits coro() for 5 s, then a task of coro for 5 s more', async () => {
    const run = await runCourse('awaitables', {})
    const tasks = records(run.stdout).filter((r) => r.event === 'task' && ['pending', 'done'].includes(String(r.state)))
    expect(tasks.map((r) => [r.t, r.name, r.state])).toEqual([
      [0, 'main', 'pending'],
      [5000, 'coro', 'pending'],
      [10_000, 'coro', 'done'],
      [10_000, 'main', 'done'],
    ])
  })

  const noFaker = missingModules(DEBIAN_PYTHON, ['faker'])
  it.skipIf(noFaker !== null)(`users-csv writes out.csv: a header and ten rows, one request every 0.5 s${noFaker ? ` — skipped: ${noFaker}` : ''}`, async () => {
    const run = await runCourse('users-csv', {})
    const recs = records(run.stdout)
    expect(recs.filter((r) => 'line' in r)).toEqual([]) // the course prints nothing
    expect(recs.filter((r) => r.event === 'task' && r.state === 'done').map((r) => r.t)).toEqual([500, 1000, 1500, 2000, 2500, 3000, 3500, 4000, 4500, 5000])
    const csv = readFileSync(join(run.dir, 'out.csv'), 'utf8').split('\r\n')
    expect(csv[0]).toBe('id,name,email')
    expect(csv.slice(1, 11).map((row) => row.split(',')[0])).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10'])
    expect(recs.at(-1)).toMatchObject({ t: 5000, exit: 0 })
  })
})
