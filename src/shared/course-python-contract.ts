// Running the course's own Python (its text verbatim, under CPython with the Python agent) from the
// window: the payload schemas and result types of the coursePython:* channels. contract.ts registers
// them; the main side is src/main/course-python/, the window's state is state/course-python.svelte.ts.
import * as v from 'valibot'
import { programClockSchema } from './program-contract'
import type { ProgramRunInfo } from './program-contract'

/** A course program's id as the scenarios name them (the list itself is checked on the main side). */
const courseId = v.pipe(v.string(), v.maxLength(100), v.regex(/^[a-z0-9][a-z0-9-]*$/, 'a course program id is lowercase letters, digits and dashes'))

/** Start the course's Python `id`; the clock is the launcher's (virtual, real = speed 1, N× real). */
export const coursePythonRunSchema = v.strictObject({ id: courseId, clock: v.optional(programClockSchema) })

/** The third-party modules the course imports, each with the Debian package that provides it. */
export const COURSE_MODULE_PACKAGES = {
  faker: 'python3-fake-factory',
  aiohttp: 'python3-aiohttp',
  aioresponses: 'python3-aioresponses',
} as const

/** The interpreter the app would run the course's Python with, and whether it can. */
export interface CoursePythonInterpreter {
  /** Its path (null: none was found). */
  path: string | null
  /** Where it came from: `LOOPWATCH_PYTHON`, `/usr/bin/python3` or `python3 on PATH`. */
  from: string | null
  /** `3.11.2`, once it answered. */
  version: string | null
  /** Why it cannot run the course's Python (null: it can). Names what was looked for. */
  problem: string | null
}

/** Whether one course program can run under that interpreter, and why not. */
export interface CoursePythonProgram {
  id: string
  /** Modules it imports that the interpreter cannot find (`faker`, `aiohttp`, …). */
  missing: string[]
  /** Null: it can run. Else one sentence for the button (no Python, or which modules to install). */
  reason: string | null
  /** An endless program: on the virtual clock its Python run is stopped at this loop time (ms). */
  virtualStopAtMs: number | null
}

/** coursePython:status — computed once when the app starts. */
export interface CoursePythonStatus {
  python: CoursePythonInterpreter
  programs: CoursePythonProgram[]
}

/** One run of the course's Python: an app child like the editor's programs, and which program it is. */
export interface CoursePythonRun extends ProgramRunInfo {
  scenarioId: string
}
