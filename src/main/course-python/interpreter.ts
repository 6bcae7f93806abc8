// Which CPython the app runs the course's Python with — the same choice as `loopwatch run prog.py`
// (findPython) — and whether it can: it must start, be ≥ 3.11 (the agent's floor), and find the
// modules the course imports. One probe process answers all of that at once.
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { findPython } from '../cli/run-command'

/** Where findPython looks, in its order (for a message that says what was looked for). */
export const PYTHON_LOOKED_FOR = 'LOOPWATCH_PYTHON, /usr/bin/python3, python3 on PATH'

export interface LocatedPython {
  path: string | null
  /** `LOOPWATCH_PYTHON`, `/usr/bin/python3` or `python3 on PATH` (null: none found). */
  from: string | null
}

/** findPython's answer, and which of its places it came from. */
export function locatePython(env: NodeJS.ProcessEnv = process.env, exists: (path: string) => boolean = existsSync): LocatedPython {
  const path = findPython(env, exists)
  if (path === null) return { path: null, from: null }
  const from = env.LOOPWATCH_PYTHON ? 'LOOPWATCH_PYTHON' : path === '/usr/bin/python3' ? '/usr/bin/python3' : 'python3 on PATH'
  return { path, from }
}

/** What the probe learnt: the version, and which of the asked modules it cannot find. */
export type ProbeResult = { ok: true; version: string; missing: string[] } | { ok: false; problem: string }

/** The minimum the Python agent supports. */
export const MIN_PYTHON = [3, 11] as const

// find_spec locates a module without running it (importing aiohttp costs ~0.5 s; this costs ~30 ms).
const PROBE = `
import importlib.util, json, sys
missing = []
for name in sys.argv[1:]:
    try:
        found = importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        found = False
    if not found:
        missing.append(name)
print(json.dumps({"version": list(sys.version_info[:3]), "missing": missing}))
`
const PROBE_TIMEOUT_MS = 15_000

/**
 * Starts `python` once and asks it for its version and which of `modules` it cannot find. Never
 * rejects: an interpreter that does not start, times out or answers nonsense is a `problem`.
 */
export function probePython(python: string, modules: readonly string[]): Promise<ProbeResult> {
  return new Promise((done) => {
    execFile(python, ['-c', PROBE, ...modules], { timeout: PROBE_TIMEOUT_MS, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) {
        const code = (error as { code?: unknown }).code
        const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'not executable' : error.killed ? `no answer within ${PROBE_TIMEOUT_MS / 1000} s` : (stderr.trim().split('\n').at(-1) ?? error.message).slice(0, 200)
        return done({ ok: false, problem: `${python} could not be started (${why})` })
      }
      try {
        const answer = JSON.parse(stdout) as { version: number[]; missing: string[] }
        return done({ ok: true, version: answer.version.join('.'), missing: answer.missing })
      } catch {
        return done({ ok: false, problem: `${python} did not answer like CPython: ${stdout.slice(0, 100)}` })
      }
    })
  })
}
