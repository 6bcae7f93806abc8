// Issue 11 §1: where each task's real time goes (busy / idle / scheduled, histograms) and which
// steps blocked the loop. The step clock is a fake the tasks advance themselves, so a "30 ms busy
// loop" is exact and takes no time; the loop runs on the virtual clock.
import { describe, expect, it } from 'vitest'
import { EventLoop, VirtualClock, createTask, gather, sleep } from '../../src/main/runtime/index'
import { TaskMonitor } from '../../src/main/monitor/index'
import { stepBucket } from '../../src/main/monitor/step-stats'
import { NOT_QUEUED } from '../../src/main/runtime/types'
import { STEP_BUCKETS, SLOW_STEPS_PER_LOOP, stepBucketFloorMs } from '../../src/shared/snapshots'
import { watchedLoop } from './monitor-helper'

function fakeClock() {
  const c = { now: 0, read: () => c.now }
  return c
}

describe('step timing per task', () => {
  it('splits real time into busy, idle and scheduled, and counts steps', async () => {
    const clock = fakeClock()
    const w = watchedLoop({ stepTiming: { clock: clock.read, thresholdMs: 20 } })
    const ids = { hog: 0, victim: 0 }
    await w.loop.runUntilComplete(async () => {
      // At loop time 5 the process is away 7 ms (both tasks are idle then, parked on their sleeps).
      w.loop.callLater(5, () => void (clock.now += 7))
      const hog = createTask(async () => {
        await sleep(10)
        clock.now += 30 // a synchronous 30 ms block
      }, { name: 'hog' })
      const victim = createTask(async () => {
        await sleep(10)
        clock.now += 1
      }, { name: 'victim' })
      Object.assign(ids, { hog: hog.id, victim: victim.id })
      await gather([hog, victim])
    })
    const hog = w.monitor.timingOf(ids.hog)!
    const victim = w.monitor.timingOf(ids.victim)!
    expect(hog).toMatchObject({ steps: 2, busyMs: 30, idleMs: 7, scheduledMs: 0, maxStepMs: 30 })
    // Woken with the hog, it waited in the ready queue while the hog's 30 ms step ran.
    expect(victim).toMatchObject({ steps: 2, busyMs: 1, idleMs: 7, scheduledMs: 30, maxStepMs: 1 })
    expect(hog.stepHist).toHaveLength(STEP_BUCKETS)
    expect(hog.stepHist[0]).toBe(1) // its first step took no time
    expect(hog.stepHist[stepBucket(30)]).toBe(1)
    expect(hog.stepHist.reduce((a, b) => a + b, 0)).toBe(2)
    expect(victim.scheduledHist[stepBucket(30)]).toBe(1)
    expect(victim.scheduledHist.reduce((a, b) => a + b, 0)).toBe(2)
  })

  it('counts a sleep(0) task\'s ready-queue wait from its own step\'s end, while the others run', async () => {
    const clock = fakeClock()
    const w = watchedLoop({ stepTiming: { clock: clock.read, thresholdMs: 1000 } })
    const ids = { a: 0, b: 0 }
    await w.loop.runUntilComplete(async () => {
      const a = createTask(async () => {
        for (let i = 0; i < 2; i++) {
          clock.now += 3
          await sleep(0)
        }
      })
      const b = createTask(async () => {
        for (let i = 0; i < 2; i++) {
          clock.now += 5
          await sleep(0)
        }
      })
      Object.assign(ids, { a: a.id, b: b.id })
      await gather([a, b])
    })
    // a: 0–3, b: 3–8, a: 8–11, b: 11–16, a and b resume at 16 and end.
    expect(w.monitor.timingOf(ids.a)).toMatchObject({ steps: 3, busyMs: 6, scheduledMs: 10, idleMs: 0 })
    expect(w.monitor.timingOf(ids.b)).toMatchObject({ steps: 3, busyMs: 10, scheduledMs: 6, idleMs: 0 })
  })

  it('puts durations in log2 buckets of microseconds', () => {
    expect(stepBucket(0)).toBe(0)
    expect(stepBucket(0.0009)).toBe(0)
    expect(stepBucket(0.001)).toBe(1) // [1, 2) µs
    expect(stepBucket(0.003)).toBe(2) // [2, 4) µs
    expect(stepBucket(30)).toBe(15) // 30,000 µs in [16,384, 32,768)
    expect(stepBucketFloorMs(15)).toBeCloseTo(16.384)
    expect(stepBucket(1e9)).toBe(STEP_BUCKETS - 1)
    for (let b = 1; b < STEP_BUCKETS - 1; b++) expect(stepBucket(stepBucketFloorMs(b))).toBe(b)
  })

  it('costs nothing when step timing is off: no timing, no slow steps, no stamps', async () => {
    const w = watchedLoop()
    let id = 0
    await w.loop.runUntilComplete(async () => {
      const t = createTask(() => sleep(1))
      id = t.id
      await t
      expect(t._queuedAt).toBe(NOT_QUEUED)
    })
    expect(w.monitor.timingOf(id)).toBeNull()
    expect(w.monitor.slowSteps).toBeNull()
  })
})

describe('slow steps', () => {
  it('records a step over the threshold with its task, duration, loop time and awaits, and sends it in a delta', async () => {
    const clock = fakeClock()
    const w = watchedLoop({ stepTiming: { clock: clock.read, thresholdMs: 20 } })
    let id = 0
    await w.loop.runUntilComplete(async () => {
      const t = createTask(async () => {
        await sleep(1500)
        clock.now += 25 // blocks between two awaits
        await sleep(0)
        clock.now += 19 // under the threshold
        await sleep(1)
      }, { name: 'blocker' })
      id = t.id
      await t
    })
    const { steps, thresholdMs } = w.monitor.slowSteps!.info()
    expect(thresholdMs).toBe(20)
    expect(steps).toHaveLength(1)
    expect(steps[0]).toMatchObject({
      loop: 'run-1',
      runId: 1,
      taskId: id,
      taskName: 'blocker',
      durationMs: 25,
      at: { loop: 1500 },
      resumedFrom: 'sleep until 1.500s',
      parkedOn: 'sleep(0)',
    })
    w.monitor.flushNow()
    expect(w.deltas.flatMap((d) => d.slowSteps ?? [])).toEqual(steps)
    const sent = w.deltas.length
    w.monitor.log('run-1', { t: 0, line: 'later', taskId: null, taskName: null, stream: 'stdout' })
    w.monitor.flushNow()
    expect(w.deltas.length).toBe(sent + 1)
    expect(w.deltas.at(-1)?.slowSteps).toBeUndefined() // sent once
  })

  it('follows the threshold when it changes, and a first step says it resumed from nothing', async () => {
    const clock = fakeClock()
    const w = watchedLoop({ stepTiming: { clock: clock.read } })
    expect(w.monitor.slowSteps!.thresholdMs).toBe(20) // the default
    w.monitor.slowSteps!.thresholdMs = 40
    await w.loop.runUntilComplete(async () => {
      await createTask(async () => void (clock.now += 30))
      w.monitor.slowSteps!.thresholdMs = 5
      await createTask(async () => void (clock.now += 6), { name: 'short' })
    })
    const steps = w.monitor.slowSteps!.info().steps
    expect(steps.map((s) => [s.taskName, s.durationMs, s.resumedFrom, s.parkedOn])).toEqual([['short', 6, null, null]])
  })

  it('keeps the newest SLOW_STEPS_PER_LOOP per loop, and forgets a loop\'s with its tasks', async () => {
    const clock = fakeClock()
    const w = watchedLoop({ stepTiming: { clock: clock.read, thresholdMs: 20 } })
    const n = SLOW_STEPS_PER_LOOP + 100
    await w.loop.runUntilComplete(async () => {
      for (let i = 0; i < n; i++) {
        clock.now += 21
        await sleep(0)
      }
    })
    const steps = w.monitor.slowSteps!.info().steps
    expect(steps).toHaveLength(SLOW_STEPS_PER_LOOP)
    expect(steps[0]!.seq).toBe(n - SLOW_STEPS_PER_LOOP + 1)
    expect(steps.at(-1)!.seq).toBe(n)
    w.monitor.forget('run-1')
    expect(w.monitor.slowSteps!.info().steps).toEqual([])
  })

  it('times the steps of every loop it watches, each loop apart', async () => {
    const clock = fakeClock()
    const monitor = new TaskMonitor({ emit: () => {}, stepTiming: { clock: clock.read, thresholdMs: 10 } })
    const a = new EventLoop({ clock: new VirtualClock() })
    const b = new EventLoop({ clock: new VirtualClock() })
    monitor.attach(a, { label: 'run-1', runId: 1, rate: null })
    monitor.attach(b, { label: 'run-2', runId: 2, rate: null })
    await a.runUntilComplete(async () => void (clock.now += 11))
    await b.runUntilComplete(async () => void (clock.now += 12))
    expect(monitor.slowSteps!.info().steps.map((s) => [s.loop, s.durationMs])).toEqual([
      ['run-1', 11],
      ['run-2', 12],
    ])
    monitor.dispose()
  })

  it('the newest 2,000 ended tasks keep their timing once held as columns; older ones let it go', async () => {
    const clock = fakeClock()
    const w = watchedLoop({ stepTiming: { clock: clock.read } })
    const ids: number[] = []
    await w.loop.runUntilComplete(async () => {
      for (let i = 0; i < 2_500; i++) {
        const t = createTask(async () => {
          clock.now += 1
          await sleep(1)
        })
        ids.push(t.id)
        await t
        if (i % 100 === 99) w.timers.advance(100) // deltas carry them: ended, they settle into columns
      }
    })
    w.timers.advance(100)
    w.timers.advance(100)
    expect(w.monitor.timingOf(ids[0]!)).toBeNull()
    expect(w.monitor.timingOf(ids[499]!)).toBeNull()
    expect(w.monitor.timingOf(ids[500]!)).toMatchObject({ steps: 2, busyMs: 1 })
    expect(w.monitor.timingOf(ids[2_499]!)).toMatchObject({ steps: 2, busyMs: 1 })
  })

  it('stays exact past 2^30 µs of a loop’s life (stamps wrap) and over an idle stretch of 25 minutes', async () => {
    const clock = fakeClock()
    const w = watchedLoop({ stepTiming: { clock: clock.read } })
    let id = 0
    await w.loop.runUntilComplete(async () => {
      w.loop.callLater(1, () => void (clock.now = 1_073_700)) // 41.8 ms before the stamps wrap
      await sleep(2)
      const t = createTask(async () => {
        clock.now += 100 // a step across the wrap
        await sleep(10)
        clock.now += 2
      })
      id = t.id
      w.loop.callLater(5, () => void (clock.now += 1_500_000)) // 25 minutes away while it sleeps
      await t
    })
    expect(w.monitor.timingOf(id)).toMatchObject({ steps: 2, busyMs: 102, maxStepMs: 100, scheduledMs: 0, idleMs: 1_500_000 })
  })

  it('counts every step of a busy task in its histograms, and reading them changes nothing', async () => {
    const clock = fakeClock()
    const w = watchedLoop({ stepTiming: { clock: clock.read } })
    let id = 0
    const reads: unknown[] = []
    await w.loop.runUntilComplete(async () => {
      const t = createTask(async () => {
        for (let i = 0; i < 20; i++) {
          clock.now += i % 2 === 0 ? 0.003 : 30 // 10 steps in [2, 4) µs, 10 in [16,384, 32,768) µs
          await sleep(0)
          if (i === 8) reads.push(w.monitor.timingOf(id), w.monitor.timingOf(id))
        }
      })
      id = t.id
      await t
    })
    const timing = w.monitor.timingOf(id)!
    expect(timing.steps).toBe(21)
    expect(timing.stepHist[2]).toBe(10)
    expect(timing.stepHist[15]).toBe(10)
    expect(timing.stepHist[0]).toBe(1) // its last step only returns
    expect(timing.stepHist.reduce((a, b) => a + b, 0)).toBe(21)
    expect(timing.scheduledHist.reduce((a, b) => a + b, 0)).toBe(21)
    // Read twice mid-run (after 9 steps, 6 of them added to the array already): the same counts.
    expect(reads[0]).toEqual(reads[1])
    expect((reads[0] as { stepHist: number[] }).stepHist.reduce((a, b) => a + b, 0)).toBe(9)
  })

  it('an abandoned task (a shutdown’s grace ran out) stops counting idle time when it ends', async () => {
    const clock = fakeClock()
    const w = watchedLoop({ stepTiming: { clock: clock.read } })
    const never = w.loop.createFuture<void>()
    const t = w.loop.createTask(async () => {
      try {
        await sleep(60_000)
      } finally {
        await never // its cleanup never ends
      }
    })
    await w.loop.runUntilComplete(() => sleep(1))
    clock.now += 5
    await w.loop.shutdown({ graceMs: 20 })
    expect(t.state).toBe('abandoned')
    const at = w.monitor.timingOf(t.id)!
    clock.now += 1_000
    expect(w.monitor.timingOf(t.id)).toEqual(at)
    expect(at).toMatchObject({ steps: 2, busyMs: 0, scheduledMs: 0, idleMs: 5 })
  })
})
