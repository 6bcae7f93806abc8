// Issue 11 §4: after a graceful shutdown whose grace ran out, a forced task ends in a truthful final
// state (`abandoned`) instead of staying "cancelling" forever, and leaves every count.
import { describe, expect, it } from 'vitest'
import { CancelledError, EventLoop, FINAL_STATES, VirtualClock, shield, sleep } from '../../src/main/runtime/index'
import type { Handle, WallTimer } from '../../src/main/runtime/index'
import { TaskMonitor } from '../../src/main/monitor/index'
import { manualTimers } from '../monitor/monitor-helper'

/** A virtual-clock loop whose grace timer runs on that clock too: "the grace ran out" is exact. */
function loopWithVirtualWall(): EventLoop {
  const clock = new VirtualClock()
  const wallTimer: WallTimer = {
    now: () => clock.now(),
    setTimeout: (fn, ms) => loop.callLater(ms, fn),
    clearTimeout: (h) => (h as Handle).cancel(),
  }
  const loop: EventLoop = new EventLoop({ clock, wallTimer })
  return loop
}

/** A task that swallows every cancellation: it never ends on its own. */
async function stubborn(): Promise<void> {
  for (;;) {
    try {
      await sleep(10)
    } catch {
      // ignores the CancelledError and goes on
    }
  }
}

function watched(loop: EventLoop): TaskMonitor {
  const monitor = new TaskMonitor({ timers: manualTimers(), emit: () => {} })
  monitor.attach(loop, { label: 'run-1', runId: 1, rate: null })
  return monitor
}

describe('a task forced by a shutdown whose grace ran out', () => {
  it('ends abandoned: done, cancelled as a future, out of the loop and out of every count', async () => {
    const loop = loopWithVirtualWall()
    const monitor = watched(loop)
    const stuck = loop.createTask(stubborn, { name: 'stubborn' })
    const polite = loop.createTask(() => sleep(60_000), { name: 'polite' })
    await loop.runUntilComplete(() => sleep(5))

    const report = await loop.shutdown({ graceMs: 100 })
    expect(report.forced).toEqual([{ id: stuck.id, name: 'stubborn' }])
    expect(report.finished).toEqual([{ id: polite.id, name: 'polite', state: 'cancelled' }])

    expect(stuck.state).toBe('abandoned')
    expect(FINAL_STATES).toContain(stuck.state)
    expect(stuck.done()).toBe(true)
    expect(stuck.cancelled()).toBe(true)
    expect(stuck.cancelledBy()).toMatchObject({ source: 'shutdown', reason: 'graceful shutdown' })
    expect(() => stuck.result()).toThrow(CancelledError)
    expect(loop.allTasks().has(stuck)).toBe(false)
    expect(Number.isNaN(stuck.endedAt)).toBe(false)

    monitor.flushNow()
    expect(monitor.get(stuck.id)?.state).toBe('abandoned')
    expect(monitor.get(stuck.id)?.endedAt).not.toBeNull()
    expect(monitor.get(stuck.id)?.cancel?.source).toBe('shutdown')
    expect(monitor.countByState()).toEqual({}) // nothing left running, waiting or cancelling
    monitor.dispose()
  })

  it('is never resumed again: the loop runs on without stepping it', async () => {
    const loop = loopWithVirtualWall()
    let rounds = 0
    const stuck = loop.createTask(async () => {
      for (;;) {
        try {
          await sleep(10)
        } catch {
          // swallowed
        }
        rounds++
      }
    })
    await loop.runUntilComplete(() => sleep(35))
    await loop.shutdown({ graceMs: 50 })
    const after = rounds
    await loop.runUntilComplete(() => sleep(1000)) // a loop that goes on after its shutdown
    expect(stuck.state).toBe('abandoned')
    expect(rounds).toBe(after)
  })

  it('a task awaiting forever behind a shield is abandoned too, and a second shutdown has nothing to wait for', async () => {
    const loop = loopWithVirtualWall()
    const never = loop.createFuture<void>()
    const shielded = loop.createTask(async () => await shield(never), { name: 'shielded' })
    const forever = loop.createTask(
      async () => {
        try {
          await sleep(60_000)
        } finally {
          await never // its cleanup never ends
        }
      },
      { name: 'cleanup-forever' },
    )
    await loop.runUntilComplete(() => sleep(1))
    const first = await loop.shutdown({ graceMs: 20 })
    // shield: the task itself is cancelled at once (the shield protects only the inner future)
    expect(shielded.state).toBe('cancelled')
    expect(first.forced.map((f) => f.name)).toEqual(['cleanup-forever'])
    expect(forever.state).toBe('abandoned')
    // asyncio.run's exit (no time limit): before, it waited forever on the forced task
    const second = await loop.shutdown({ graceMs: Infinity, recancel: true })
    expect(second).toMatchObject({ finished: [], forced: [] })
  })
})
