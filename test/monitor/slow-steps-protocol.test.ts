// Issue 11 §1 for connected processes: a delta's optional slowSteps pass the agent protocol's
// schema (bounded, typed), and the app translates their task ids and loop labels as it does tasks'.
import { describe, expect, it } from 'vitest'
import { parseAgentLine } from '../../src/shared/agent-protocol/index'
import { SourceIdMap } from '../../src/main/sources/id-map'
import { translateDelta } from '../../src/main/sources/translate'
import type { SlowStep, TaskDelta } from '../../src/shared/snapshots'

const slow = (over: Partial<SlowStep> = {}): SlowStep => ({
  seq: 1,
  loop: 'main',
  runId: null,
  taskId: 7,
  taskName: 'crunch',
  durationMs: 42.5,
  at: { loop: 1500, wall: 1_700_000_000_000 },
  resumedFrom: 'sleep until 1.500s',
  parkedOn: null,
  ...over,
})
const delta = (slowSteps: unknown): unknown => ({ seq: 1, created: [], changed: [], ended: [], removed: [], logs: [], clocks: [], slowSteps })
const line = (d: unknown) => JSON.stringify({ type: 'tasks:delta', delta: d })

describe('slow steps on the agent protocol', () => {
  it('accepts a delta with slow steps, and one without them', () => {
    expect(parseAgentLine(line(delta([slow()]))).ok).toBe(true)
    expect(parseAgentLine(line({ seq: 1, created: [], changed: [], ended: [], removed: [], logs: [], clocks: [] })).ok).toBe(true)
  })

  it('refuses a malformed or unbounded list', () => {
    expect(parseAgentLine(line(delta([slow({ durationMs: -1 })]))).ok).toBe(false)
    expect(parseAgentLine(line(delta([{ ...slow(), extra: 1 }]))).ok).toBe(false)
    expect(parseAgentLine(line(delta([slow({ taskName: 'x'.repeat(5_000) })]))).ok).toBe(false)
    expect(parseAgentLine(line(delta(Array.from({ length: 501 }, (_, i) => slow({ seq: i + 1 }))))).ok).toBe(false)
  })

  it('translates task ids and loop labels, and drops a record naming a task the app never saw', () => {
    const ids = new SourceIdMap()
    const global = ids.global('agent-1', 7)
    const out = translateDelta(delta([slow(), slow({ seq: 2, taskId: 99 })]) as TaskDelta, { sourceId: 'agent-1', ids, runId: 12 })
    expect(out.slowSteps).toEqual([{ ...slow(), taskId: global, localId: 7, loop: 'agent-1/main', runId: 12 }]) // the process's own id rides along (History names the task by it)
  })
})
