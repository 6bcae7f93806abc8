import type { Database } from './sqlite'
import { HistoryError } from './errors'

/** One step of the schema. Versions are 1, 2, 3… in list order; a step never changes once shipped. */
export interface Migration {
  version: number
  name: string
  sql: string
}

/**
 * The schema's history, oldest first. Append a new step to change the schema; never edit one that
 * has shipped, because databases in the field have already applied it.
 */
export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'runs, tasks and logs',
    sql: `
      CREATE TABLE runs (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        scenario    TEXT    NOT NULL,
        params      TEXT    NOT NULL,             -- JSON
        clock       TEXT    NOT NULL,             -- JSON: "virtual" | "real" | {"speed": n}
        started_at  INTEGER NOT NULL,             -- wall clock, epoch ms
        ended_at    INTEGER,
        outcome     TEXT    NOT NULL CHECK (outcome IN ('running','done','failed','cancelled','interrupted')),
        error       TEXT,                         -- JSON {name, message, stack?}
        pid         INTEGER                       -- the writer; tells a crashed run from a live one
      );
      CREATE INDEX runs_running ON runs(outcome) WHERE outcome = 'running';
      -- Task times are ms on the run's own clock since the recorder was attached (the axis of logs.t).
      CREATE TABLE tasks (
        run_id        INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        task_id       INTEGER NOT NULL,
        name          TEXT    NOT NULL,
        parent_id     INTEGER,
        created_at    REAL    NOT NULL,
        started_at    REAL,
        ended_at      REAL,
        state         TEXT    NOT NULL,           -- a TaskState, or 'interrupted' after a crash
        cancel_source TEXT,
        cancel_reason TEXT,
        error_name    TEXT,
        error_message TEXT,
        stack         TEXT,
        PRIMARY KEY (run_id, task_id)
      ) WITHOUT ROWID;
      CREATE TABLE logs (
        id        INTEGER PRIMARY KEY AUTOINCREMENT,   -- insertion order = print order
        run_id    INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        t         REAL    NOT NULL,
        task_id   INTEGER,
        task_name TEXT,
        stream    TEXT    NOT NULL CHECK (stream IN ('stdout','stderr')),
        line      TEXT    NOT NULL
      );
      CREATE INDEX logs_by_run ON logs(run_id, id);
    `,
  },
  {
    version: 2,
    name: 'job workers: jobs, orders and their line items',
    sql: `
      -- A job is accepted (pending) before a worker sees it, and becomes done in the same
      -- transaction that writes its order: a job is never half-written and never lost.
      CREATE TABLE jobs (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        kind        TEXT    NOT NULL,
        payload     TEXT    NOT NULL,             -- JSON
        status      TEXT    NOT NULL CHECK (status IN ('pending','done')),
        accepted_at INTEGER NOT NULL,
        done_at     INTEGER,
        worker      TEXT
      );
      CREATE INDEX jobs_pending ON jobs(id) WHERE status = 'pending';
      CREATE TABLE orders (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        job_id      INTEGER NOT NULL UNIQUE REFERENCES jobs(id),
        customer    TEXT    NOT NULL,
        email       TEXT    NOT NULL,
        item_count  INTEGER NOT NULL,
        total_cents INTEGER NOT NULL,
        created_at  INTEGER NOT NULL
      );
      CREATE TABLE order_items (
        order_id   INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
        line       INTEGER NOT NULL,
        sku        TEXT    NOT NULL,
        product    TEXT    NOT NULL,
        quantity   INTEGER NOT NULL,
        unit_cents INTEGER NOT NULL,
        PRIMARY KEY (order_id, line)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 3,
    name: 'bounded logs and the retention policy',
    sql: `
      -- The history keeps a run's first and last N log lines; these say how many it left out, and
      -- after how many stored lines the gap is.
      ALTER TABLE runs ADD COLUMN logs_omitted INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE runs ADD COLUMN logs_gap_at INTEGER;
      CREATE INDEX runs_by_start ON runs(started_at);
      CREATE INDEX jobs_done ON jobs(done_at) WHERE status = 'done';
      -- One row per setting, its value JSON (the retention policy lives under 'retention').
      CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 4,
    name: 'program text of editor runs',
    sql: `
      -- The program an editor run was started from, so it can be reopened and run again. Bounded as
      -- the editor bounds it (256 KiB); deleted with its run.
      CREATE TABLE run_programs (
        run_id INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
        name   TEXT NOT NULL,
        clock  TEXT NOT NULL,                       -- JSON: "virtual" | {"speed": n}
        source TEXT NOT NULL CHECK (length(CAST(source AS BLOB)) <= 262144)
      );
    `,
  },
  {
    version: 5,
    name: 'recorded event streams of runs',
    sql: `
      -- A run's event stream for replay: the monitor's deltas cut to the run, in chunks of JSON
      -- batches, each chunk deflate-compressed. Deleted with its run (retention covers it).
      CREATE TABLE run_streams (
        run_id    INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
        bytes     INTEGER NOT NULL DEFAULT 0,     -- compressed bytes stored
        chunks    INTEGER NOT NULL DEFAULT 0,
        batches   INTEGER NOT NULL DEFAULT 0,
        truncated INTEGER NOT NULL DEFAULT 0      -- 1: the per-run cap was reached, recording stopped
      );
      CREATE TABLE run_stream_chunks (
        run_id  INTEGER NOT NULL REFERENCES run_streams(run_id) ON DELETE CASCADE,
        seq     INTEGER NOT NULL,                 -- 0, 1, 2… in recording order
        batches INTEGER NOT NULL,
        t_from  REAL    NOT NULL,                 -- loop ms of its first and last batch
        t_to    REAL    NOT NULL,
        data    BLOB    NOT NULL,                 -- deflate(JSON array of StreamBatch)
        PRIMARY KEY (run_id, seq)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 6,
    name: 'slow steps of runs',
    sql: `
      -- The steps that held a run's loop past the slow-step threshold, kept with the run: at most
      -- SLOW_STEP_LIMITS.perRun a run (the longest win), texts cut to their caps. Deleted with its run.
      CREATE TABLE run_slow_steps (
        id           INTEGER PRIMARY KEY,
        run_id       INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        seq          INTEGER NOT NULL,             -- the monitor's per-process order
        loop         TEXT    NOT NULL CHECK (length(loop) <= 200),
        task_id      INTEGER NOT NULL,
        task_name    TEXT    NOT NULL CHECK (length(task_name) <= 200),
        duration_ms  REAL    NOT NULL,
        at_loop      REAL    NOT NULL,             -- loop ms when the step ended
        at_wall      REAL    NOT NULL,             -- wall ms (Date.now()) when it ended
        resumed_from TEXT    CHECK (length(resumed_from) <= 300),
        parked_on    TEXT    CHECK (length(parked_on) <= 300),
        UNIQUE (run_id, loop, seq)
      );
      CREATE INDEX run_slow_steps_by_duration ON run_slow_steps(run_id, duration_ms);
      -- Slow steps a run had past the cap (the shortest were dropped).
      ALTER TABLE runs ADD COLUMN slow_steps_omitted INTEGER NOT NULL DEFAULT 0;
    `,
  },
]

/** The highest version `list` knows about (the version a fresh database ends at). */
export function latestVersion(list: readonly Migration[] = migrations): number {
  return list.reduce((max, m) => Math.max(max, m.version), 0)
}

/** Versions already applied to `db` (creating the bookkeeping table on first use). */
export function appliedVersions(db: Database): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    applied_at INTEGER NOT NULL
  )`)
  return (db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[]).map(
    (r) => r.version,
  )
}

/**
 * Brings `db` up to the newest version of `list`, each step in its own transaction together with
 * its bookkeeping row, so a crash between steps leaves a database at a clean earlier version.
 * Refuses (changing nothing) a database written by a newer Loopwatch.
 *
 * @example migrate(db) // → [1, 2] on a fresh file, [] the next time
 */
export function migrate(db: Database, list: readonly Migration[] = migrations): number[] {
  const applied = new Set(appliedVersions(db))
  const newest = latestVersion(list)
  const unknown = [...applied].filter((v) => v > newest)
  if (unknown.length > 0) {
    throw new HistoryError(
      'schema-too-new',
      `the history database is at schema version ${Math.max(...unknown)}, newer than this Loopwatch knows (${newest}); use a newer Loopwatch or another --data-dir`,
    )
  }
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
  const ran: number[] = []
  for (const m of [...list].sort((a, b) => a.version - b.version)) {
    if (applied.has(m.version)) continue
    db.transaction(() => {
      db.exec(m.sql)
      record.run(m.version, m.name, Date.now())
    })()
    ran.push(m.version)
  }
  return ran
}
