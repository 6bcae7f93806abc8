import * as v from 'valibot'
import { describe, expect, it } from 'vitest'
import { splitDelta, splitDeltaLines } from '../../src/agent/split-delta'
import { MAX_LINE_BYTES, MAX_LOG_LINE_LENGTH, MAX_TASKS_PER_DELTA_LIST, encodeLine, taskDeltaSchema } from '../../src/shared/agent-protocol/index'
import type { LogLine, TaskDelta } from '../../src/shared/snapshots'
import { delta, snapshot } from '../hub/hub-helper'

const log = (seq: number, line: string): LogLine => ({ seq, loop: 'main', runId: null, taskId: 1, taskName: 'x'.repeat(300), t: 0, wall: 0, stream: 'stdout', line })

describe('splitDelta', () => {
  it('cuts lists to the protocol’s bounds, in order, numbering the parts; every part passes the hub’s schema', () => {
    const created = Array.from({ length: 4_500 }, (_, i) => snapshot(i + 1, { name: 'n'.repeat(500) }))
    const big: TaskDelta = { ...delta(7).delta, created, logs: [log(1, 'y'.repeat(MAX_LOG_LINE_LENGTH + 50))] }
    let seq = 10
    const parts = splitDelta(big, () => ++seq)
    expect(parts.map((p) => p.created.length)).toEqual([MAX_TASKS_PER_DELTA_LIST, MAX_TASKS_PER_DELTA_LIST, 500])
    expect(parts.map((p) => p.seq)).toEqual([11, 12, 13])
    expect(parts.flatMap((p) => p.created.map((s) => s.id))).toEqual(created.map((s) => s.id))
    expect(parts.at(-1)!.logs[0]!.line.length).toBe(MAX_LOG_LINE_LENGTH)
    for (const p of parts) expect(v.safeParse(taskDeltaSchema, p).success).toBe(true)
  })

  it('never sends a part naming a task that a later part creates (the hub would answer unknown_task)', () => {
    const created = Array.from({ length: 4_500 }, (_, i) => snapshot(i + 1))
    const logs = created.map((t, i) => ({ ...log(i + 1, 'hi'), taskId: t.id }))
    const segments = created.map((t) => ({ taskId: t.id, first: 0, segments: [{ state: 'running' as const, from: 0, to: 1 }], open: null }))
    const parts = splitDelta({ ...delta(1).delta, created, logs, segments }, () => 1)
    const known = new Set<number>()
    for (const p of parts) {
      for (const t of p.created) known.add(t.id)
      for (const l of p.logs) expect(known.has(l.taskId!)).toBe(true)
      for (const s of p.segments ?? []) expect(known.has(s.taskId)).toBe(true)
      expect(v.safeParse(taskDeltaSchema, p).success).toBe(true)
    }
    expect(parts.reduce((n, p) => n + p.logs.length, 0)).toBe(4_500)
  })

  it('keeps slow steps, clipped, after the tasks they name, when a delta is split', () => {
    const created = Array.from({ length: 4_500 }, (_, i) => snapshot(i + 1))
    const slowSteps = [1, 4_500].map((taskId, i) => ({ seq: i + 1, loop: 'main', runId: null, taskId, taskName: 'n'.repeat(300), durationMs: 25, at: { loop: 1, wall: 2 }, resumedFrom: 'r'.repeat(600), parkedOn: null }))
    const parts = splitDelta({ ...delta(1).delta, created, slowSteps }, () => 1)
    expect(parts.length).toBe(3)
    const sent = parts.flatMap((p) => p.slowSteps ?? [])
    expect(sent.map((st) => st.taskId)).toEqual([1, 4_500])
    expect(parts.at(-1)!.slowSteps).toHaveLength(2)
    expect(sent.every((st) => st.taskName.length === 200 && st.resumedFrom!.length === 500)).toBe(true)
    for (const p of parts) expect(v.safeParse(taskDeltaSchema, p).success).toBe(true)
  })

  it('halves a delta whose line would pass the hub’s line limit', () => {
    const stack = 's'.repeat(15_000)
    const created = Array.from({ length: 1_000 }, (_, i) => snapshot(i + 1, { state: 'failed', error: { name: 'Error', message: 'm'.repeat(5_000), stack } }))
    const parts = splitDelta({ ...delta(1).delta, created }, () => 1)
    expect(parts.length).toBeGreaterThan(1)
    expect(parts.reduce((n, p) => n + p.created.length, 0)).toBe(1_000)
    for (const p of parts) {
      expect(Buffer.byteLength(encodeLine({ type: 'tasks:delta', delta: p }))).toBeLessThanOrEqual(MAX_LINE_BYTES)
      expect(v.safeParse(taskDeltaSchema, p).success).toBe(true)
    }
  })

  it('splitDeltaLines: each line is exactly its part encoded, with its own seq (checked or not)', () => {
    const small = { ...delta(1).delta, created: [snapshot(1)] }
    const big = { ...delta(2).delta, created: Array.from({ length: 110 }, (_, i) => snapshot(i + 1, { state: 'failed', error: { name: 'E', message: 'm'.repeat(4_000), stack: 's'.repeat(16_000) } })) }
    let seq = 0
    for (const d of [small, big]) {
      for (const part of splitDeltaLines(d, () => ++seq)) {
        expect(part.line.endsWith('\n')).toBe(true)
        expect(JSON.parse(part.line)).toEqual({ type: 'tasks:delta', delta: part.delta })
      }
    }
    expect(seq).toBe(2)
  })
})

