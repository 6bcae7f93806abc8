// The window's loop-control state: which loops of a scope have controls, an action's answer
// replacing the loop's view, refusals shown, and polling only while a loop is held or watched live.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { INSPECT_POLL_MS, LoopControlState, controllableLoops } from '../../src/renderer/src/state/loop-control.svelte'
import type { LoopwatchApi } from '../../src/shared/contract'
import type { LoopControlState as RuntimeState, LoopView } from '../../src/shared/loop-control-contract'
import type { RunSummary, SourceInfo } from '../../src/shared/snapshots'

function run(runId: number, status: RunSummary['status']): RunSummary {
  return { runId, scenarioId: 's', title: 't', params: {}, clock: { speed: 1 }, status, startedWall: runId, endedWall: null, error: null, outDir: null }
}

function view(loopId: string, state: RuntimeState): LoopView {
  return { loopId, state, speed: 1, now: 0, inIteration: 0, ready: [], readyTotal: 0, timers: [], timersTotal: 0, limit: 200 }
}

function fakeApi() {
  const calls: { channel: string; payload: unknown }[] = []
  let state: RuntimeState = 'running'
  const api = {
    invoke: async (channel: string, payload: { loopId: string; action?: string }) => {
      calls.push({ channel, payload })
      if (payload.loopId === 'agent-1/main') return { ok: false, error: { code: 'unsupported', message: 'no loop controls' } }
      if (channel === 'loop:control') state = payload.action === 'pause' ? 'paused' : payload.action === 'resume' ? 'running' : state
      return { ok: true, value: view(payload.loopId, state) }
    },
    on: () => () => {},
  } as unknown as LoopwatchApi
  return { api, calls }
}

beforeEach(() => void vi.useFakeTimers())
afterEach(() => void vi.useRealTimers())

describe('loop controls in the window', () => {
  it("offers controls on this app's live run loops and the daemons, never on a connected process's", () => {
    const runs = [run(1, 'running'), run(2, 'done'), run(3, 'stopping')]
    expect(controllableLoops('all', runs)).toEqual(['run-1', 'run-3'])
    expect(controllableLoops('run-1', runs)).toEqual(['run-1'])
    expect(controllableLoops('run-2', runs)).toEqual([])
    expect(controllableLoops('daemons', runs)).toEqual(['daemons'])
    expect(controllableLoops('agent-1/main', runs)).toEqual([])
  })

  it('offers a connected Node process’s loops, never a Python one’s nor an ended one’s', () => {
    const source = (id: string, kind: 'node' | 'python', state: SourceInfo['state']): SourceInfo => ({
      id, name: id, pid: 1, runtime: { kind, version: '1' }, clock: { kind: 'real' }, role: 'child', state, exit: null,
      connectedWall: 0, endedWall: null, loops: [`${id}/loop-1`, `${id}/loop-2`], taskCount: 0, runId: null,
    })
    const sources = [source('agent-1', 'node', 'connected'), source('agent-2', 'python', 'connected'), source('agent-3', 'node', 'exited')]
    const runs = [run(1, 'running')]
    expect(controllableLoops('agent-1/loop-2', runs, sources)).toEqual(['agent-1/loop-2'])
    expect(controllableLoops('source:agent-1', runs, sources)).toEqual(['agent-1/loop-1', 'agent-1/loop-2'])
    expect(controllableLoops('agent-1/loop-9', runs, sources)).toEqual([])
    expect(controllableLoops('agent-2/loop-1', runs, sources)).toEqual([])
    expect(controllableLoops('source:agent-3', runs, sources)).toEqual([])
    expect(controllableLoops('all', runs, sources)).toEqual(['run-1'])
  })

  it('pausing stores the answer and polls the held loop; resuming stops the polling', async () => {
    const { api, calls } = fakeApi()
    const lc = new LoopControlState(() => api)
    await lc.act('run-1', 'pause')
    expect(lc.views['run-1']?.state).toBe('paused')
    expect(lc.shown('run-1')).toBe(true)
    await vi.advanceTimersByTimeAsync(INSPECT_POLL_MS)
    expect(calls.filter((c) => c.channel === 'loop:inspect')).toHaveLength(1)
    await lc.act('run-1', 'resume')
    expect(lc.shown('run-1')).toBe(false)
    const before = calls.length
    await vi.advanceTimersByTimeAsync(10 * INSPECT_POLL_MS)
    expect(calls.length - before).toBeLessThanOrEqual(1) // at most the one refresh already scheduled, then none
  })

  it("a refusal is kept as the loop's error, and the view is left as it was", async () => {
    const { api } = fakeApi()
    const lc = new LoopControlState(() => api)
    await lc.act('agent-1/main', 'pause')
    expect(lc.errors['agent-1/main']).toBe('no loop controls')
    expect(lc.views['agent-1/main']).toBeUndefined()
  })
})
