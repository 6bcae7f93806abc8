import { join } from 'node:path'
import Libsql from 'libsql'
import { describe, expect, it } from 'vitest'
import { AppCore } from '../../src/main/app/app-core'
import { createHandlers, dispatch } from '../../src/main/ipc/index'
import { DB_FILE, InvalidHistoryInputError, migrate, migrations } from '../../src/main/history'
import type { History } from '../../src/main/history'
import { fileBytes } from '../../src/main/history/retention'
import { RETENTION_DEFAULTS } from '../../src/shared/history-contract'
import { closeNow, open, rows, tempDataDir } from './helpers'

const wide = 'x'.repeat(1000)

/** An ended run with `lines` log lines of 1 KB. */
function runWithLogs(h: History, lines: number, outcome: 'done' | null = 'done'): number {
  const runId = h.startRun({ scenario: 'bulky', clock: 'virtual' })
  for (let i = 0; i < lines; i++) h.log(runId, { t: i, line: `${i} ${wide}`, taskId: null, taskName: null, stream: 'stdout' })
  if (outcome) h.endRun(runId, { outcome })
  else h.flush()
  return runId
}

const ids = (h: History) => rows<{ id: number }>(h, 'SELECT id FROM runs ORDER BY id').map((r) => r.id)

describe('history retention', () => {
  it('the database file shrinks back under its size bound; the newest runs and a live run stay', () => {
    const h = open()
    const ended = Array.from({ length: 12 }, () => runWithLogs(h, 500))
    const live = runWithLogs(h, 200, null)
    const before = fileBytes(h.file)
    expect(before).toBeGreaterThan(6_000_000)

    const report = h.applyRetention({ ...RETENTION_DEFAULTS, maxMegabytes: 2 })

    const after = fileBytes(h.file)
    expect(after).toBeLessThanOrEqual(2_000_000)
    expect(report).toMatchObject({ bytesBefore: before, bytesAfter: after })
    expect(report.deletedRuns).toBeGreaterThan(0)
    // Oldest first: what is left is the newest ended runs, then the live one.
    const left = ids(h)
    expect(left).toEqual([...ended.slice(ended.length - (left.length - 1)), live])
    expect(rows(h, 'SELECT count(*) AS n FROM logs WHERE run_id NOT IN (SELECT id FROM runs)')).toEqual([{ n: 0 }])
    expect(rows(h, 'PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }])
  })

  it('deletes ended runs past the age and beyond the run count, never one still running', () => {
    const h = open()
    const [old, a, b, c] = [0, 1, 2, 3].map(() => runWithLogs(h, 1))
    const oldLive = runWithLogs(h, 1, null)
    const day = 86_400_000
    h.db.prepare('UPDATE runs SET started_at = ? WHERE id IN (?, ?)').run(Date.now() - 40 * day, old, oldLive)

    expect(h.applyRetention({ ...RETENTION_DEFAULTS, maxAgeDays: 30 }).deletedRuns).toBe(1)
    expect(ids(h)).toEqual([a, b, c, oldLive])
    expect(h.applyRetention({ ...RETENTION_DEFAULTS, maxRuns: 2 }).deletedRuns).toBe(2)
    expect(ids(h)).toEqual([c, oldLive])
    expect(h.applyRetention({ ...RETENTION_DEFAULTS, maxRuns: 1, maxAgeDays: 1 }).deletedRuns).toBe(1)
    expect(ids(h)).toEqual([oldLive])
  })

  it('deletes done jobs (with their orders) past the age, never a pending one', () => {
    const h = open()
    const now = Date.now()
    const job = h.db.prepare("INSERT INTO jobs (kind, payload, status, accepted_at, done_at) VALUES ('order', '{}', ?, ?, ?)")
    const oldDone = Number(job.run('done', now - 50 * 86_400_000, now - 50 * 86_400_000).lastInsertRowid)
    const oldPending = Number(job.run('pending', now - 50 * 86_400_000, null).lastInsertRowid)
    const fresh = Number(job.run('done', now, now).lastInsertRowid)
    h.db.prepare("INSERT INTO orders (job_id, customer, email, item_count, total_cents, created_at) VALUES (?, 'a', 'a@b', 0, 0, 0)").run(oldDone)

    expect(h.applyRetention(RETENTION_DEFAULTS).deletedJobs).toBe(1)
    expect(rows(h, 'SELECT id FROM jobs ORDER BY id')).toEqual([{ id: oldPending }, { id: fresh }])
    expect(rows(h, 'SELECT count(*) AS n FROM orders')).toEqual([{ n: 0 }])
  })

  it('a database made before incremental vacuum is switched on open, and keeps its rows', () => {
    const dir = tempDataDir()
    const raw = new Libsql(join(dir, DB_FILE))
    raw.pragma('journal_mode = WAL')
    migrate(raw, migrations.slice(0, 2))
    raw.prepare("INSERT INTO runs (scenario, params, clock, started_at, outcome) VALUES ('old', '{}', '\"virtual\"', 1, 'done')").run()
    expect(raw.pragma('auto_vacuum')).toEqual([{ auto_vacuum: 0 }])
    raw.close()

    const h = open(dir)
    expect(rows(h, 'PRAGMA auto_vacuum')).toEqual([{ auto_vacuum: 2 }])
    expect(h.listRuns()).toMatchObject([{ scenario: 'old', logsOmitted: 0, logsGapAt: null }])
  })

  it('the policy is saved, bounded, and survives a reopen; a bad one is refused and changes nothing', () => {
    const dir = tempDataDir()
    const h = open(dir)
    expect(h.retention().policy).toEqual({ maxAgeDays: 30, maxRuns: 1000, maxMegabytes: 500 })
    h.setRetention({ maxAgeDays: 7, maxRuns: 50, maxMegabytes: 100 })
    for (const bad of [{ maxRuns: 0 }, { maxAgeDays: 3651 }, { maxMegabytes: 1.5 }, { maxRuns: Number.NaN }]) {
      expect(() => h.setRetention({ maxAgeDays: 7, maxRuns: 50, maxMegabytes: 100, ...bad })).toThrow(InvalidHistoryInputError)
    }
    closeNow(h)
    expect(open(dir).retention().policy).toEqual({ maxAgeDays: 7, maxRuns: 50, maxMegabytes: 100 })
  })

  it('the app applies the saved policy at start, and retention:get / retention:set go through the contract', async () => {
    const dir = tempDataDir()
    const h = open(dir)
    const kept = [runWithLogs(h, 1), runWithLogs(h, 1), runWithLogs(h, 1)].at(-1)!
    h.setRetention({ ...RETENTION_DEFAULTS, maxRuns: 5 })
    h.db.prepare("INSERT INTO settings (key, value) VALUES ('retention', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
      .run(JSON.stringify({ ...RETENTION_DEFAULTS, maxRuns: 1 }))
    closeNow(h)

    const core = new AppCore({ dataDir: dir, host: 'web' })
    const handlers = createHandlers(core)
    try {
      expect(core.history.listRuns().map((r) => r.runId)).toEqual([kept])
      const got = await dispatch(handlers, 'retention:get', undefined)
      expect(got).toMatchObject({ ok: true, value: { policy: { maxRuns: 1 }, defaults: RETENTION_DEFAULTS, runCount: 1 } })
      const set = await dispatch(handlers, 'retention:set', { maxAgeDays: 10, maxRuns: 20, maxMegabytes: 30 })
      expect(set).toMatchObject({ ok: true, value: { policy: { maxAgeDays: 10, maxRuns: 20, maxMegabytes: 30 } } })
      for (const bad of [{ maxAgeDays: 0, maxRuns: 20, maxMegabytes: 30 }, { maxAgeDays: 10, maxRuns: 20 }, { maxAgeDays: 10, maxRuns: 20, maxMegabytes: 30, x: 1 }]) {
        expect(await dispatch(handlers, 'retention:set', bad, () => {})).toMatchObject({ ok: false, error: { code: 'bad_request' } })
      }
      expect(core.history.retention().policy).toEqual({ maxAgeDays: 10, maxRuns: 20, maxMegabytes: 30 })
    } finally {
      await core.close(500)
    }
  })
})
