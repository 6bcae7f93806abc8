// The Python agent's own unittest suite (agents/python/tests), one Vitest case per module, on
// Debian's CPython; the modules that exercise CPython internals also on pyenv's 3.12 / 3.13 when
// present. A non-zero exit of unittest fails the case, with its output.
import { execFile } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { basename, join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { AGENT_PATH, DEBIAN_PYTHON, extraPythons, missingModules } from './python-helper'

const modules = readdirSync(join(AGENT_PATH, 'tests'))
  .filter((f) => /^test_.*\.py$/.test(f))
  .map((f) => `tests.${basename(f, '.py')}`)
/** What reads CPython's private state (internals.py) or depends on its scheduling: every version. */
const ACROSS_VERSIONS = ['tests.test_internals', 'tests.test_virtual_clock', 'tests.test_tracker', 'tests.test_commands']

async function unittest(python: string, module: string): Promise<{ code: number; output: string }> {
  try {
    const { stderr } = await promisify(execFile)(python, ['-m', 'unittest', '-v', module], { cwd: AGENT_PATH, timeout: 120_000, env: { ...process.env, LOOPWATCH_APP: '' } })
    return { code: 0, output: stderr }
  } catch (error) {
    const e = error as { code?: number; stderr?: string; stdout?: string }
    return { code: typeof e.code === 'number' ? e.code : -1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` }
  }
}

describe.skipIf(missingModules(DEBIAN_PYTHON, []) !== null)('agents/python/tests (unittest)', () => {
  it('finds the test modules', () => {
    expect(modules).toEqual(expect.arrayContaining([...ACROSS_VERSIONS, 'tests.test_unchanged']))
  })
  const runs = [
    ...modules.map((m) => [DEBIAN_PYTHON, m] as const),
    ...extraPythons().flatMap((py) => ACROSS_VERSIONS.map((m) => [py, m] as const)),
  ]
  for (const [python, module] of runs) {
    it(`${module} on ${python}`, { timeout: 150_000 }, async () => {
      const r = await unittest(python, module)
      expect(r.output).toMatch(/\nOK\b/)
      expect(r.code, r.output).toBe(0)
    })
  }
})
