// The program text an editor run was started from, keyed to its history run (table run_programs,
// migration 4): written once when the run's source connects, read back to reopen it in the editor.
import * as v from 'valibot'
import { PROGRAM_LIMITS, programClockSchema, utf8Bytes } from '../../shared/program-contract'
import type { ProgramClock, StoredProgram } from '../../shared/program-contract'
import type { Database } from './sqlite'
import { InvalidHistoryInputError } from './errors'

/**
 * Stores `program` with run `runId` (replacing any). Refuses text over PROGRAM_LIMITS.maxSourceBytes
 * with InvalidHistoryInputError, storing nothing; an unknown run fails its foreign key.
 *
 * @example saveProgramText(history.db, 12, { name: 'three tasks', clock: 'virtual', source })
 */
export function saveProgramText(db: Database, runId: number, program: { name: string; clock: ProgramClock; source: string }): void {
  if (utf8Bytes(program.source) > PROGRAM_LIMITS.maxSourceBytes) throw new InvalidHistoryInputError('program', [{ path: 'source', message: `at most ${PROGRAM_LIMITS.maxSourceBytes} bytes` }])
  const name = program.name.slice(0, PROGRAM_LIMITS.maxNameChars)
  db.prepare('INSERT OR REPLACE INTO run_programs (run_id, name, clock, source) VALUES (?, ?, ?, ?)').run(runId, name, JSON.stringify(program.clock), program.source)
}

/** The program stored with run `runId`, or null when it was not started from the editor. */
export function programTextOf(db: Database, runId: number): StoredProgram | null {
  const row = (db.prepare('SELECT name, clock, source FROM run_programs WHERE run_id = ?').all(runId) as { name: string; clock: string; source: string }[])[0]
  if (!row) return null
  const clock = v.safeParse(programClockSchema, JSON.parse(row.clock) as unknown)
  return { runId, name: row.name, clock: clock.success ? clock.output : 'virtual', source: row.source }
}
