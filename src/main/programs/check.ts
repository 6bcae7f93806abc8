// Compiles an editor program without running it (esbuild's transform, as tsx compiles it in the
// child): its syntax errors as diagnostics at their lines, shown in the editor before a run starts.
import type { Message } from 'esbuild'
import { PROGRAM_LIMITS } from '../../shared/program-contract'
import type { ProgramDiagnostic } from '../../shared/program-contract'

// Imported at run time by a name the bundler cannot follow: bundled into Electron's main, esbuild's
// JS API would look for its native binary beside the bundle instead of in node_modules.
const ESBUILD = 'esbuild'
let esbuild: Promise<typeof import('esbuild')> | null = null
const loadEsbuild = () => (esbuild ??= import(/* @vite-ignore */ ESBUILD) as Promise<typeof import('esbuild')>)

/** The name compile messages give the file (the child compiles the same text under its temp name). */
export const PROGRAM_FILE = 'program.ts'

/**
 * The program's compile problems, 1-based line and column (empty: it compiles). esbuild does not
 * type-check: what it finds is what would stop `loopwatch run` from starting the program.
 *
 * @example await checkProgram('const x: = 1') // [{ line: 1, col: 10, message: 'Unexpected "="', severity: 'error', … }]
 */
export async function checkProgram(source: string): Promise<ProgramDiagnostic[]> {
  try {
    const { transform } = await loadEsbuild()
    const r = await transform(source, { loader: 'ts', format: 'esm', sourcefile: PROGRAM_FILE, target: 'es2022', logLevel: 'silent' })
    return r.warnings.slice(0, PROGRAM_LIMITS.maxDiagnostics).map((m) => diagnostic(m, 'warning'))
  } catch (error) {
    const errors = (error as { errors?: Message[] }).errors
    if (!Array.isArray(errors)) throw error
    return errors.slice(0, PROGRAM_LIMITS.maxDiagnostics).map((m) => diagnostic(m, 'error'))
  }
}

function diagnostic(m: Message, severity: ProgramDiagnostic['severity']): ProgramDiagnostic {
  const loc = m.location
  if (!loc) return { line: 1, col: 1, message: m.text, severity }
  // esbuild counts columns in UTF-8 bytes; the editor counts UTF-16 units.
  const col = Buffer.from(loc.lineText, 'utf8').subarray(0, loc.column).toString('utf8').length + 1
  const endCol = Buffer.from(loc.lineText, 'utf8').subarray(0, loc.column + Math.max(loc.length, 0)).toString('utf8').length + 1
  return { line: loc.line, col, endLine: loc.line, endCol: Math.max(endCol, col), message: m.text, severity }
}
