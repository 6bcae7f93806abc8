import { existsSync, statSync } from 'node:fs'
import * as v from 'valibot'
import { RETENTION_DEFAULTS, retentionPolicySchema } from '../../shared/history-contract'
import type { RetentionPolicy } from '../../shared/history-contract'
import type { RetentionReport } from '../../shared/snapshots'
import type { Database } from './sqlite'

const DAY_MS = 86_400_000
/** Done jobs deleted per transaction while the database is over its size bound. */
const JOB_CHUNK = 1000

/** The policy saved in `settings`, or the defaults (also when the saved one no longer validates). */
export function readPolicy(db: Database): RetentionPolicy {
  const row = db.prepare("SELECT value FROM settings WHERE key = 'retention'").all()[0] as { value: string } | undefined
  if (!row) return { ...RETENTION_DEFAULTS }
  const parsed = v.safeParse(retentionPolicySchema, safeJson(row.value))
  return parsed.success ? parsed.output : { ...RETENTION_DEFAULTS }
}

/** Saves an already validated policy. */
export function writePolicy(db: Database, policy: RetentionPolicy): void {
  db.prepare("INSERT INTO settings (key, value) VALUES ('retention', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
    .run(JSON.stringify(policy))
}

/** A numeric pragma's value (libsql ignores better-sqlite3's `simple` option: read the row). */
function pragmaNumber(db: Database, name: string): number {
  const row = (db.pragma(name) as Record<string, unknown>[])[0]
  return Number(row?.[name] ?? 0)
}

/** Bytes SQLite uses inside the file (pages minus free pages): what the size bound is about. */
export function usedBytes(db: Database): number {
  return (pragmaNumber(db, 'page_count') - pragmaNumber(db, 'freelist_count')) * pragmaNumber(db, 'page_size')
}

/** Bytes on disk: the main file and its WAL. */
export function fileBytes(file: string): number {
  const size = (f: string) => (existsSync(f) ? statSync(f).size : 0)
  return size(file) + size(`${file}-wal`)
}

/**
 * Switches the file to incremental auto-vacuum, so deleting rows can give pages back to the file
 * system. SQLite only changes `auto_vacuum` on an empty database or through one VACUUM, which
 * rewrites the file (once, on the first open after upgrading). Returns true if it switched.
 */
export function ensureIncrementalVacuum(db: Database): boolean {
  const INCREMENTAL = 2
  if (pragmaNumber(db, 'auto_vacuum') === INCREMENTAL) return false
  db.pragma('auto_vacuum = INCREMENTAL')
  if (pragmaNumber(db, 'auto_vacuum') !== INCREMENTAL) db.exec('VACUUM')
  return true
}

/** Gives free pages back: incremental vacuum, then a checkpoint that truncates the WAL. */
export function shrink(db: Database): void {
  db.pragma('incremental_vacuum')
  db.pragma('wal_checkpoint(TRUNCATE)')
}

/**
 * Deletes what the policy no longer keeps: ended runs older than `maxAgeDays` or beyond the newest
 * `maxRuns` (their tasks and logs cascade), done jobs older than `maxAgeDays`, then — oldest first,
 * runs and done jobs by age — while the database uses more than `maxMegabytes`. A run still
 * `running` and a pending job are never deleted. Each step is its own short transaction; the file
 * shrinks at the end.
 */
export function applyRetention(db: Database, file: string, policy: RetentionPolicy, now = Date.now()): RetentionReport {
  const bytesBefore = fileBytes(file)
  const cutoff = now - policy.maxAgeDays * DAY_MS
  let deletedRuns = 0
  let deletedJobs = 0
  const tx = <A extends unknown[]>(fn: (...a: A) => number) => {
    const t = db.transaction(fn)
    return (...a: A): number => t.immediate(...a)
  }
  const deleteRunsOlder = tx((before: number) =>
    db.prepare("DELETE FROM runs WHERE outcome <> 'running' AND started_at < ?").run(before).changes)
  const deleteRunsBeyond = tx((keep: number) =>
    db.prepare("DELETE FROM runs WHERE outcome <> 'running' AND id NOT IN (SELECT id FROM runs ORDER BY id DESC LIMIT ?)").run(keep).changes)
  const deleteOldestRun = tx(() =>
    db.prepare("DELETE FROM runs WHERE id = (SELECT id FROM runs WHERE outcome <> 'running' ORDER BY id LIMIT 1)").run().changes)
  // orders → jobs has no cascade (a job's order is its proof of work): orders (and their items) first.
  const deleteJobs = tx((where: string, arg: number) => {
    const ids = `SELECT id FROM jobs WHERE status = 'done' AND ${where}`
    db.prepare(`DELETE FROM orders WHERE job_id IN (${ids})`).run(arg)
    return db.prepare(`DELETE FROM jobs WHERE id IN (${ids})`).run(arg).changes
  })
  const oldestRun = db.prepare("SELECT started_at AS at FROM runs WHERE outcome <> 'running' ORDER BY id LIMIT 1")
  const oldestJob = db.prepare("SELECT done_at AS at FROM jobs WHERE status = 'done' ORDER BY done_at LIMIT 1")
  const at = (s: typeof oldestRun) => (s.all()[0] as { at: number } | undefined)?.at ?? null

  deletedRuns += deleteRunsOlder(cutoff)
  deletedRuns += deleteRunsBeyond(policy.maxRuns)
  deletedJobs += deleteJobs('done_at < ?', cutoff)

  const maxBytes = policy.maxMegabytes * 1_000_000
  while (usedBytes(db) > maxBytes) {
    const run = at(oldestRun)
    const job = at(oldestJob)
    if (run === null && job === null) break
    if (job === null || (run !== null && run <= job)) deletedRuns += deleteOldestRun()
    else deletedJobs += deleteJobs('id IN (SELECT id FROM jobs WHERE status = \'done\' ORDER BY done_at LIMIT ?)', JOB_CHUNK)
  }
  // Also when nothing was deleted but the WAL (up to ~4 MB between checkpoints) takes the file over.
  if (deletedRuns > 0 || deletedJobs > 0 || fileBytes(file) > maxBytes) shrink(db)
  return { at: now, deletedRuns, deletedJobs, bytesBefore, bytesAfter: fileBytes(file) }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return null
  }
}
