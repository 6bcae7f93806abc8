import type { Database } from './sqlite'

/** Runs this process is writing right now, per database file (a second `openHistory` must not
 * mistake them for crashed). */
export const liveRuns = new Map<string, Set<number>>()

/**
 * Marks as `interrupted` every run left `running` whose writer is gone — its process is dead,
 * or it is this process and no open History owns it — and those runs' unfinished tasks too.
 * Runs of another live process (the CLI next to the app) are left alone.
 * Returns the ids it marked.
 */
export function markInterruptedRuns(db: Database, file: string, now = Date.now()): number[] {
  const running = db.prepare("SELECT id, pid FROM runs WHERE outcome = 'running'").all() as {
    id: number
    pid: number | null
  }[]
  const mine = liveRuns.get(file)
  const orphaned = running
    .filter((r) => (r.pid === process.pid ? !mine?.has(r.id) : !processAlive(r.pid)))
    .map((r) => r.id)
  if (orphaned.length > 0) markInterrupted(db, orphaned, 'the process recording this run stopped before the run ended', now)
  return orphaned
}

/** Sets the given runs (and their unfinished tasks) to `interrupted`, in one transaction. */
export function markInterrupted(db: Database, ids: number[], why: string, now = Date.now()): void {
  const error = JSON.stringify({ name: 'Interrupted', message: why })
  const run = db.prepare(
    "UPDATE runs SET outcome = 'interrupted', ended_at = ?, error = ? WHERE id = ? AND outcome = 'running'",
  )
  const tasks = db.prepare("UPDATE tasks SET state = 'interrupted' WHERE run_id = ? AND ended_at IS NULL")
  db.transaction(() => {
    for (const id of ids) {
      run.run(now, error, id)
      tasks.run(id)
    }
  }).immediate()
}

function processAlive(pid: number | null): boolean {
  if (pid === null || !Number.isSafeInteger(pid) || pid <= 0) return false
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: it exists but belongs to someone else — alive all the same.
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
