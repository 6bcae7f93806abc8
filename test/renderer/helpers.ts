// One factory for the renderer suites: a TaskSnapshot with sensible defaults, and a delta builder.
import type { TaskDelta, TaskSnapshot } from '../../src/shared/snapshots'

let nextId = 1000

/** A task snapshot; `at` (loop ms) sets createdAt/startedAt, `ended` sets endedAt. */
export function task(over: Partial<TaskSnapshot> & { at?: number; ended?: number } = {}): TaskSnapshot {
  const { at = 0, ended, ...rest } = over
  return {
    id: nextId++,
    loop: 'run-1',
    runId: 1,
    name: 'task',
    parentId: null,
    state: 'running',
    createdAt: { loop: at, wall: 1_700_000_000_000 + at },
    startedAt: { loop: at, wall: 1_700_000_000_000 + at },
    endedAt: ended == null ? null : { loop: ended, wall: 1_700_000_000_000 + ended },
    awaiting: null,
    cancel: null,
    deadline: null,
    error: null,
    logCount: 0,
    ...rest,
  }
}

export function delta(seq: number, parts: Partial<Omit<TaskDelta, 'seq'>> = {}): TaskDelta {
  return { seq, created: [], changed: [], ended: [], removed: [], logs: [], clocks: [], ...parts }
}
