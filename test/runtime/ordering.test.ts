import { describe, expect, it } from 'vitest'
import { RealClock, ScaledClock, createTask, getRunningLoop, sleep } from '../../src/main/runtime/index'
import { runVirtual, virtualLoop } from './support'

describe('loop ordering', () => {
  it("a task's first step runs on a later loop iteration, never inside createTask", async () => {
    const { lines } = await runVirtual(async (s) => {
      const t = createTask(async () => s.say('child runs'))
      s.say(`created, child state ${t.state}`)
      await t
      s.say('main resumes')
    })
    expect(lines).toEqual(['0 created, child state pending', '0 child runs', '0 main resumes'])
  })

  it('tasks start in creation order, after their creator yields', async () => {
    const { lines } = await runVirtual(async (s) => {
      const ts = [1, 2, 3].map((i) => createTask(async () => s.say(`worker-${i}`)))
      s.say('main msg')
      for (const t of ts) await t
    })
    expect(lines).toEqual(['0 main msg', '0 worker-1', '0 worker-2', '0 worker-3'])
  })

  it('callSoon callbacks run FIFO, and callbacks scheduled during an iteration wait for the next one', async () => {
    const { loop } = virtualLoop()
    const order: string[] = []
    loop.callSoon(() => {
      order.push('a')
      loop.callSoon(() => order.push('a-child'))
    })
    loop.callSoon(() => order.push('b'))
    await loop.runUntilComplete(async () => {
      await sleep(0)
      order.push('task after one yield')
    })
    expect(order).toEqual(['a', 'b', 'a-child', 'task after one yield'])
  })

  it('every timer due at one tick moves to the ready queue before any task it wakes runs', async () => {
    const { lines } = await runVirtual(async (s) => {
      const mk = (name: string) =>
        createTask(async () => {
          await sleep(1000)
          s.say(`${name} woke`)
          getRunningLoop().callSoon(() => s.say(`${name}'s callback`))
        })
      const ts = [mk('a'), mk('b')]
      getRunningLoop().callLater(1000, () => s.say('timer c fired'))
      for (const t of ts) await t
      await sleep(0)
    })
    // a's and b's sleeps and timer c are all due at 1000; the woken tasks run after c fired, in timer order,
    // and what they schedule runs only after both.
    expect(lines).toEqual(['1000 timer c fired', '1000 a woke', '1000 b woke', "1000 a's callback", "1000 b's callback"])
  })

  it('equal deadlines fire in scheduling order (FIFO), which decides graceful-cancel', async () => {
    const { lines } = await runVirtual(async (s) => {
      const loop = getRunningLoop()
      for (const name of ['first', 'second', 'third']) loop.callLater(500, () => s.say(name))
      await sleep(500)
      s.say('main')
    })
    expect(lines).toEqual(['500 first', '500 second', '500 third', '500 main'])
  })

  it('the virtual clock jumps only when no task is ready', async () => {
    const { lines } = await runVirtual(async (s) => {
      const busy = createTask(async () => {
        for (let i = 0; i < 3; i++) {
          s.say(`busy ${i}`)
          await sleep(0)
        }
      })
      await sleep(10)
      s.say('slept')
      await busy
    })
    expect(lines).toEqual(['0 busy 0', '0 busy 1', '0 busy 2', '10 slept'])
  })

  it('a program that sleeps an hour finishes at once with loop.time() an hour later', async () => {
    const wallStart = performance.now()
    const { result } = await runVirtual(async () => {
      await sleep(3_600_000)
      return getRunningLoop().time()
    })
    expect(result).toBe(3_600_000)
    expect(performance.now() - wallStart).toBeLessThan(1000)
  })

  it('stop() ends runForever once the current iteration has run', async () => {
    const { loop } = virtualLoop()
    const order: string[] = []
    loop.callSoon(() => {
      order.push('one')
      loop.stop()
    })
    loop.callSoon(() => order.push('two'))
    loop.callLater(10, () => order.push('later'))
    await loop.runForever()
    expect(order).toEqual(['one', 'two'])
    // the loop can run again; the timer it still holds fires then
    await loop.runUntilComplete(async () => {
      await sleep(20)
    })
    expect(order).toEqual(['one', 'two', 'later'])
  })

  it('a virtual clock without autojump waits for advance()', async () => {
    const { VirtualClock, EventLoop } = await import('../../src/main/runtime/index')
    const clock = new VirtualClock({ autojump: false })
    const loop = new EventLoop({ clock })
    let woke = -1
    const done = loop.runUntilComplete(async () => {
      await sleep(100)
      woke = getRunningLoop().time()
    })
    await new Promise((r) => setImmediate(r))
    expect(woke).toBe(-1)
    clock.advance(50)
    await new Promise((r) => setImmediate(r))
    expect(woke).toBe(-1)
    clock.advance(50)
    await done
    expect(woke).toBe(100)
  })

  it('a real clock loop fires its timers on time with one host timer', async () => {
    const { EventLoop } = await import('../../src/main/runtime/index')
    const loop = new EventLoop({ clock: new RealClock() })
    const t = await loop.runUntilComplete(async () => {
      const start = getRunningLoop().time()
      await sleep(20)
      return getRunningLoop().time() - start
    })
    expect(t).toBeGreaterThanOrEqual(20)
  })

  it('a scaled clock runs time faster: 60× makes a 600 ms sleep take about 10 ms', async () => {
    const { EventLoop } = await import('../../src/main/runtime/index')
    const loop = new EventLoop({ clock: new ScaledClock(60) })
    const wall = performance.now()
    const t = await loop.runUntilComplete(async () => {
      await sleep(600)
      return getRunningLoop().time()
    })
    expect(t).toBeGreaterThanOrEqual(600)
    expect(performance.now() - wall).toBeLessThan(600)
  })
})
