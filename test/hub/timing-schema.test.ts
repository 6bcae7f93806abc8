// task:timing on the wire: the command's fields and its answer's schema, bounded both ways.
import * as v from 'valibot'
import { describe, expect, it } from 'vitest'
import { commandSpecs, parseHubLine, stepTimingSchema } from '../../src/shared/agent-protocol/index'
import { STEP_BUCKETS } from '../../src/shared/snapshots'

const hist = (n = STEP_BUCKETS) => Array.from({ length: n }, () => 0)
const good = { steps: 3, busyMs: 50.4, idleMs: 20.1, scheduledMs: 0.03, maxStepMs: 50.2, stepHist: hist(), scheduledHist: hist() }

describe('task:timing', () => {
  it('travels as { type, id, taskId } and the agent parses it', () => {
    expect(parseHubLine('{"type":"task:timing","id":7,"taskId":3}')).toEqual({ ok: true, message: { type: 'task:timing', id: 7, taskId: 3 } })
    expect(parseHubLine('{"type":"task:timing","id":7,"taskId":-1}').ok).toBe(false)
    expect(parseHubLine('{"type":"task:timing","id":7,"taskId":3,"extra":1}').ok).toBe(false)
  })

  it('answers a StepTiming or null; histograms are exactly STEP_BUCKETS counts, times finite and ≥ 0, no other field', () => {
    const result = commandSpecs['task:timing'].result
    expect(v.safeParse(result, good).success).toBe(true)
    expect(v.safeParse(result, null).success).toBe(true)
    for (const bad of [
      { ...good, stepHist: hist(STEP_BUCKETS - 1) },
      { ...good, scheduledHist: hist(10_000) },
      { ...good, busyMs: -1 },
      { ...good, idleMs: Number.POSITIVE_INFINITY },
      { ...good, steps: 1.5 },
      { ...good, stepHist: [...hist(STEP_BUCKETS - 1), -1] },
      { ...good, extra: 1 },
    ]) {
      expect(v.safeParse(stepTimingSchema, bad).success, JSON.stringify(bad).slice(0, 80)).toBe(false)
    }
  })
})
