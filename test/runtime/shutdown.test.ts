import { describe, expect, it } from 'vitest'
import { CancelledError, createTask, getRunningLoop, run, sleep } from '../../src/main/runtime/index'
import type { Task } from '../../src/main/runtime/index'
import { EventLoop, ScaledClock, VirtualClock } from '../../src/main/runtime/index'
import type { Handle, WallTimer } from '../../src/main/runtime/index'
import { stopTasks } from '../../src/main/daemons/stop-tasks'
import { virtualLoop } from './support'

/**
 * A loop on a virtual clock whose wall timer (the grace periods' timer) also runs on that clock,
 * so a test can say "the grace ran out after 2000 ms" exactly and at once.
 */
function loopWithVirtualWall(): { loop: EventLoop; clock: VirtualClock } {
  const clock = new VirtualClock()
  const wallTimer: WallTimer = {
    now: () => clock.now(),
    setTimeout: (fn, ms) => loop.callLater(ms, fn),
    clearTimeout: (h) => (h as Handle).cancel(),
  }
  const loop: EventLoop = new EventLoop({ clock, wallTimer })
  return { loop, clock }
}

/** Runs the loop until every task created so far has taken its first step and parked. */
async function startAll(loop: EventLoop): Promise<void> {
  await loop.runUntilComplete(() => sleep(0))
}

describe('graceful shutdown', () => {
  it('cancels every task newest-first with source shutdown and lets cleanup run', async () => {
    const { loop } = virtualLoop()
    const order: string[] = []
    const worker = (name: string, cleanupMs: number) => async () => {
      try {
        await sleep(60_000)
      } catch (e) {
        order.push(`${name} cancelled by ${(e as CancelledError).source} at ${getRunningLoop().time()}`)
        await sleep(cleanupMs)
        order.push(`${name} cleaned up at ${getRunningLoop().time()}`)
        throw e
      }
    }
    const tasks = ['w1', 'w2', 'w3'].map((n, i) => loop.createTask(worker(n, 100 * (i + 1)), { name: n }))
    await startAll(loop)
    const report = await loop.shutdown({ graceMs: 5000 })
    expect(order.slice(0, 3)).toEqual(['w3 cancelled by shutdown at 0', 'w2 cancelled by shutdown at 0', 'w1 cancelled by shutdown at 0'])
    expect(order.slice(3)).toEqual(['w1 cleaned up at 100', 'w2 cleaned up at 200', 'w3 cleaned up at 300'])
    expect(report.finished.map((f) => [f.name, f.state])).toEqual([
      ['w3', 'cancelled'],
      ['w2', 'cancelled'],
      ['w1', 'cancelled'],
    ])
    expect(report.forced).toEqual([])
    expect(report.cleanupErrors).toEqual([])
    expect(report.elapsedMs).toBe(300)
    expect(tasks.every((t) => t.cancelled())).toBe(true)
  })

  it('reports tasks still cleaning up when the grace period runs out as forced, and failed cleanups as errors', async () => {
    const { loop } = loopWithVirtualWall() // the grace is wall time: a wall timer on the virtual clock keeps this exact
    loop.createTask(
      async () => {
        try {
          await sleep(60_000)
        } finally {
          await sleep(10_000) // longer than the grace period
        }
      },
      { name: 'slow-cleanup' },
    )
    loop.createTask(
      async () => {
        try {
          await sleep(60_000)
        } catch {
          throw new Error('disk full while flushing')
        }
      },
      { name: 'broken-cleanup' },
    )
    loop.createTask(() => sleep(60_000), { name: 'plain' })
    await startAll(loop)
    const report = await loop.shutdown({ graceMs: 2000 })
    expect(report.graceMs).toBe(2000)
    expect(report.elapsedMs).toBe(2000)
    expect(report.forced.map((f) => f.name)).toEqual(['slow-cleanup'])
    expect(report.finished.map((f) => [f.name, f.state])).toEqual([
      ['plain', 'cancelled'],
      ['broken-cleanup', 'failed'],
    ])
    expect(report.cleanupErrors).toEqual([expect.objectContaining({ name: 'broken-cleanup', message: 'Error: disk full while flushing' })])
  })

  it('a task cancelled by shutdown before its first step never runs its body', async () => {
    const { loop } = virtualLoop()
    let ran = false
    loop.createTask(async () => {
      ran = true
    })
    const report = await loop.shutdown({ graceMs: 1000 })
    expect(ran).toBe(false)
    expect(report.finished.map((f) => f.state)).toEqual(['cancelled'])
  })

  it('a task already cancelling is not asked again, so its cleanup finishes', async () => {
    const { loop } = virtualLoop()
    const said: string[] = []
    const t = loop.createTask(async () => {
      try {
        await sleep(60_000)
      } catch {
        await sleep(1000) // cleanup a second cancel would interrupt
        said.push(`cleanup finished at ${getRunningLoop().time()}`)
      }
    })
    await startAll(loop)
    t.cancel('stop button')
    const report = await loop.shutdown({ graceMs: 5000 })
    expect(said).toEqual(['cleanup finished at 1000'])
    expect(t.cancelling()).toBe(1)
    expect(report.finished).toEqual([{ id: t.id, name: t.name, state: 'done' }])
    expect(report.elapsedMs).toBe(1000)
  })

  it('with nothing to cancel, reports at once', async () => {
    const { loop } = virtualLoop()
    const report = await loop.shutdown({ graceMs: 1000 })
    expect(report).toEqual({ graceMs: 1000, elapsedMs: 0, wallMs: 0, finished: [], forced: [], cleanupErrors: [] })
  })

  it('refuses a negative or NaN grace period and cancels nothing', async () => {
    const { loop } = virtualLoop()
    const t = loop.createTask(() => sleep(100))
    await expect(loop.shutdown({ graceMs: -1 })).rejects.toThrow(TypeError)
    await expect(loop.shutdown({ graceMs: Number.NaN })).rejects.toThrow(TypeError)
    expect(t.cancelling()).toBe(0)
    await loop.runUntilComplete(t)
  })

  it('run() cancels what is left when main returns and waits for its cleanup', async () => {
    const seen: string[] = []
    let leftover!: Task<unknown>
    const r = await run(
      async () => {
        leftover = createTask(async () => {
          try {
            await sleep(60_000)
          } finally {
            await sleep(50)
            seen.push(`leftover cleaned up at ${getRunningLoop().time()}`)
          }
        })
        await sleep(10)
        return 'main result'
      },
      { clock: new (await import('../../src/main/runtime/index')).VirtualClock() },
    )
    expect(r).toBe('main result')
    expect(seen).toEqual(['leftover cleaned up at 60'])
    expect(leftover.cancelled()).toBe(true)
  })

  it('a shutdown while runUntilComplete drives the loop cancels main too and still reports', async () => {
    const { loop } = virtualLoop()
    const never = loop.createFuture<void>()
    const main = loop.createTask(async () => {
      try {
        await never
      } finally {
        await sleep(100)
      }
    })
    const running = loop.runUntilComplete(main).catch((e: unknown) => e)
    await new Promise((r) => setImmediate(r))
    const report = await loop.shutdown({ graceMs: 1000 })
    expect(await running).toBeInstanceOf(CancelledError)
    expect(report.finished).toEqual([{ id: main.id, name: main.name, state: 'cancelled' }])
    expect(report.elapsedMs).toBe(100)
  })
})

describe('graceful shutdown on a loop someone else runs', () => {
  it('reports the time cleanup really took and does not move a virtual clock to the end of the grace period', async () => {
    const { loop } = virtualLoop()
    loop.createTask(async () => {
      for (;;) await sleep(1000)
    })
    let seen: [number, number] | null = null
    loop.callLater(3500, () => {
      void loop.shutdown({ graceMs: 2000 }).then((r) => {
        seen = [r.elapsedMs, loop.time()]
        loop.stop()
      })
    })
    await loop.runForever()
    expect(seen).toEqual([0, 3500])
  })
})

describe('the grace period is wall-clock time, whatever the loop clock', () => {
  /** A task whose cleanup sleeps 5 s on the loop's clock (500 s of real time at speed 0.01). */
  function slowCleanup(loop: EventLoop): Task<unknown> {
    return loop.createTask(
      async () => {
        try {
          await sleep(60_000)
        } finally {
          await sleep(5000)
        }
      },
      { name: 'slow-cleanup' },
    )
  }

  it('loop.shutdown on ScaledClock(0.01): a 200 ms grace forces a 5-loop-second cleanup after ≈ 200 ms of real time', async () => {
    const loop = new EventLoop({ clock: new ScaledClock(0.01) })
    slowCleanup(loop)
    await startAll(loop)
    const t0 = performance.now()
    const report = await loop.shutdown({ graceMs: 200 })
    const took = performance.now() - t0
    expect(report.forced.map((f) => f.name)).toEqual(['slow-cleanup'])
    expect(report.graceMs).toBe(200)
    expect(took).toBeGreaterThanOrEqual(190) // the grace was given (timer granularity aside)
    expect(took).toBeLessThan(2000) // on the loop's clock it would have been 20 s
    expect(report.wallMs).toBeGreaterThanOrEqual(190)
    expect(report.wallMs).toBeLessThan(2000)
    expect(report.elapsedMs).toBeLessThan(20) // ≈ 2 ms of loop time at speed 0.01
  })

  it('stopTasks on ScaledClock(0.01): same — a 200 ms grace is 200 real ms', async () => {
    const loop = new EventLoop({ clock: new ScaledClock(0.01) })
    const t = slowCleanup(loop)
    const running = loop.runForever()
    await new Promise((r) => setTimeout(r, 20))
    const t0 = performance.now()
    const report = await stopTasks(loop, [t], 200, 'test stop')
    const took = performance.now() - t0
    loop.stop()
    await running
    expect(report.forced.map((f) => f.name)).toEqual(['slow-cleanup'])
    expect(took).toBeGreaterThanOrEqual(190)
    expect(took).toBeLessThan(2000)
    expect(report.wallMs).toBeLessThan(2000)
    // Forced: it ends abandoned (final, out of every count), not cancelling forever.
    expect(t.state).toBe('abandoned')
    expect(t.done()).toBe(true)
  })

  it('on a virtual clock a cleanup that never ends is forced after the real grace, not at the virtual one', async () => {
    const { loop } = virtualLoop()
    const never = loop.createFuture<void>()
    loop.createTask(
      async () => {
        try {
          await sleep(60_000)
        } finally {
          await never // never settles: the virtual clock has nothing to jump to
        }
      },
      { name: 'stuck' },
    )
    await startAll(loop)
    const t0 = performance.now()
    const report = await loop.shutdown({ graceMs: 50 })
    expect(report.forced.map((f) => f.name)).toEqual(['stuck'])
    expect(performance.now() - t0).toBeGreaterThanOrEqual(45)
    expect(performance.now() - t0).toBeLessThan(2000)
    expect(report.elapsedMs).toBe(0)
  })

  it('an injected wall timer decides when the grace runs out', async () => {
    const pending: (() => void)[] = []
    const wallTimer: WallTimer = { now: () => 0, setTimeout: (fn) => pending.push(fn), clearTimeout: () => {} }
    const loop = new EventLoop({ clock: new VirtualClock(), wallTimer })
    const never = loop.createFuture<void>()
    loop.createTask(async () => {
      try {
        await sleep(60_000)
      } finally {
        await never
      }
    })
    await startAll(loop)
    const report = loop.shutdown({ graceMs: 1_000_000 })
    await new Promise((r) => setTimeout(r, 20))
    expect(pending).toHaveLength(1)
    pending[0]!()
    expect((await report).forced).toHaveLength(1)
  })
})
