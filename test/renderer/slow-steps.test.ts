// The Slow steps view's state (issue 11 §1): records from steps:slow and deltas without duplicates
// and bounded, sorted by duration / time / task, the threshold field checked before it is sent,
// and a loop-delay sample linked to the slow step that ended in its interval.
import { describe, expect, it } from 'vitest'
import { MAX_SLOW_STEPS_SHOWN, SlowStepsState, slowStepForSample, sortSlowSteps, thresholdError } from '../../src/renderer/src/state/slow-steps.svelte'
import type { LoopwatchApi } from '../../src/shared/contract'
import type { SlowStep, StatsSample } from '../../src/shared/snapshots'

function step(seq: number, durationMs: number, wall: number, taskName = `t${seq}`, loop = 'run-1'): SlowStep {
  return { seq, loop, runId: 1, taskId: 100 + seq, taskName, durationMs, at: { loop: seq * 10, wall }, resumedFrom: null, parkedOn: null }
}

function sample(wall: number): StatsSample {
  return { wall, loopDelayMs: { mean: 0, p50: 0, p99: 0, max: 0 }, tasks: {}, memory: { rssMb: 0, heapUsedMb: 0 }, cpuPercent: 0, extra: {} }
}

function fakeApi(thresholdMs = 20, steps: SlowStep[] = []) {
  const calls: { channel: string; payload?: unknown }[] = []
  const api = {
    invoke: async (channel: string, payload?: unknown) => {
      calls.push({ channel, payload })
      if (channel === 'steps:slow') return { ok: true, value: { thresholdMs, steps } }
      if (channel === 'steps:setThreshold') return { ok: true, value: { thresholdMs: (payload as { thresholdMs: number }).thresholdMs, steps } }
      return { ok: false, error: { code: 'unknown_channel', message: channel } }
    },
    on: () => () => {},
  } as unknown as LoopwatchApi
  return { api, calls }
}

describe('slow steps state', () => {
  it('loads what the app keeps, then adds a delta\'s records once each (a process\'s seq is told apart by its loop)', async () => {
    const { api } = fakeApi(35, [step(1, 30, 1000), step(2, 40, 2000)])
    const s = new SlowStepsState(() => api)
    await s.load()
    expect(s.thresholdMs).toBe(35)
    expect(s.thresholdInput).toBe('35')
    s.add([step(2, 40, 2000), step(3, 50, 3000), step(1, 25, 3500, 'remote', 'agent-1/main')])
    expect(s.steps.map((x) => `${x.loop}#${x.seq}`)).toEqual(['run-1#1', 'run-1#2', 'run-1#3', 'agent-1/main#1'])
    expect(s.byTask.get(103)?.map((x) => x.durationMs)).toEqual([50])
  })

  it('keeps at most MAX_SLOW_STEPS_SHOWN, the newest', () => {
    const s = new SlowStepsState(() => null)
    s.add(Array.from({ length: MAX_SLOW_STEPS_SHOWN + 10 }, (_, i) => step(i + 1, 21, i)))
    expect(s.steps).toHaveLength(MAX_SLOW_STEPS_SHOWN)
    expect(s.steps[0]!.seq).toBe(11)
  })

  it('sorts by duration, time or task, and flips on a second click', () => {
    const list = [step(1, 30, 3000, 'b'), step(2, 90, 1000, 'c'), step(3, 60, 2000, 'a')]
    expect(sortSlowSteps(list, 'durationMs', true).map((x) => x.seq)).toEqual([2, 3, 1])
    expect(sortSlowSteps(list, 'wall', false).map((x) => x.seq)).toEqual([2, 3, 1])
    expect(sortSlowSteps(list, 'taskName', false).map((x) => x.taskName)).toEqual(['a', 'b', 'c'])
    const s = new SlowStepsState(() => null)
    s.add(list)
    expect(s.sorted.map((x) => x.seq)).toEqual([1, 3, 2]) // newest first by default
    s.sortBy('durationMs')
    expect(s.sorted.map((x) => x.seq)).toEqual([2, 3, 1])
    s.sortBy('durationMs')
    expect(s.sorted.map((x) => x.seq)).toEqual([1, 3, 2])
  })

  it('checks the threshold field before sending it, and sends a good one', async () => {
    expect(thresholdError('')).toMatch(/milliseconds/)
    expect(thresholdError('abc')).toMatch(/milliseconds/)
    expect(thresholdError(0)).toMatch(/from 1 to 60000/)
    expect(thresholdError(60_001)).toMatch(/from 1 to 60000/)
    expect(thresholdError('50')).toBeNull()
    const { api, calls } = fakeApi()
    const s = new SlowStepsState(() => api)
    s.thresholdInput = 'x'
    expect(await s.setThreshold()).toBe(false)
    expect(calls).toEqual([])
    s.thresholdInput = 50
    expect(await s.setThreshold()).toBe(true)
    expect(calls).toEqual([{ channel: 'steps:setThreshold', payload: { thresholdMs: 50 } }])
    expect(s.thresholdMs).toBe(50)
  })

  it('links a loop-delay sample to the longest slow step that ended in its interval', () => {
    const samples = [sample(1000), sample(2000), sample(3000)]
    const steps = [step(1, 30, 1500), step(2, 80, 1900), step(3, 25, 2000), step(4, 99, 3500)]
    expect(slowStepForSample(steps, samples, 1)?.seq).toBe(2) // (1000, 2000]: 30, 80 and 25 ms; 80 is longest
    expect(slowStepForSample(steps, samples, 2)).toBeNull() // (2000, 3000]: none
    expect(slowStepForSample(steps, samples, 0)).toBeNull() // (0, 1000]
    expect(slowStepForSample(steps, samples, 5)).toBeNull()
  })
})
