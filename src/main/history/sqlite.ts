import Libsql from 'libsql'

/** The better-sqlite3-style connection libsql gives (one type name for the rest of the app). */
export type Database = Libsql.Database
export type Statement = Libsql.Statement<unknown[]>

/**
 * Opens (creating if needed) an SQLite file in WAL mode — readers never block the writer, and a
 * killed writer loses at most its uncommitted transaction — with a busy timeout so the CLI and the
 * app can share one history file, and incremental auto-vacuum so deleted runs give their pages back.
 */
export function openDatabase(file: string): Database {
  const db = new Libsql(file)
  // Before WAL: on a new, empty file this takes effect at once (an older file is switched by one
  // VACUUM in ensureIncrementalVacuum); on any other file it does nothing.
  db.pragma('auto_vacuum = INCREMENTAL')
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  db.pragma('busy_timeout = 5000')
  db.pragma('foreign_keys = ON')
  return db
}
