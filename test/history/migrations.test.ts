import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DB_FILE, HistoryError, latestVersion, migrate, migrations } from '../../src/main/history'
import { openDatabase } from '../../src/main/history/sqlite'
import { closeNow, open, rows, tempDataDir } from './helpers'

const versions = (h: Parameters<typeof rows>[0]) =>
  rows<{ version: number }>(h, 'SELECT version FROM schema_migrations ORDER BY version').map((r) => r.version)

describe('history migrations', () => {
  it('a fresh database gets every migration, in order, and WAL journaling', () => {
    const h = open()
    expect(versions(h)).toEqual(migrations.map((m) => m.version))
    expect(rows(h, 'PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }])
    expect(h.file.endsWith(DB_FILE)).toBe(true)
  })

  it('opening a database at an older version migrates it and keeps its rows', () => {
    const dir = tempDataDir()
    const old = openDatabase(join(dir, DB_FILE))
    migrate(old, migrations.slice(0, 1))
    old.prepare(
      "INSERT INTO runs (scenario, params, clock, started_at, outcome) VALUES ('gather', '{}', '\"virtual\"', 1, 'done')",
    ).run()
    old.close()

    const h = open(dir)

    expect(versions(h)).toEqual(migrations.map((m) => m.version))
    expect(h.getRun(1)?.run).toMatchObject({ runId: 1, scenario: 'gather', outcome: 'done', clock: 'virtual' })
    // The newer migration's tables are usable.
    expect(rows(h, 'SELECT count(*) AS n FROM jobs')).toEqual([{ n: 0 }])
  })

  it('reopening an up-to-date database applies nothing', () => {
    const dir = tempDataDir()
    closeNow(open(dir))
    const h = open(dir)
    expect(migrate(h.db)).toEqual([])
    expect(versions(h)).toHaveLength(latestVersion())
  })

  it('a migration that fails leaves the database at the previous version, with no half-made tables', () => {
    const dir = tempDataDir()
    const db = openDatabase(join(dir, DB_FILE))
    const broken = [
      ...migrations,
      { version: latestVersion() + 1, name: 'broken', sql: 'CREATE TABLE half (a INTEGER); INSERT INTO nowhere VALUES (1);' },
    ]

    expect(() => migrate(db, broken)).toThrow(/nowhere/)

    expect(versions({ db })).toEqual(migrations.map((m) => m.version))
    expect(rows({ db }, "SELECT name FROM sqlite_master WHERE name = 'half'")).toEqual([])
    db.close()
  })

  it('a file that is not an SQLite database is refused with a typed error naming it, and left as it was', () => {
    const dir = tempDataDir()
    const file = join(dir, DB_FILE)
    writeFileSync(file, 'definitely not sqlite '.repeat(100))

    let error: unknown
    try {
      open(dir)
    } catch (e) {
      error = e
    }

    expect(error).toBeInstanceOf(HistoryError)
    expect((error as HistoryError).code).toBe('unreadable')
    expect((error as HistoryError).message).toContain(file)
    expect(readFileSync(file, 'utf8')).toBe('definitely not sqlite '.repeat(100))
  })

  it('a database from a newer Loopwatch is refused with a typed error and left unchanged', () => {
    const dir = tempDataDir()
    closeNow(open(dir))
    const db = openDatabase(join(dir, DB_FILE))
    db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'future', 0)").run(latestVersion() + 5)
    db.close()

    let error: unknown
    try {
      open(dir)
    } catch (e) {
      error = e
    }

    expect(error).toBeInstanceOf(HistoryError)
    expect((error as HistoryError).code).toBe('schema-too-new')
    const after = openDatabase(join(dir, DB_FILE))
    expect(versions({ db: after }).at(-1)).toBe(latestVersion() + 5)
    after.close()
  })
})
