import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach } from 'vitest'
import { openHistory } from '../../src/main/history'
import type { HistoryOptions, OpenedHistory } from '../../src/main/history'

const dirs: string[] = []
const opened: OpenedHistory[] = []

afterEach(() => {
  for (const h of opened.splice(0)) h.close()
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

/** A fresh data folder, removed after the test. */
export function tempDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'loopwatch-history-'))
  dirs.push(dir)
  return dir
}

/** Opens a history in `dir` (a fresh folder by default), closed after the test. */
export function open(dir: string = tempDataDir(), options?: HistoryOptions): OpenedHistory {
  const h = openHistory(dir, options)
  opened.push(h)
  return h
}

/** Closes it now (and not again after the test). */
export function closeNow(h: OpenedHistory): void {
  opened.splice(opened.indexOf(h), 1)
  h.close()
}

/** Plain rows (libsql's `.get()` adds `_metadata`; `.all()` does not). */
export function rows<T = Record<string, unknown>>(h: { db: OpenedHistory['db'] }, sql: string, ...params: unknown[]): T[] {
  return h.db.prepare(sql).all(...params) as T[]
}
