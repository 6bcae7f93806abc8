import { describe, expect, it } from 'vitest'
import { openApp } from './app-helper'

/** Starts a scenario that runs for a while on a scaled clock and waits for its four tasks to sleep. */
async function heartbeatRun(app: ReturnType<typeof openApp>) {
  const run = await app.ok('scenario:start', { id: 'workers-heartbeat', params: { iterations: 1000 }, clock: { speed: 1 } })
  const loopId = `run-${run.runId}`
  await app.until(() => [...app.view().values()].filter((t) => t.loop === loopId && t.state === 'waiting').length === 4)
  return { run, loopId }
}

describe('loop:control and loop:inspect', () => {
  it('pauses a run, steps it one iteration at a time with the ready queue changing, then resumes', async () => {
    const app = openApp()
    const { run, loopId } = await heartbeatRun(app)
    const paused = await app.ok('loop:control', { loopId, action: 'pause' })
    expect(paused.state).toBe('paused')
    expect(paused.timers.filter((t) => t.kind === 'sleep').map((t) => t.taskName).sort()).toEqual(['main', 'worker-1', 'worker-2', 'worker-3'])
    // A step fires the sleeps that are due (waiting for the first on this 1× clock); the tasks they
    // wake are the next iteration's ready queue, and the step after runs them: they sleep again.
    const woken = new Set<string>()
    for (let i = 0; i < 40 && woken.size < 4; i++) {
      const view = await app.ok('loop:control', { loopId, action: 'step' })
      expect(view.state).toBe('paused')
      for (const e of view.ready) {
        expect(e.kind).toBe('step')
        woken.add(e.taskName!)
      }
      if (view.readyTotal > 0) {
        const ran = view.ready.map((e) => e.taskName)
        const next = await app.ok('loop:control', { loopId, action: 'step' })
        const sleeping = next.timers.filter((t) => t.kind === 'sleep' && t.inMs > 0).map((t) => t.taskName)
        for (const name of ran) expect(sleeping).toContain(name)
      }
    }
    expect([...woken].sort()).toEqual(['main', 'worker-1', 'worker-2', 'worker-3'])
    const resumed = await app.ok('loop:control', { loopId, action: 'resume' })
    expect(resumed.state).toBe('running')
    await app.ok('run:stop', { runId: run.runId, graceMs: 1000 })
  })

  it('changes speed live: the loop and the deltas carry the new rate', async () => {
    const app = openApp()
    const { run, loopId } = await heartbeatRun(app)
    const fast = await app.ok('loop:control', { loopId, action: 'speed', speed: 60 })
    expect(fast.speed).toBe(60)
    expect(app.core.monitor.clocks().find((c) => c.loop === loopId)?.rate).toBe(60)
    const virtual = await app.ok('loop:control', { loopId, action: 'speed', speed: 'virtual' })
    expect(virtual.speed).toBe('virtual')
    expect(app.core.monitor.clocks().find((c) => c.loop === loopId)?.rate).toBeNull()
    await app.ok('run:stop', { runId: run.runId, graceMs: 1000 })
  })

  it('refuses bad requests with typed errors and changes nothing', async () => {
    const app = openApp()
    const { run, loopId } = await heartbeatRun(app)
    expect(await app.call('loop:control', { loopId, action: 'step' })).toMatchObject({ ok: false, error: { code: 'invalid_state' } })
    expect(await app.call('loop:control', { loopId, action: 'speed' })).toMatchObject({ ok: false, error: { code: 'bad_request' } })
    expect(await app.call('loop:control', { loopId, action: 'pause', speed: 2 })).toMatchObject({ ok: false, error: { code: 'bad_request' } })
    expect(await app.call('loop:control', { loopId, action: 'speed', speed: 0 })).toMatchObject({ ok: false, error: { code: 'bad_request' } })
    expect(await app.call('loop:control', { loopId, action: 'explode' })).toMatchObject({ ok: false, error: { code: 'bad_request' } })
    expect(await app.call('loop:control', { loopId: 'run-999', action: 'pause' })).toMatchObject({ ok: false, error: { code: 'not_found' } })
    // A connected process's loop goes to its agent; with no such process it is not found.
    expect(await app.call('loop:control', { loopId: 'agent-1/main', action: 'pause' })).toMatchObject({ ok: false, error: { code: 'not_found' } })
    expect(await app.call('loop:inspect', { loopId, limit: 100_000 })).toMatchObject({ ok: false, error: { code: 'bad_request' } })
    const still = await app.ok('loop:inspect', { loopId, limit: 2 })
    expect(still.state).toBe('running')
    expect(still.timers.length).toBeLessThanOrEqual(2)
    await app.ok('run:stop', { runId: run.runId, graceMs: 1000 })
  })
})
