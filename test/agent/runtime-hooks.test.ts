import { afterEach, describe, expect, it } from 'vitest'
import { EventLoop, RealClock, ScaledClock, VirtualClock, onLoopCreated, run, setDefaultClock, sleep, getRunningLoop } from '../../src/main/runtime/index'

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
