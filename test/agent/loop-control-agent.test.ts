// Loop controls and resources of a real watched child process, from the hub and through the
// app's routing (ExternalSources, LoopControls, loop:resources): ids in the window's terms.
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { afterEach, describe, expect, it } from 'vitest'
import { appUrl } from '../../src/shared/agent-protocol/index'
import type { CommandValue } from '../../src/shared/agent-protocol/index'
import type { AgentHub } from '../../src/main/hub/index'
import { ExternalSources } from '../../src/main/sources/external-sources'
import { LoopControls } from '../../src/main/app/loop-controls'
import { allLoopResources } from '../../src/main/ipc/resources-handler'
import { TaskMonitor } from '../../src/main/monitor/index'
import type { LoopView } from '../../src/shared/loop-control-contract'
import { eventually, startHub, tempDir } from '../hub/hub-helper'
import { fakeAgent } from '../app/source-agents'

const PROGRAM = new URL('./programs/lock-ticker.mts', import.meta.url).pathname
let child: ChildProcess | null = null
afterEach(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL')
  child = null
})

async function startChild(hub: AgentHub): Promise<void> {
  child = spawn(process.execPath, ['--import', 'tsx', PROGRAM], { env: { ...process.env, LOOPWATCH_APP: appUrl(hub) }, stdio: 'ignore' })
  await eventually(() => (hub.source('agent-1')?.loops.length ?? 0) > 0 && hub.tasks('agent-1').some((t) => t.task.name === 'waiter' && t.task.state === 'waiting'), 20_000)
}

const localId = (hub: AgentHub, name: string) => hub.tasks('agent-1').find((t) => t.task.name === name)!.task.id
/** When the ticker's next tick is due (its sleep timer): it moves by one tick per iteration that ran it. */
const tickerDue = (view: LoopView | CommandValue<'loop:inspect'>) => view.timers.find((t) => t.taskName === 'ticker' && t.kind === 'sleep')?.when

describe('loop controls of a watched process', () => {
  it('pauses its loop from the hub, steps one iteration, resumes', async () => {
    const hub = await startHub()
    await startChild(hub)
    const loopId = hub.source('agent-1')!.loops[0]!.label
    const paused = await hub.sendCommand('agent-1', { type: 'loop:control', loopId, action: 'pause' })
    expect(paused).toMatchObject({ ok: true, value: { loopId } })
    let view: CommandValue<'loop:inspect'> | null = null
    for (const end = Date.now() + 5_000; Date.now() < end; ) {
      const r = await hub.sendCommand('agent-1', { type: 'loop:inspect', loopId })
      if (r.ok && r.value.state === 'paused') {
        view = r.value
        break
      }
    }
    expect(view?.state).toBe('paused')
    const due = tickerDue(view!)!
    expect(due).toBeTypeOf('number')
    // Held: asking again shows the same next tick.
    const again = await hub.sendCommand('agent-1', { type: 'loop:inspect', loopId })
    expect(again.ok && tickerDue(again.value)).toBe(due)
    // One iteration at a time: the first fires the ticker's timer (its step is then ready, no
    // sleep timer), the next runs that step (a new sleep, one tick later); held after each.
    let stepped = again
    for (let i = 0; i < 10 && stepped.ok && (tickerDue(stepped.value) ?? due) === due; i++) {
      stepped = await hub.sendCommand('agent-1', { type: 'loop:control', loopId, action: 'step' })
      expect(stepped).toMatchObject({ ok: true })
    }
    expect(stepped.ok && stepped.value.state).toBe('paused')
    const next = stepped.ok ? tickerDue(stepped.value)! : NaN
    // Its tick ran during the steps (its new 20 ms sleep began between the two readings), once.
    const before = again.ok ? again.value.now : NaN
    expect(next).toBeGreaterThan(due)
    expect(next - 20).toBeGreaterThanOrEqual(before)
    expect(next - 20).toBeLessThanOrEqual(stepped.ok ? stepped.value.now : NaN)
    expect(stepped.ok && stepped.value.timers.filter((t) => t.taskName === 'ticker')).toHaveLength(1)
    // A step on a running loop is refused, typed.
    expect(await hub.sendCommand('agent-1', { type: 'loop:control', loopId, action: 'resume' })).toMatchObject({ ok: true, value: { state: 'running' } })
    expect(await hub.sendCommand('agent-1', { type: 'loop:control', loopId, action: 'step' })).toMatchObject({ ok: false, error: { code: 'invalid_state' } })
    let later = next
    for (const end = Date.now() + 5_000; Date.now() < end && later < next + 100; ) {
      const r = await hub.sendCommand('agent-1', { type: 'loop:inspect', loopId })
      if (r.ok) later = tickerDue(r.value) ?? later
    }
    expect(later).toBeGreaterThanOrEqual(next + 100)
    expect(await hub.sendCommand('agent-1', { type: 'loop:inspect', loopId: 'loop-99' })).toMatchObject({ ok: false, error: { code: 'unknown_loop' } })
  })

  it('answers its resources: the Lock db held by holder, waited on by waiter', async () => {
    const hub = await startHub()
    await startChild(hub)
    const r = await hub.sendCommand('agent-1', { type: 'resources' })
    if (!r.ok) throw new Error(r.error.message)
    const db = r.value.loops.flatMap((l) => l.resources).find((x) => x.label === 'db')
    expect(db).toMatchObject({ kind: 'Lock', locked: true, holders: [localId(hub, 'holder')], waiters: [{ taskId: localId(hub, 'waiter'), op: 'acquire' }] })
  })

  it('routes the window’s loop:control, loop:inspect and loop:resources to the process, in global ids', async () => {
    const hub = await startHub()
    const sources = new ExternalSources({ emit: () => {}, onSources: () => {} })
    sources.attach(hub)
    await startChild(hub)
    const monitor = new TaskMonitor({ emit: () => {} })
    const controls = new LoopControls(monitor, sources)
    const loopId = `agent-1/${hub.source('agent-1')!.loops[0]!.label}`
    const paused = await controls.control({ loopId, action: 'pause' })
    expect(paused.loopId).toBe(loopId)
    const inspected = await controls.inspect(loopId)
    const tickerId = sources.ids.global('agent-1', localId(hub, 'ticker'))
    expect(inspected.timers.find((t) => t.taskName === 'ticker')).toMatchObject({ taskId: tickerId, text: expect.stringContaining(`Task ticker (#${tickerId})`) })
    expect((await controls.control({ loopId, action: 'resume' })).state).toBe('running')
    const all = await allLoopResources(monitor, sources, null)
    const db = all.loops.flatMap((l) => l.resources).find((x) => x.label === 'db')
    expect(all.loops.map((l) => l.loop)).toEqual([loopId])
    expect(db).toMatchObject({ holders: [sources.ids.global('agent-1', localId(hub, 'holder'))], waiters: [{ taskId: sources.ids.global('agent-1', localId(hub, 'waiter')) }] })
    expect((await allLoopResources(monitor, sources, loopId)).loops).toHaveLength(1)
    await expect(controls.inspect('agent-1/loop-99')).rejects.toMatchObject({ code: 'not_found' })
    monitor.dispose()
  })

  it('an agent that answers unknown_command to loop commands reads unsupported, and its resources are left out', async () => {
    const dataDir = await tempDir()
    const hub = await startHub({ dataDir })
    const sources = new ExternalSources({ emit: () => {}, onSources: () => {} })
    sources.attach(hub)
    const fake = await fakeAgent(dataDir, 'worker.py')
    await eventually(() => (hub.source('agent-1')?.loops.length ?? 0) > 0)
    const controls = new LoopControls(new TaskMonitor({ emit: () => {} }), sources)
    const loopId = `agent-1/${hub.source('agent-1')!.loops[0]!.label}`
    await expect(controls.control({ loopId, action: 'pause' })).rejects.toMatchObject({ code: 'unsupported', message: expect.stringContaining('does not know the command loop:control') })
    expect(await sources.resources(null)).toEqual([])
    // Not asked again while it stays connected: the loop:resources poll costs it nothing more.
    expect(await sources.resources(null)).toEqual([])
    expect(fake.commands.map((c) => c.type)).toEqual(['loop:control', 'resources'])
  })
})
