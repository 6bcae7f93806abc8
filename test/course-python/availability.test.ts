// Whether each course program's own Python can run here: the interpreter findPython picks (or its
// absence, named with where it was looked for), its version, and the modules each text imports —
// asked of the interpreter once, at start.
import { describe, expect, it } from 'vitest'
import { courseSources } from '../../src/main/scenarios/sources.generated'
import { importedModules } from '../../src/main/course-python/availability'
import { CoursePython } from '../../src/main/course-python/course-python'
import type { ProbeResult } from '../../src/main/course-python/interpreter'

const programs = Object.entries(courseSources).map(([id, s]) => ({ id, code: s.code }))
const noHub = { hubUrl: async () => null, sources: { stop: async () => ({ graceMs: 0, elapsedMs: 0, finished: [], forced: [], cleanupErrors: [] }) } }

function course(opts: { env: NodeJS.ProcessEnv; exists?: (p: string) => boolean; probe?: (python: string, modules: readonly string[]) => Promise<ProbeResult> }) {
  return new CoursePython({ ...noHub, programs, onChange: () => {}, ...opts })
}

describe('importedModules', () => {
  it('names the top-level modules of import and from-import lines, once each, in order', () => {
    expect(importedModules('import asyncio\nimport a.b as c, d\nfrom faker import Faker # x\n  from x.y import z\nfrom . import own\nprint("import no")')).toEqual(['asyncio', 'a', 'd', 'faker', 'x'])
    expect(importedModules(courseSources['http-context-manager']!.code)).toEqual(['asyncio', 'aiohttp', 'aioresponses'])
    expect(importedModules(courseSources['users-csv']!.code)).toEqual(['asyncio', 'csv', 'faker'])
  })
})

describe('coursePython status', () => {
  it('without any Python: every program says so, naming where it looked; no process is started', async () => {
    let probes = 0
    const py = course({ env: { PATH: '/nowhere:/also-not' }, exists: () => false, probe: async () => (probes++, { ok: true, version: '3.11.2', missing: [] }) })
    const s = await py.status()
    expect(s.python).toEqual({ path: null, from: null, version: null, problem: expect.stringContaining('looked for LOOPWATCH_PYTHON, /usr/bin/python3, python3 on PATH') })
    expect(s.programs.map((p) => p.id)).toEqual(Object.keys(courseSources))
    for (const p of s.programs) expect(p.reason).toBe(s.python.problem)
    expect(probes).toBe(0)
  })

  it('LOOPWATCH_PYTHON=/nonexistent: the real probe cannot start it, and the reason names it and where it came from', async () => {
    const s = await course({ env: { LOOPWATCH_PYTHON: '/nonexistent', PATH: process.env.PATH } }).status()
    expect(s.python.path).toBe('/nonexistent')
    expect(s.python.from).toBe('LOOPWATCH_PYTHON')
    expect(s.python.problem).toMatch(/^No Python to run it: \/nonexistent could not be started \(no such file\) — found through LOOPWATCH_PYTHON/)
    expect(s.programs.every((p) => p.reason === s.python.problem)).toBe(true)
  })

  it('modules the interpreter cannot find disable just the programs that import them, naming the apt package', async () => {
    const asked: string[][] = []
    const py = course({ env: { PATH: '' }, exists: (p) => p === '/usr/bin/python3', probe: async (_python, modules) => (asked.push([...modules]), { ok: true, version: '3.11.2', missing: ['faker', 'aioresponses'] }) })
    const s = await py.status()
    expect(s.python).toEqual({ path: '/usr/bin/python3', from: '/usr/bin/python3', version: '3.11.2', problem: null })
    const byId = new Map(s.programs.map((p) => [p.id, p]))
    expect(byId.get('users-csv')).toEqual({ id: 'users-csv', missing: ['faker'], reason: '/usr/bin/python3 cannot import faker (apt: python3-fake-factory)', virtualStopAtMs: null })
    expect(byId.get('http-context-manager')).toEqual({ id: 'http-context-manager', missing: ['aioresponses'], reason: '/usr/bin/python3 cannot import aioresponses (apt: python3-aioresponses)', virtualStopAtMs: null })
    // The endless ones say where a virtual run of them ends.
    expect(byId.get('workers-heartbeat')).toMatchObject({ reason: null, virtualStopAtMs: 1500 })
    expect(s.programs.filter((p) => p.reason !== null).map((p) => p.id)).toEqual(['users-csv', 'http-context-manager'])
    // Asked once, at construction, for every module any program imports; later calls read the answer.
    await py.status()
    await py.status()
    expect(asked).toHaveLength(1)
    expect(asked[0]).toEqual(expect.arrayContaining(['asyncio', 'faker', 'aiohttp', 'aioresponses', 'random', 'typing']))
  })

  it('a Python older than 3.11 is refused with its version', async () => {
    const s = await course({ env: { LOOPWATCH_PYTHON: '/opt/py310' }, probe: async () => ({ ok: true, version: '3.10.13', missing: [] }) }).status()
    expect(s.python.problem).toBe('/opt/py310 is Python 3.10.13; the agent needs 3.11 or later (set LOOPWATCH_PYTHON)')
    expect(s.programs.every((p) => p.reason === s.python.problem)).toBe(true)
  })

  it('a run is refused with the status reason, changing nothing', async () => {
    const py = course({ env: { LOOPWATCH_PYTHON: '/opt/none' }, probe: async () => ({ ok: false, problem: '/opt/none could not be started (no such file)' }) })
    await expect(py.run('graceful-cancel')).rejects.toMatchObject({ code: 'invalid_state', message: expect.stringContaining('/opt/none could not be started') })
    await expect(py.run('no-such-program')).rejects.toMatchObject({ code: 'not_found' })
    expect(py.list()).toEqual([])
  })
})
