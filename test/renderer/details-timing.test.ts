// The details poll a task's step timing every second (task:get) while it lives. For a connected
// process's task each task:get costs a task:timing command to that process, so it is asked only
// when the deltas moved the task since the last ask, at most once a second, and at the latest every
// TIMING_STALE_MS; an app task is read on every poll (in-process, no command). Virtual clock.
import { describe, expect, it } from 'vitest'
import { DetailsState, TIMING_MIN_GAP_MS, TIMING_STALE_MS } from '../../src/renderer/src/state/details.svelte'
import { TaskStore } from '../../src/renderer/src/state/task-store.svelte'
import type { LoopwatchApi } from '../../src/shared/contract'
import { STEP_BUCKETS } from '../../src/shared/snapshots'
import type { StepTiming, TaskSnapshot } from '../../src/shared/snapshots'
import { delta, task } from './helpers'
import { openApp } from '../ipc/app-helper'
import { LOOP_MAIN, RawAgent, delta as agentDelta, snapshot } from '../hub/hub-helper'

const TIMING: StepTiming = { steps: 1, busyMs: 1, idleMs: 1, scheduledMs: 0, maxStepMs: 1, stepHist: [], scheduledHist: [] }
/** The details' poll period (TaskTiming.svelte). */
const POLL_MS = 1_000

function setup(t: TaskSnapshot) {
  let now = 0
  const asked: number[] = []
  const api = {
    invoke: async (channel: string, payload: { taskId: number }) => {
      if (channel !== 'task:get') throw new Error(`unexpected ${channel}`)
      asked.push(payload.taskId)
      return { ok: true, value: { task: t, logs: [], awaitChain: [], children: [], timing: TIMING } }
    },
  } as unknown as LoopwatchApi
  const store = new TaskStore()
  let seq = 0
  store.apply(delta(++seq, { created: [t] }))
  const details = new DetailsState(() => api, store, () => now)
  return {
    details,
    asked,
    /** The task moved: a delta with a new snapshot of it and one more closed segment. */
    step: (k: number) =>
      store.apply(delta(++seq, { changed: [{ ...t, state: k % 2 ? 'waiting' : 'running' }], segments: [{ taskId: t.id, first: k, segments: [{ state: 'running', from: k, to: k + 0.5 }], open: { state: 'waiting', from: k + 0.5 } }] })),
    advance: (ms: number) => void (now += ms),
  }
}

/** `seconds` of the details' poll: opened (load), then loadTiming every POLL_MS, `each` before every poll. */
async function poll(s: ReturnType<typeof setup>, taskId: number, seconds: number, each: (k: number) => void = () => {}): Promise<void> {
  await s.details.load(taskId)
  await s.details.loadTiming(taskId) // TaskTiming's effect asks at once too
  for (let k = 1; k <= seconds; k++) {
    s.advance(POLL_MS)
    each(k)
    await s.details.loadTiming(taskId)
  }
}

describe('the details’ timing poll', () => {
  it('a connected task that does not move is asked when opened, then once per TIMING_STALE_MS, not every second', async () => {
    const t = task({ id: 1_000_000_007, localId: 7, loop: 'agent-1/main', state: 'waiting' })
    const s = setup(t)
    const seconds = 30
    await poll(s, t.id, seconds)
    expect(s.asked).toHaveLength(1 + Math.floor((seconds * POLL_MS) / TIMING_STALE_MS))
    expect(s.details.timingOf).toBe(t.id)
    expect(s.details.timing).toEqual(TIMING)
  })

  it('a connected task that moves between polls is asked on every poll', async () => {
    const t = task({ id: 1_000_000_008, localId: 8, loop: 'agent-1/main' })
    const s = setup(t)
    await poll(s, t.id, 30, (k) => s.step(k))
    expect(s.asked).toHaveLength(1 + 30)
  })

  it('a connected task whose deltas come faster than the poll is asked at most once per TIMING_MIN_GAP_MS', async () => {
    const t = task({ id: 1_000_000_009, localId: 9, loop: 'agent-1/main' })
    const s = setup(t)
    await s.details.load(t.id)
    // Ten deltas a second, each followed by a refresh (as a restarted poll would ask).
    for (let k = 1; k <= 100; k++) {
      s.advance(100)
      s.step(k)
      await s.details.loadTiming(t.id)
    }
    expect(s.asked.length).toBeLessThanOrEqual(1 + (100 * 100) / TIMING_MIN_GAP_MS)
    expect(s.asked.length).toBeGreaterThanOrEqual((100 * 100) / TIMING_MIN_GAP_MS)
  })

  it('an app task (no localId: in-process, no command) is read on every poll as before', async () => {
    const t = task({ id: 5, state: 'waiting' })
    const s = setup(t)
    await poll(s, t.id, 10)
    expect(s.asked).toHaveLength(2 + 10)
  })

  it('through the app: a still connected task costs its process one task:timing per TIMING_STALE_MS, a moving one one per poll', async () => {
    const app = openApp()
    const hub = (await app.core.hubReady)!
    const { agent } = await RawAgent.hello(hub, { name: 'svc' })
    const commands: number[] = []
    agent.socket.on('data', () => {
      for (const m of agent.lines.splice(0)) {
        if (m.type !== 'task:timing') continue
        commands.push(m.taskId)
        agent.send({ type: 'result', id: m.id, ok: true, value: { ...TIMING, stepHist: Array(STEP_BUCKETS).fill(0), scheduledHist: Array(STEP_BUCKETS).fill(0) } })
      }
    })
    agent.send(LOOP_MAIN)
    agent.send(agentDelta(1, { created: [snapshot(7, { name: 'still', state: 'waiting' }), snapshot(8, { name: 'busy' })] }))
    const still = await app.until(() => [...app.view().values()].find((t) => t.name === 'still'))
    const busy = await app.until(() => [...app.view().values()].find((t) => t.name === 'busy'))
    let now = 0
    const api = { invoke: (channel: string, payload: unknown) => app.call(channel, payload) } as unknown as LoopwatchApi
    const store = new TaskStore()
    store.apply(delta(1, { created: [still, busy] }))
    const details = new DetailsState(() => api, store, () => now)
    const seconds = 20
    for (const [t, moves] of [[still, false], [busy, true]] as const) {
      await details.load(t.id)
      for (let k = 1; k <= seconds; k++) {
        now += POLL_MS
        if (moves) store.apply(delta(1 + k + (t === busy ? seconds : 0), { changed: [{ ...t, state: k % 2 ? 'waiting' : 'running' }] }))
        await details.loadTiming(t.id)
      }
    }
    expect(details.timing).not.toBeNull()
    expect(commands.filter((id) => id === 7)).toHaveLength(1 + (seconds * POLL_MS) / TIMING_STALE_MS)
    expect(commands.filter((id) => id === 8)).toHaveLength(1 + seconds)
  })
})
