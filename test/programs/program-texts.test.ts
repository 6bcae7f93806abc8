// The program text stored with its history run (migration 4): bounded, read back, deleted with its run.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { InvalidHistoryInputError, openHistory, programTextOf, saveProgramText } from '../../src/main/history/index'
import { PROGRAM_LIMITS } from '../../src/shared/program-contract'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})
function history() {
  const dir = mkdtempSync(join(tmpdir(), 'lw-programs-'))
  dirs.push(dir)
  return openHistory(dir)
}

describe('program text with its history run', () => {
  it('stores and reads back the text, refuses more than 256 KiB, and goes when its run is deleted', () => {
    const h = history()
    const runId = h.startRun({ scenario: 'agent:mine', params: {}, clock: { speed: 1 } })
    expect(programTextOf(h.db, runId)).toBeNull()
    saveProgramText(h.db, runId, { name: 'mine', clock: { speed: 10 }, source: 'await run(main)\n' })
    expect(programTextOf(h.db, runId)).toEqual({ runId, name: 'mine', clock: { speed: 10 }, source: 'await run(main)\n' })
    expect(() => saveProgramText(h.db, runId, { name: 'big', clock: 'virtual', source: '€'.repeat(PROGRAM_LIMITS.maxSourceBytes / 3 + 1) })).toThrow(InvalidHistoryInputError)
    expect(programTextOf(h.db, runId)!.name).toBe('mine') // nothing changed
    expect(() => saveProgramText(h.db, 9999, { name: 'x', clock: 'virtual', source: '' })).toThrow(/FOREIGN KEY/)
    h.endRun(runId, { outcome: 'done' })
    h.db.prepare('DELETE FROM runs WHERE id = ?').run(runId)
    expect(programTextOf(h.db, runId)).toBeNull()
    h.close()
  })
})
