import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { AppCore } from '../../src/main/app/app-core'
import { createHandlers, dispatch } from '../../src/main/ipc/index'
import { tempDataDir } from './helpers'

describe('exports in the Electron host', () => {
  it('run:export answers a small run inline; exportRunToFile streams any run where the save dialog chose', async () => {
    const core = new AppCore({ dataDir: tempDataDir(), host: 'electron' })
    const handlers = createHandlers(core)
    try {
      const runId = core.history.startRun({ scenario: 'small', clock: 'virtual' })
      core.history.log(runId, { t: 1, line: 'hello', taskId: null, taskName: null, stream: 'stdout' })
      core.history.endRun(runId, { outcome: 'done' })
      const csv = await core.history.exportRun(runId, 'csv')

      expect(await dispatch(handlers, 'run:export', { runId, format: 'csv' })).toEqual({
        ok: true,
        value: { kind: 'inline', filename: `loopwatch-run-${runId}.csv`, mime: 'text/csv; charset=utf-8', content: csv },
      })
      const path = join(tempDataDir(), 'chosen.csv')
      const saved = await core.exportRunToFile(runId, 'csv', path)
      expect(saved).toEqual({ kind: 'saved', filename: `loopwatch-run-${runId}.csv`, mime: 'text/csv; charset=utf-8', path, bytes: Buffer.byteLength(csv) })
      expect(await readFile(path, 'utf8')).toBe(csv)
      await expect(core.exportRunToFile(runId + 1, 'csv', path)).rejects.toMatchObject({ code: 'run-not-found' })
      expect(await dispatch(handlers, 'run:export', { runId: runId + 1, format: 'csv' })).toMatchObject({ ok: false, error: { code: 'not_found' } })
      // What the Electron host wires to its save dialog: a chosen path, a closed dialog, an unknown run.
      const chosen = join(tempDataDir(), 'dialog.csv')
      expect(await core.exportRunToChosenFile(runId, 'csv', async (name) => (name === `loopwatch-run-${runId}.csv` ? chosen : null)))
        .toMatchObject({ kind: 'saved', path: chosen, bytes: Buffer.byteLength(csv) })
      expect(await readFile(chosen, 'utf8')).toBe(csv)
      expect(await core.exportRunToChosenFile(runId, 'json', async () => null)).toEqual({ kind: 'cancelled', filename: `loopwatch-run-${runId}.json`, mime: 'application/json; charset=utf-8' })
      let asked = false
      await expect(core.exportRunToChosenFile(runId + 1, 'csv', async () => ((asked = true), chosen))).rejects.toMatchObject({ code: 'not_found' })
      expect(asked).toBe(false)
    } finally {
      await core.close(500)
    }
  })
})
