// The main side's compile problems (1-based line/col) as CodeMirror lint diagnostics (offsets).
// No DOM here, so the unit tests (Node) import it.
import type { Diagnostic } from '@codemirror/lint'
import type { Text } from '@codemirror/state'
import type { ProgramDiagnostic } from '../../../../shared/program-contract'

/** A diagnostic's 1-based line/col as document offsets (clamped: the text may have moved on). */
export function toCodeMirror(doc: Text, d: ProgramDiagnostic): Diagnostic {
  const line = doc.line(Math.min(Math.max(d.line, 1), doc.lines))
  const from = line.from + Math.min(Math.max(d.col - 1, 0), line.length)
  let to = from
  if (d.endLine !== undefined && d.endCol !== undefined) {
    const end = doc.line(Math.min(Math.max(d.endLine, 1), doc.lines))
    to = Math.max(from, end.from + Math.min(Math.max(d.endCol - 1, 0), end.length))
  }
  // A point error still gets one character underlined, where there is one.
  if (to === from && from < line.to) to = from + 1
  return { from, to, severity: d.severity, message: d.message, source: 'esbuild' }
}

