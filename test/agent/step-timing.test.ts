// watch() times steps by default, as the app's own monitor does: a step that holds the loop past
// the threshold reaches the hub as a slow step of its task, and task:timing answers where the
// task's real time went. `stepTiming: false` turns it off; a bad value is a typed error.
import { afterEach, describe, expect, it } from 'vitest'
import { WatchOptionError } from '../../src/agent/index'
import { watch } from '../../src/agent/watch'
import type { Watcher } from '../../src/agent/watch'
import { createTask, run, sleep } from '../../src/main/runtime/index'
import { appUrl } from '../../src/shared/agent-protocol/index'
import type { AgentHub } from '../../src/main/hub/index'
import { STEP_BUCKETS } from '../../src/shared/snapshots'
import type { SlowStep } from '../../src/shared/snapshots'
import { eventually, startHub } from '../hub/hub-helper'

let watcher: Watcher | null = null
afterEach(async () => {
  await watcher?.close()
  watcher = null
})

/** Holds the thread for `ms` real ms (what a blocking call in a step does to its loop). */
function block(ms: number): void {
  const end = performance.now() + ms
  while (performance.now() < end) {
    // spin
  }
}

/** A task that sleeps, blocks its loop 60 ms in one step, sleeps again and ends. */
async function program(): Promise<void> {
  await createTask(
    async () => {
      await sleep(5)
      block(60)
      await sleep(5)
    },
    { name: 'blocker' },
  )
}

function slowStepsOf(hub: AgentHub): SlowStep[] {
  const got: SlowStep[] = []
  hub.onChange((c) => void (c.kind === 'tasks' && got.push(...(c.delta.slowSteps ?? []))))
  return got
}

const blockerOf = (hub: AgentHub) => hub.tasks('agent-1').find((t) => t.task.name === 'blocker')?.task

describe('watch() step timing', () => {
  it('is on by default: the 60 ms step reaches the hub as a slow step of its task, and task:timing answers its time', { timeout: 20_000 }, async () => {
    const hub = await startHub()
    const slow = slowStepsOf(hub)
    watcher = watch({ app: appUrl(hub) })
    await eventually(() => watcher!.connection.status.state === 'connected')
    await run(program)
    await eventually(() => blockerOf(hub)?.state === 'done' && slow.length > 0, 10_000)
    const blocker = blockerOf(hub)!
    // (a loaded machine may make another of its steps slow too: the 60 ms one is the one asked for)
    const mine = slow.filter((s) => s.taskId === blocker.id && s.durationMs >= 60)
    expect(mine).toHaveLength(1)
    expect(mine[0]).toMatchObject({ taskName: 'blocker', loop: blocker.loop, runId: null, resumedFrom: expect.stringMatching(/^sleep/), parkedOn: expect.stringMatching(/^sleep/) })

    const timing = await hub.sendCommand('agent-1', { type: 'task:timing', taskId: blocker.id })
    if (!timing.ok) throw new Error(timing.error.message)
    const t = timing.value!
    expect(t.steps).toBe(3) // its first step, then one after each sleep
    expect(t.maxStepMs).toBeGreaterThanOrEqual(60)
    expect(t.busyMs).toBeGreaterThanOrEqual(t.maxStepMs)
    expect(t.stepHist).toHaveLength(STEP_BUCKETS)
    expect(t.stepHist.reduce((a, b) => a + b, 0)).toBe(3)
    expect(t.idleMs).toBeGreaterThan(0) // two sleeps of 5 ms
  })

  it('task:timing for a task the source never had is unknown_task', async () => {
    const hub = await startHub()
    watcher = watch({ app: appUrl(hub) })
    await eventually(() => watcher!.connection.status.state === 'connected')
    await run(program)
    await eventually(() => blockerOf(hub)?.state === 'done')
    const outcome = await hub.sendCommand('agent-1', { type: 'task:timing', taskId: 9_999 })
    expect(outcome).toMatchObject({ ok: false, error: { code: 'unknown_task' } })
  })

  it('with stepTiming false nothing is timed: no slow steps, task:timing answers null', { timeout: 20_000 }, async () => {
    const hub = await startHub()
    const slow = slowStepsOf(hub)
    watcher = watch({ app: appUrl(hub), stepTiming: false })
    await eventually(() => watcher!.connection.status.state === 'connected')
    await run(program)
    await eventually(() => blockerOf(hub)?.state === 'done')
    const timing = await hub.sendCommand('agent-1', { type: 'task:timing', taskId: blockerOf(hub)!.id })
    expect(timing).toEqual({ ok: true, value: null })
    expect(slow).toEqual([])
  })

  it('a threshold above the step lets it pass unrecorded, but the step is still timed', { timeout: 20_000 }, async () => {
    const hub = await startHub()
    const slow = slowStepsOf(hub)
    watcher = watch({ app: appUrl(hub), stepTiming: { thresholdMs: 5_000 } })
    await eventually(() => watcher!.connection.status.state === 'connected')
    await run(program)
    await eventually(() => blockerOf(hub)?.state === 'done')
    const timing = await hub.sendCommand('agent-1', { type: 'task:timing', taskId: blockerOf(hub)!.id })
    expect(timing.ok && timing.value!.maxStepMs).toBeGreaterThanOrEqual(60)
    expect(slow).toEqual([])
  })

  it.each([
    ['a zero threshold', { thresholdMs: 0 }, /thresholdMs must be 1 … 60000/],
    ['a threshold past a minute', { thresholdMs: 60_001 }, /thresholdMs must be 1 … 60000/],
    ['NaN', { thresholdMs: Number.NaN }, /thresholdMs must be/],
    ['a string', { thresholdMs: '20' }, /thresholdMs must be .* got string/],
    ['true', true, /stepTiming must be false or \{ thresholdMs \}, got boolean/],
    ['a misspelt field', { threshold: 20 }, /only thresholdMs, not threshold/],
  ])('refuses %s with a WatchOptionError, watching nothing', (_what, stepTiming, message) => {
    let thrown: unknown
    try {
      watch({ app: 'tcp://127.0.0.1:1?token=x', stepTiming: stepTiming as never })
    } catch (e) {
      thrown = e
    }
    expect(thrown).toBeInstanceOf(WatchOptionError)
    expect(thrown).toMatchObject({ code: 'bad-watch-option', message: expect.stringMatching(message) })
    // Nothing was started: the next watch() makes a watcher of its own.
    watcher = watch({ app: 'tcp://127.0.0.1:1?token=x', stepTiming: false })
    expect(watcher.monitor.slowSteps).toBeNull()
  })
})
