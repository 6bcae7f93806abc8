import { afterEach, describe, expect, it } from 'vitest'
import { execFileSync } from 'node:child_process'
import { EventLoop, RealClock, ScaledClock, VirtualClock, liveLoops, onLoopCreated, run, setDefaultClock, sleep, getRunningLoop } from '../../src/main/runtime/index'

afterEach(() => setDefaultClock(null))

describe('the runtime hooks the agent uses', () => {
  it('onLoopCreated hears every new loop, its returned function runs at close, and unsubscribing stops it', () => {
    const events: string[] = []
    const off = onLoopCreated((loop) => {
      events.push(`created ${loop.clock instanceof VirtualClock ? 'virtual' : 'other'}`)
      return () => events.push('closed')
    })
    const a = new EventLoop({ clock: new VirtualClock() })
    expect(events).toEqual(['created virtual'])
    a.close()
    a.close()
    expect(events).toEqual(['created virtual', 'closed'])
    off()
    new EventLoop().close()
    expect(events).toEqual(['created virtual', 'closed'])
  })

  it('liveLoops lists the loops not yet closed, oldest first; onLoopCreated with existing hears them too, and their close', () => {
    const a = new EventLoop({ clock: new VirtualClock() })
    const b = new EventLoop({ clock: new VirtualClock() })
    const c = new EventLoop({ clock: new VirtualClock() })
    b.close()
    expect(liveLoops()).toEqual([a, c])
    const events: string[] = []
    const name = (l: EventLoop) => (l === a ? 'a' : l === c ? 'c' : 'new')
    const off = onLoopCreated((loop) => {
      events.push(`created ${name(loop)}`)
      return () => events.push(`closed ${name(loop)}`)
    }, { existing: true })
    expect(events).toEqual(['created a', 'created c'])
    const d = new EventLoop({ clock: new VirtualClock() })
    c.close()
    a.close()
    d.close()
    off()
    expect(events).toEqual(['created a', 'created c', 'created new', 'closed c', 'closed a', 'closed new'])
    expect(liveLoops()).toEqual([])
  })

  it('liveLoops does not keep a loop alive: one dropped without close() is collected', () => {
    // Its own process, for --expose-gc: 1,000 loops made and dropped, then a collection.
    const script = `
      const { EventLoop, VirtualClock, liveLoops } = await import(${JSON.stringify(new URL('../../src/main/runtime/index.ts', import.meta.url).href)})
      let refs = []
      for (let i = 0; i < 1000; i++) refs.push(new WeakRef(new EventLoop({ clock: new VirtualClock() })))
      const kept = new EventLoop({ clock: new VirtualClock() })
      for (let i = 0; i < 5; i++) { await new Promise((r) => setTimeout(r, 10)); globalThis.gc() }
      console.log(JSON.stringify({ alive: refs.filter((r) => r.deref()).length, live: liveLoops().length, kept: liveLoops()[0] === kept }))
    `
    const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 })
    expect(JSON.parse(out.trim().split('\n').at(-1)!)).toEqual({ alive: 0, live: 1, kept: true })
  })

  it('a listener that throws does not stop the loop from being made (the error goes to the loop’s handler)', () => {
    const off = onLoopCreated(() => {
      throw new Error('watcher bug')
    })
    try {
      const loop = new EventLoop({ clock: new VirtualClock() })
      expect(loop.isClosed()).toBe(false)
      loop.close()
    } finally {
      off()
    }
  })

  it('setDefaultClock chooses the clock of run() without a clock option, a fresh one per run; an explicit clock wins', async () => {
    setDefaultClock(() => new VirtualClock())
    const started = Date.now()
    const t = await run(async () => {
      await sleep(3_600_000)
      return getRunningLoop().time()
    })
    expect(t).toBe(3_600_000) // an hour of virtual time, from 0
    expect(Date.now() - started).toBeLessThan(5_000)
    expect(await run(async () => getRunningLoop().time())).toBe(0)
    const scaled = new ScaledClock(2)
    expect(await run(async () => getRunningLoop().clock, { clock: scaled })).toBe(scaled)
    setDefaultClock(null)
    expect(await run(async () => getRunningLoop().clock)).toBeInstanceOf(RealClock)
  })
})
