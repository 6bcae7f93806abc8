// The window's side of "children stopped, services left running": the dialog's choice reaches the
// app:shutdown payload, and the services it offers to stop are the connected ones.
import { describe, expect, it } from 'vitest'
import { ShutdownState } from '../../src/renderer/src/state/shutdown.svelte'
import { runningServices, sourceRoleHint } from '../../src/renderer/src/state/sources.svelte'
import type { LoopwatchApi } from '../../src/shared/contract'
import type { AppShutdownReport, SourceInfo } from '../../src/shared/snapshots'

const report: AppShutdownReport = { graceMs: 1000, elapsedMs: 5, parts: [], totals: { finished: 0, forced: 0, cleanupErrors: 0 }, leftRunning: [{ id: 'agent-2', title: 'billing (pid 7)' }] }

function fakeApi(calls: unknown[]): LoopwatchApi {
  return {
    invoke: async (channel: string, payload: unknown) => {
      calls.push([channel, payload])
      return { ok: true, value: report }
    },
  } as unknown as LoopwatchApi
}

function source(id: string, role: SourceInfo['role'], state: SourceInfo['state']): SourceInfo {
  return { id, name: id, pid: 1, runtime: { kind: 'node', version: '22' }, clock: { kind: 'real' }, role, state, exit: null, connectedWall: 0, endedWall: null, loops: [], taskCount: 0, runId: null }
}

describe('the shutdown dialog and services', () => {
  it('sends stopServices and stopWorkers as chosen (both off by default) and keeps the report with what was left running', async () => {
    const calls: unknown[] = []
    const sd = new ShutdownState(() => fakeApi(calls))
    sd.graceSeconds = '1'
    await sd.start()
    sd.stopServices = true
    await sd.start()
    sd.stopServices = false
    sd.stopWorkers = true
    await sd.start()
    // Job workers are their own choice: stopping services leaves them unless it is ticked too.
    expect(calls).toEqual([
      ['app:shutdown', { graceMs: 1000, stopServices: false, stopWorkers: false }],
      ['app:shutdown', { graceMs: 1000, stopServices: true, stopWorkers: false }],
      ['app:shutdown', { graceMs: 1000, stopServices: false, stopWorkers: true }],
    ])
    expect(sd.report?.leftRunning).toEqual([{ id: 'agent-2', title: 'billing (pid 7)' }])
  })

  it('offers to stop only the services still connected, never children or ended ones', () => {
    const list = [source('a', 'service', 'connected'), source('b', 'child', 'connected'), source('c', 'service', 'lost'), source('d', 'service', 'stopping')]
    expect(runningServices(list).map((s) => s.id)).toEqual(['a', 'd'])
    expect(sourceRoleHint(list[1]!)).toMatch(/stops it/)
    expect(sourceRoleHint(list[0]!)).toMatch(/leaves it running/)
  })
})
