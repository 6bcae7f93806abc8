// The editor's channels (write and run a program from the window): their payload schemas, limits
// and result types, in one place. contract.ts registers them; the main side (src/main/programs/)
// and the window (state/editor.svelte.ts) both read the bounds from here.
import * as v from 'valibot'
import type { RunId, ShutdownReport, SourceId } from './snapshots'

export const PROGRAM_LIMITS = {
  /** A program's text, in UTF-8 bytes (also what the history stores with its run). */
  maxSourceBytes: 256 * 1024,
  /** A program's display name (the source's name in the window, `agent:<name>` in the history). */
  maxNameChars: 80,
  /** Editor programs running at once; one more is refused with `busy`. */
  maxRunning: 8,
  /** Diagnostics returned by one check (esbuild stops early anyway). */
  maxDiagnostics: 50,
  /** Lines of a child's stderr kept for the window (the end of it), and their length. */
  stderrLines: 40,
  stderrLineChars: 500,
} as const

/** UTF-8 size of a string without allocating a buffer (the renderer has no Buffer). */
export function utf8Bytes(s: string): number {
  let n = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x80) n += 1
    else if (c < 0x800) n += 2
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      n += 4
      i++
    } else n += 3
  }
  return n
}

const sourceText = v.pipe(
  v.string(),
  // The character count first: it is free, and bounds the byte count's loop.
  v.maxLength(PROGRAM_LIMITS.maxSourceBytes, `a program is at most ${PROGRAM_LIMITS.maxSourceBytes / 1024} KiB`),
  v.check((s) => utf8Bytes(s) <= PROGRAM_LIMITS.maxSourceBytes, `a program is at most ${PROGRAM_LIMITS.maxSourceBytes / 1024} KiB of UTF-8`),
)
/** A name shown in the window and the history: printable, no path separators. */
const programName = v.pipe(
  v.string(),
  v.minLength(1, 'a name is not empty'),
  v.maxLength(PROGRAM_LIMITS.maxNameChars),
  v.regex(/^[\w .,:+()@-]+$/, 'a name is letters, digits, spaces and . , : + ( ) @ - _'),
)
/** A course program's id as the scenarios name them (the list itself is checked on the main side). */
const scenarioId = v.pipe(v.string(), v.maxLength(100), v.regex(/^[a-z0-9][a-z0-9-]*$/, 'a scenario id is lowercase letters, digits and dashes'))
const runKey = v.pipe(v.number(), v.safeInteger(), v.minValue(1))

/** virtual, real (speed 1) or N× real time: the same choice as the launcher's. */
export const programClockSchema = v.union([
  v.literal('virtual'),
  v.strictObject({ speed: v.pipe(v.number(), v.finite(), v.minValue(0.01), v.maxValue(10_000)) }),
])
export type ProgramClock = v.InferOutput<typeof programClockSchema>

export const programTemplateSchema = v.strictObject({ scenarioId: v.nullable(scenarioId) })
export const programCheckSchema = v.strictObject({ source: sourceText })
export const programRunSchema = v.strictObject({ source: sourceText, clock: programClockSchema, name: v.optional(programName) })
export const programStopSchema = v.strictObject({
  runKey,
  graceMs: v.optional(v.pipe(v.number(), v.finite(), v.minValue(0), v.maxValue(60_000))),
})
export const programOfRunSchema = v.strictObject({ runId: v.pipe(v.number(), v.safeInteger(), v.minValue(1)) })

/** One compile problem, 1-based lines and columns (as editors count), end exclusive. */
export interface ProgramDiagnostic {
  line: number
  col: number
  endLine?: number
  endCol?: number
  message: string
  severity: 'error' | 'warning'
}

/** What the editor opens with. */
export interface ProgramTemplate {
  /** The file it came from, relative to the repository (`programs/course/gather.ts`). */
  origin: string
  name: string
  source: string
}

/** Where an editor program is: its child process's life, as the window shows it. */
export const PROGRAM_RUN_STATES = ['starting', 'running', 'stopping', 'exited', 'killed'] as const
export type ProgramRunState = (typeof PROGRAM_RUN_STATES)[number]

/** One editor program run: its child process, the source it became, and how it ended. */
export interface ProgramRunInfo {
  /** The app's own number for it (program:stop takes it). */
  runKey: number
  name: string
  clock: ProgramClock
  pid: number | null
  state: ProgramRunState
  /** The connected process it became (null until its agent said hello). */
  sourceId: SourceId | null
  /** Its history run (null until its source connected and was recorded). */
  runId: RunId | null
  startedWall: number
  /** Once it ended: its exit code or signal. */
  exit: { code: number | null; signal: string | null } | null
  /** How a stop ended it: gracefully within its grace, or killed (SIGKILL) because it did not answer. */
  stoppedHow: 'graceful' | 'killed' | null
  /** The end of its stderr (the runner's own messages: did not compile, threw, never called run). */
  stderr: string[]
}

/** A program stored with a history run, to reopen in the editor. */
export interface StoredProgram {
  runId: RunId
  name: string
  clock: ProgramClock
  source: string
}

/** The editor's stop: the runtime's report of the graceful part, and what the app did. */
export interface ProgramStopReport extends ShutdownReport {
  how: 'graceful' | 'killed' | 'already-ended'
}
