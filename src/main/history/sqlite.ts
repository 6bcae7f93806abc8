import Libsql from 'libsql'

/** The better-sqlite3-style connection libsql gives (one type name for the rest of the app). */
export type Database = Libsql.Database
export type Statement = Libsql.Statement<unknown[]>

/**
 * Opens (creating if needed) an SQLite file in WAL mode — readers never block the writer, and a
 * killed writer loses at most its uncommitted transaction — with a busy timeout so the CLI and the
 * app can share one history file.
 */
export function openDatabase(file: string): Database {
  const db = new Libsql(file)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  db.pragma('busy_timeout = 5000')
  db.pragma('foreign_keys = ON')
  return db
}
