// Per course program: can its own Python run here? Computed once from one probe of the interpreter
// (interpreter.ts) and the modules each program's text imports.
import type { CoursePythonProgram, CoursePythonStatus } from '../../shared/course-python-contract'
import { COURSE_MODULE_PACKAGES } from '../../shared/course-python-contract'
import { MIN_PYTHON, PYTHON_LOOKED_FOR } from './interpreter'
import type { LocatedPython, ProbeResult } from './interpreter'

/**
 * The top-level modules a program imports (`import a.b, c` → a, c; `from x.y import z` → x), in
 * order of first use. Relative imports are the program's own and left out.
 */
export function importedModules(code: string): string[] {
  const found = new Set<string>()
  for (const line of code.split('\n')) {
    const from = /^\s*from\s+([A-Za-z_]\w*)[\w.]*\s+import\b/.exec(line)
    if (from) found.add(from[1]!)
    const imp = /^\s*import\s+([\w.]+(?:\s+as\s+\w+)?(?:\s*,\s*[\w.]+(?:\s+as\s+\w+)?)*)/.exec(line)
    if (imp) for (const part of imp[1]!.split(',')) found.add(part.trim().split(/[.\s]/)[0]!)
  }
  return [...found]
}

/** "faker (python3-fake-factory)" for a module the course names a Debian package for. */
function withPackage(module: string): string {
  const pkg = (COURSE_MODULE_PACKAGES as Record<string, string>)[module]
  return pkg ? `${module} (apt: ${pkg})` : module
}

/**
 * The status the window shows: the interpreter's problem (no Python, too old) disables every
 * program; else each program lists the modules it imports that the interpreter cannot find.
 */
export function courseStatus(
  located: LocatedPython,
  probe: ProbeResult | null,
  programs: readonly { id: string; code: string }[],
  virtualStopAtMs: Readonly<Record<string, number>> = {},
): CoursePythonStatus {
  let problem: string | null = null
  let version: string | null = null
  if (located.path === null) problem = `No Python found (looked for ${PYTHON_LOOKED_FOR}): install python3 or set LOOPWATCH_PYTHON`
  else if (!probe?.ok) problem = `No Python to run it: ${probe?.problem ?? `${located.path} was not asked`} — found through ${located.from} (looked for ${PYTHON_LOOKED_FOR})`
  else {
    version = probe.version
    const [major, minor] = probe.version.split('.').map(Number)
    if (major! < MIN_PYTHON[0] || (major === MIN_PYTHON[0] && minor! < MIN_PYTHON[1])) {
      problem = `${located.path} is Python ${probe.version}; the agent needs ${MIN_PYTHON.join('.')} or later (set LOOPWATCH_PYTHON)`
    }
  }
  const missingAll = new Set(probe?.ok ? probe.missing : [])
  const list: CoursePythonProgram[] = programs.map(({ id, code }) => {
    const stopAt = virtualStopAtMs[id] ?? null
    if (problem !== null) return { id, missing: [], reason: problem, virtualStopAtMs: stopAt }
    const missing = importedModules(code).filter((m) => missingAll.has(m))
    const reason = missing.length === 0 ? null : `${located.path} cannot import ${missing.map(withPackage).join(', ')}`
    return { id, missing, reason, virtualStopAtMs: stopAt }
  })
  return { python: { path: located.path, from: located.from, version, problem }, programs: list }
}
