import { afterEach, describe, expect, it } from 'vitest'
import { EventLoop, VirtualClock, getRunningLoop, run, setDefaultClock, sleep } from '../../src/main/runtime/index'

describe('setDefaultClock', () => {
  afterEach(() => setDefaultClock(null))

  it('gives a loop made by hand the chosen clock, as run() gets it', async () => {
    setDefaultClock(() => new VirtualClock())
    const loop = new EventLoop()
    const wallStart = Date.now()
    const t = await loop.runUntilComplete(
      loop.createTask(async () => {
        await sleep(60_000)
        return loop.time()
      }),
    )
    loop.close()
    expect(t).toBe(60_000)
    const inRun = await run(async () => {
      await sleep(5_000)
      return getRunningLoop().time()
    })
    expect(inRun).toBe(5_000)
    expect(Date.now() - wallStart).toBeLessThan(5_000) // virtual: 65 s of sleeps took no such wall time
  })

  it('an explicit clock wins, and null restores the real clock', async () => {
    setDefaultClock(() => new VirtualClock())
    const mine = new VirtualClock({ start: 7 })
    const a = new EventLoop({ clock: mine })
    expect(a.time()).toBe(7)
    a.close()
    setDefaultClock(null)
    const b = new EventLoop()
    const wallStart = Date.now()
    await b.runUntilComplete(b.createTask(() => sleep(30)))
    b.close()
    // The real clock waits for real: a virtual one would have jumped at once.
    expect(Date.now() - wallStart).toBeGreaterThanOrEqual(25)
  })
})
