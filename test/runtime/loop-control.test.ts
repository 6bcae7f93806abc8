/**
 * Loop controls: pause / resume, stepOnce (one asyncio _run_once), runToNextTimer, a live speed
 * change, and the inspector's view of the ready queue and the timer heap. Virtual clocks, and a
 * hand-moved clock standing in for the real one (time passes while paused): no sleeps.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Clock } from '../../src/main/runtime/index'
import { EventLoop, RuntimeError, ScaledClock, VirtualClock, gather, getRunningLoop, sleep, timeout } from '../../src/main/runtime/index'
import { py } from '../runtime-cpython/cpython'

/** Lets Node's own event loop turn `n` times (a paused loop must do nothing meanwhile). */
async function hostTurns(n = 20): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise<void>((resolve) => setImmediate(resolve))
}

/** A clock moved by hand that, unlike VirtualClock, is a "real" clock to the loop: no autojump, time passes by itself. */
class HandClock implements Clock {
  t = 0
  now(): number {
    return this.t
  }
  sleepTimeUntil(deadline: number): number {
    return Math.max(0, deadline - this.t)
  }
}

const loops: EventLoop[] = []
function loopOn(clock: Clock): EventLoop {
  const loop = new EventLoop({ clock })
  loops.push(loop)
  return loop
}
afterEach(async () => {
  for (const loop of loops.splice(0)) {
    loop.resume()
    if (loop.isRunning()) {
      loop.stop()
      await hostTurns(5)
    }
    if (!loop.isRunning()) loop.close()
  }
  vi.restoreAllMocks()
})

describe('pause and resume', () => {
  it('a paused loop on a virtual clock runs nothing and its time stays put; resume runs it all, in order', async () => {
    const loop = loopOn(new VirtualClock())
    const said: string[] = []
    const say = (s: string) => said.push(`${loop.time()} ${s}`)
    loop.createTask(async () => {
      say('a starts')
      await sleep(0)
      say('a after yield')
      await sleep(50)
      say('a after 50')
    }, { name: 'a' })
    loop.callLater(20, () => say('timer 20'))
    loop.pause()
    const forever = loop.runForever()
    await hostTurns()
    expect(said).toEqual([])
    expect(loop.time()).toBe(0)
    expect(loop.controlState()).toBe('paused')
    loop.callSoon(() => say('callSoon while paused'))
    await hostTurns()
    expect(said).toEqual([])
    loop.resume()
    loop.callLater(100, () => loop.stop())
    await forever
    expect(said).toEqual(['0 a starts', '0 callSoon while paused', '0 a after yield', '20 timer 20', '50 a after 50'])
  })

  it('pause() inside an iteration lets that iteration finish, then holds (what it scheduled waits)', async () => {
    const loop = loopOn(new VirtualClock())
    const said: string[] = []
    loop.callSoon(() => {
      said.push('first')
      loop.pause()
      loop.callSoon(() => said.push('scheduled by first'))
    })
    loop.callSoon(() => said.push('second, same iteration'))
    void loop.runForever()
    await hostTurns()
    expect(said).toEqual(['first', 'second, same iteration'])
    expect(loop.isPaused()).toBe(true)
    expect(loop.inspect().ready.map((e) => e.kind)).toEqual(['callback'])
  })

  it('on a clock that passes by itself, timers that came due while paused all run on resume, in deadline order', async () => {
    const clock = new HandClock()
    const loop = loopOn(clock)
    const fired: string[] = []
    for (const ms of [30, 10, 20]) loop.callLater(ms, () => fired.push(`timer ${ms} at ${loop.time()}`))
    for (const ms of [25, 15]) {
      loop.createTask(async () => {
        await sleep(ms)
        fired.push(`sleep ${ms} at ${loop.time()}`)
      })
    }
    void loop.runForever()
    await hostTurns()
    loop.pause()
    await hostTurns()
    expect(loop.isPaused()).toBe(true)
    clock.t = 100 // time passes while paused: every timer comes due
    await hostTurns()
    expect(fired).toEqual([])
    expect(loop.inspect().timers.map((t) => t.when)).toEqual([10, 15, 20, 25, 30])
    loop.resume()
    await hostTurns()
    // One iteration fires all five in deadline order (inspect's order above); a sleep's firing wakes
    // its task, whose step runs in the next iteration, after the timers' callbacks (as asyncio).
    expect(fired).toEqual(['timer 10 at 100', 'timer 20 at 100', 'timer 30 at 100', 'sleep 15 at 100', 'sleep 25 at 100'])
  })

  it('stop() still stops a paused loop, and shutdown() resumes it so cleanups run', async () => {
    const loop = loopOn(new VirtualClock())
    loop.pause()
    const forever = loop.runForever()
    await hostTurns()
    loop.stop()
    await forever
    expect(loop.isRunning()).toBe(false)

    let cleaned = false
    loop.createTask(async () => {
      try {
        await sleep(1e9)
      } finally {
        await sleep(10)
        cleaned = true
      }
    })
    void loop.runForever()
    await loop.stepOnce() // the task starts and sleeps; the loop is paused, and running
    expect(loop.isPaused()).toBe(true)
    const report = await loop.shutdown({ graceMs: 5000 })
    expect(cleaned).toBe(true)
    expect(report.forced).toEqual([])
    expect(loop.controlState()).toBe('running')
  })
})

describe('stepOnce', () => {
  it("runs exactly one iteration per call, as CPython's _run_once does (and the inspector counts its ready queue)", async () => {
    const steps = 9
    const expected = py(
      `
      loop = VirtualTimeLoop()
      asyncio.events._set_running_loop(loop)
      async def a():
          log('a starts')
          await asyncio.sleep(0)
          log('a after yield')
          loop.call_soon(log, 'callback from a')
          await asyncio.sleep(0.01)
          log('a after 10')
      async def b():
          log('b starts')
          await asyncio.gather(c(), asyncio.sleep(0.005))
          log('b after gather')
      async def c():
          log('c runs')
      loop.create_task(a())
      loop.create_task(b())
      loop.call_later(0.005, log, 'timer 5')
      for i in range(${steps}):
          logt(loop, 'iteration', i, 'ready', len(loop._ready))
          loop._run_once()
      asyncio.events._set_running_loop(None)
      `,
      { raw: true },
    )
    const clock = new VirtualClock()
    const loop = loopOn(clock)
    const lines: string[] = []
    const log = (...parts: unknown[]) => lines.push([String(Math.round(loop.time() * 1000) / 1000), ...parts.map(String)].join(' '))
    const c = async () => log('c runs')
    loop.createTask(async function a() {
      log('a starts')
      await sleep(0)
      log('a after yield')
      getRunningLoop().callSoon(() => log('callback from a'))
      await sleep(10)
      log('a after 10')
    })
    loop.createTask(async function b() {
      log('b starts')
      await gather([c, () => sleep(5)]) // a coroutine, as Python's gather wraps asyncio.sleep(...) in a task
      log('b after gather')
    })
    loop.callLater(5, () => log('timer 5'))
    loop.pause()
    void loop.runForever()
    for (let i = 0; i < steps; i++) {
      log('iteration', i, 'ready', loop.inspect().readyTotal)
      await loop.stepOnce()
      expect(loop.isPaused()).toBe(true)
    }
    // python prints times as seconds*1000 rounded to µs: the same as ms here
    expect(lines).toEqual(expected)
  })

  it('the ready queue it shows is what the next stepOnce runs, and it changes step by step', async () => {
    const loop = loopOn(new VirtualClock())
    const ran: string[] = []
    for (const name of ['w1', 'w2']) {
      loop.createTask(async () => {
        ran.push(`${name} 1`)
        await sleep(0)
        ran.push(`${name} 2`)
      }, { name })
    }
    loop.pause()
    void loop.runForever()
    await hostTurns()
    const first = loop.inspect()
    expect(first.state).toBe('paused')
    expect(first.inIteration).toBe(0)
    expect(first.ready.map((e) => [e.kind, e.taskName, e.text])).toEqual([
      ['step', 'w1', expect.stringContaining('step of Task w1')],
      ['step', 'w2', expect.stringContaining('step of Task w2')],
    ])
    await loop.stepOnce()
    expect(ran).toEqual(['w1 1', 'w2 1'])
    // each sleep(0) future's done callback wakes its task: the next iteration holds the two steps again
    expect(loop.inspect().ready.map((e) => e.taskName)).toEqual(['w1', 'w2'])
    await loop.stepOnce()
    expect(ran).toEqual(['w1 1', 'w2 1', 'w1 2', 'w2 2'])
    expect(loop.inspect().readyTotal).toBe(0)
  })

  it('refuses unless the loop is paused', () => {
    const loop = loopOn(new VirtualClock())
    expect(() => loop.stepOnce()).toThrow(RuntimeError)
    expect(() => loop.runToNextTimer()).toThrow(RuntimeError)
  })
})

describe('runToNextTimer', () => {
  it('runs the ready work, then the iteration that fires the next timer, then holds (later timers wait)', async () => {
    const loop = loopOn(new VirtualClock())
    const said: string[] = []
    const say = (s: string) => said.push(`${loop.time()} ${s}`)
    loop.createTask(async () => {
      for (let i = 0; i < 3; i++) {
        say(`busy ${i}`)
        await sleep(0)
      }
    })
    loop.callLater(10, () => {
      say('timer 10')
      loop.callSoon(() => say('scheduled by timer 10'))
    })
    loop.callLater(20, () => say('timer 20'))
    loop.pause()
    void loop.runForever()
    await loop.runToNextTimer()
    expect(said).toEqual(['0 busy 0', '0 busy 1', '0 busy 2', '10 timer 10'])
    expect(loop.isPaused()).toBe(true)
    expect(loop.time()).toBe(10)
    await loop.runToNextTimer()
    expect(said.slice(4)).toEqual(['10 scheduled by timer 10', '20 timer 20'])
    expect(() => loop.runToNextTimer()).toThrow(/no timer is scheduled/)
  })

  it('skips a timer cancelled meanwhile and runs to the next live one', async () => {
    const loop = loopOn(new VirtualClock())
    const said: string[] = []
    const h = loop.callLater(10, () => said.push('cancelled timer'))
    loop.callLater(30, () => said.push(`timer 30 at ${loop.time()}`))
    loop.pause()
    void loop.runForever()
    await hostTurns()
    h.cancel()
    await loop.runToNextTimer()
    expect(said).toEqual(['timer 30 at 30'])
  })
})

describe('speed, live', () => {
  it("a scaled clock's rate changes in place with no jump in time", () => {
    let real = 1000
    vi.spyOn(performance, 'now').mockImplementation(() => real)
    const clock = new ScaledClock(10, { start: 500 })
    real += 100
    expect(clock.now()).toBe(1500)
    clock.setRate(2)
    expect(clock.now()).toBe(1500)
    real += 100
    expect(clock.now()).toBe(1700)
    expect(clock.rate).toBe(2)
  })

  it('virtual → scaled → virtual keeps loop time continuous and every timer at its deadline', async () => {
    let real = 0
    vi.spyOn(performance, 'now').mockImplementation(() => real)
    const loop = loopOn(new VirtualClock({ start: 1000 }))
    const woke: number[] = []
    loop.createTask(async () => {
      await sleep(5000)
      woke.push(loop.time())
    })
    loop.pause()
    void loop.runForever()
    await loop.stepOnce() // the task's first step: it sleeps until 6000
    loop.setSpeed(60)
    expect(loop.speed()).toBe(60)
    expect(loop.time()).toBe(1000)
    real += 10 // 10 real ms at 60×: 600 loop ms
    expect(loop.time()).toBe(1600)
    loop.setSpeed('virtual')
    expect(loop.speed()).toBe('virtual')
    expect(loop.time()).toBe(1600)
    expect(loop.inspect().timers.map((t) => [t.kind, t.when, t.inMs])).toEqual([['sleep', 6000, 4400]])
    loop.resume()
    await hostTurns()
    expect(woke).toEqual([6000])
    expect(() => loop.setSpeed(0)).toThrow(TypeError)
  })
})

describe('inspect', () => {
  it('names each timer: a sleep of task X, a timeout scope, a deadline, a callLater; in firing order, bounded, with totals', async () => {
    const loop = loopOn(new VirtualClock())
    let deadlined: { id: number } | null = null
    loop.createTask(async () => {
      await sleep(300)
    }, { name: 'sleeper' })
    loop.createTask(async () => {
      await timeout(200, async () => await sleep(1000))
    }, { name: 'bounded' })
    const d = loop.createTask(async () => {
      await sleep(5000)
    }, { name: 'late' })
    deadlined = d
    loop.createTask(async () => {
      getRunningLoop().callLater(100, () => {})
      await sleep(2000)
    }, { name: 'caller' })
    loop.pause()
    void loop.runForever()
    await loop.stepOnce()
    d.setDeadline(400)
    const seen = loop.inspect()
    expect(seen.timers.map((t) => [t.kind, t.when, t.taskName])).toEqual([
      ['callLater', 100, 'caller'],
      ['timeout', 200, 'bounded'],
      ['sleep', 300, 'sleeper'],
      ['deadline', 400, 'late'],
      ['sleep', 1000, 'bounded'],
      ['sleep', 2000, 'caller'],
      ['sleep', 5000, 'late'],
    ])
    expect(seen.timers.map((t) => t.text)).toContain(`deadline of Task late (#${deadlined.id})`)
    expect(seen.timersTotal).toBe(7)
    const bounded = loop.inspect({ limit: 2 })
    expect(bounded.timers.map((t) => t.when)).toEqual([100, 200])
    expect(bounded.timersTotal).toBe(7)
    expect(bounded.limit).toBe(2)
  })

  it('a large heap lists only the first N, in order', async () => {
    const loop = loopOn(new VirtualClock())
    const whens = Array.from({ length: 5000 }, (_, i) => ((i * 7919) % 5000) + 1)
    for (const w of whens) loop.callLater(w, () => {})
    const seen = loop.inspect({ limit: 200 })
    expect(seen.timersTotal).toBe(5000)
    expect(seen.timers.map((t) => t.when)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1))
  })

  it('describes a done callback by its function and its future', async () => {
    const loop = loopOn(new VirtualClock())
    const f = loop.createFuture<number>()
    f.addDoneCallback(function onAnswer() {})
    loop.pause()
    void loop.runForever()
    await hostTurns()
    f.setResult(42)
    const [entry] = loop.inspect().ready
    expect(entry).toMatchObject({ kind: 'doneCallback', skipped: false, taskId: null })
    expect(entry!.text).toMatch(/^done callback onAnswer of /)
  })
})
