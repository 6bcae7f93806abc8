// A connected process's step timing and slow steps in the window's terms: task:get asks the
// process (`task:timing`) and shows its answer like a local task's; an agent that does not know
// the command, or never answers, leaves the details without timing, opened at once; slow steps
// arrive with app-wide task ids and the source's loop label.
import { describe, expect, it } from 'vitest'
import { STEP_BUCKETS } from '../../src/shared/snapshots'
import type { SlowStep, StepTiming, TaskDelta } from '../../src/shared/snapshots'
import type { HubMessage } from '../../src/shared/agent-protocol/index'
import { openApp } from '../ipc/app-helper'
import { RawAgent, LOOP_MAIN, delta, snapshot } from '../hub/hub-helper'

const TIMING: StepTiming = {
  steps: 3,
  busyMs: 51.5,
  idleMs: 12,
  scheduledMs: 0.25,
  maxStepMs: 50.25,
  stepHist: Array.from({ length: STEP_BUCKETS }, (_, i) => (i === 2 ? 2 : i === 16 ? 1 : 0)),
  scheduledHist: Array.from({ length: STEP_BUCKETS }, (_, i) => (i === 8 ? 3 : 0)),
}

/** Answers every `task:timing` the hub sends with `answer(command)` (or not at all: undefined). */
function answerTiming(agent: RawAgent, answer: (m: Extract<HubMessage, { type: 'task:timing' }>) => object | undefined): HubMessage[] {
  const seen: HubMessage[] = []
  agent.socket.on('data', () => {
    for (const m of agent.lines.splice(0)) {
      seen.push(m)
      if (m.type !== 'task:timing') continue
      const result = answer(m)
      if (result) agent.send({ type: 'result', id: m.id, ...result })
    }
  })
  return seen
}

async function connectedTask(app: ReturnType<typeof openApp>, runtime: 'node' | 'python' = 'node') {
  const hub = (await app.core.hubReady)!
  const { agent } = await RawAgent.hello(hub, { name: 'svc', runtime: { kind: runtime, version: '1' } })
  agent.send(LOOP_MAIN)
  agent.send(delta(1, { created: [snapshot(17, { name: 'crunch' })] }))
  const task = await app.until(() => [...app.view().values()].find((t) => t.name === 'crunch'))
  return { agent, task }
}

describe('a connected process’s step timing in task:get', () => {
  it('asks the task’s process with its own id and returns the answer as the details’ timing', async () => {
    const app = openApp()
    const { agent, task } = await connectedTask(app)
    const seen = answerTiming(agent, () => ({ ok: true, value: TIMING }))
    const detail = await app.ok('task:get', { taskId: task.id })
    expect(detail.task.id).toBe(task.id)
    expect(detail.timing).toEqual(TIMING)
    expect(seen.filter((m) => m.type === 'task:timing')).toMatchObject([{ type: 'task:timing', taskId: 17 }])
  })

  it('an agent that answers unknown_command gives no timing and is not asked again until it reconnects', async () => {
    const app = openApp()
    const { agent, task } = await connectedTask(app, 'python')
    const seen = answerTiming(agent, () => ({ ok: false, error: { code: 'unknown_command', message: 'this agent does not know task:timing' } }))
    const first = await app.ok('task:get', { taskId: task.id })
    expect(first.task.name).toBe('crunch')
    expect(first.timing).toBeUndefined()
    const second = await app.ok('task:get', { taskId: task.id })
    expect(second.timing).toBeUndefined()
    expect(seen.filter((m) => m.type === 'task:timing')).toHaveLength(1)
  })

  it('an agent that never answers leaves the details without timing, opened long before the 10 s command timeout', async () => {
    const app = openApp()
    const { agent, task } = await connectedTask(app, 'python')
    const seen = answerTiming(agent, () => undefined)
    const started = Date.now()
    const detail = await app.ok('task:get', { taskId: task.id })
    // Generous: the wait is 250 ms, a loaded machine adds to it; the hub's own timeout is 10 s.
    expect(Date.now() - started).toBeLessThan(3_000)
    expect(detail.task.name).toBe('crunch')
    expect(detail.timing).toBeUndefined()
    expect(seen.some((m) => m.type === 'task:timing')).toBe(true)
  })

  it('a timing that breaks the schema (a short histogram) is refused by the hub: no timing', async () => {
    const app = openApp()
    const { agent, task } = await connectedTask(app)
    answerTiming(agent, () => ({ ok: true, value: { ...TIMING, stepHist: [1, 2, 3] } }))
    const detail = await app.ok('task:get', { taskId: task.id })
    expect(detail.timing).toBeUndefined()
  })
})

describe('a connected process’s slow steps', () => {
  it('reach the window with the app-wide task id and the source’s loop; one naming an unknown task is dropped', async () => {
    const app = openApp()
    const { agent, task } = await connectedTask(app)
    const step = (seq: number, taskId: number): SlowStep => ({
      seq,
      loop: 'main',
      runId: null,
      taskId,
      taskName: 'crunch',
      durationMs: 52.5,
      at: { loop: 100, wall: 1_700_000_000_100 },
      resumedFrom: 'sleep 0.01 s',
      parkedOn: null,
    })
    agent.send(delta(2, { slowSteps: [step(1, 17), step(2, 99)] }))
    const got = await app.until(() =>
      app.events.flatMap((e) => (e.event === 'tasks:delta' ? ((e.payload as TaskDelta).slowSteps ?? []) : [])).find((s) => s.taskName === 'crunch'),
    )
    expect(got).toMatchObject({ taskId: task.id, loop: task.loop, durationMs: 52.5, resumedFrom: 'sleep 0.01 s', parkedOn: null })
    expect(task.loop).toMatch(/^agent-\d+\/main$/)
    const all = app.events.flatMap((e) => (e.event === 'tasks:delta' ? ((e.payload as TaskDelta).slowSteps ?? []) : []))
    expect(all).toHaveLength(1)
    // steps:slow (what the Slow steps view reloads when shown) lists it beside the app's own, and
    // still does after the window's threshold is set (that threshold is the app's own).
    expect((await app.ok('steps:slow')).steps.filter((s) => s.taskId === task.id)).toEqual([got])
    expect((await app.ok('steps:setThreshold', { thresholdMs: 40 })).steps.filter((s) => s.taskId === task.id)).toEqual([got])
  })

  it('steps:slow keeps the newest 500 of a source', async () => {
    const app = openApp()
    const { agent, task } = await connectedTask(app)
    const step = (seq: number): SlowStep => ({ seq, loop: 'main', runId: null, taskId: 17, taskName: 'crunch', durationMs: 30, at: { loop: seq, wall: 1_700_000_000_000 + seq }, resumedFrom: null, parkedOn: null })
    for (let d = 0; d < 3; d++) agent.send(delta(2 + d, { slowSteps: Array.from({ length: 300 }, (_, i) => step(d * 300 + i + 1)) }))
    await app.until(() => app.events.some((e) => e.event === 'tasks:delta' && (e.payload as TaskDelta).slowSteps?.some((s) => s.seq === 900)))
    const kept = (await app.ok('steps:slow')).steps.filter((s) => s.taskId === task.id)
    expect(kept.map((s) => s.seq)).toEqual(Array.from({ length: 500 }, (_, i) => 401 + i))
  })
})
