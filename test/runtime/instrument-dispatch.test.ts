import { describe, expect, it } from 'vitest'
import { EventLoop, VirtualClock, sleep } from '../../src/main/runtime/index'
import type { Instrument } from '../../src/main/runtime/index'

const loopOf = () => new EventLoop({ clock: new VirtualClock() })

/** The loop calls a lone state-change instrument directly: the same calls, `this`, and isolation as the list. */
describe('instrument dispatch', () => {
  it('a lone instrument is called as a method (its this is the instrument)', async () => {
    const loop = loopOf()
    const seen: string[] = []
    const inst = {
      prefix: 'x',
      taskStateChanged(this: { prefix: string }, _t: unknown, from: string, to: string) {
        seen.push(`${this.prefix}:${from}→${to}`)
      },
    }
    loop.addInstrument(inst as Instrument)
    await loop.runUntilComplete(async () => void (await sleep(1)))
    expect(seen).toEqual(['x:pending→running', 'x:running→waiting', 'x:waiting→running', 'x:running→done'])
  })

  it('one of two removed: the other is called alone; both removed: none', async () => {
    const loop = loopOf()
    const a: string[] = []
    const b: string[] = []
    const removeA = loop.addInstrument({ taskStateChanged: (_t, _f, to) => void a.push(to) })
    const removeB = loop.addInstrument({ taskStateChanged: (_t, _f, to) => void b.push(to) })
    await loop.runUntilComplete(async () => {})
    expect(a).toEqual(['running', 'done'])
    expect(b).toEqual(['running', 'done'])
    removeA()
    await loop.runUntilComplete(async () => {})
    expect(a).toHaveLength(2)
    expect(b).toEqual(['running', 'done', 'running', 'done'])
    removeB()
    await loop.runUntilComplete(async () => {})
    expect(b).toHaveLength(4)
  })

  it('a lone instrument that throws is removed, its other hooks stop too, and a later one is called', async () => {
    const loop = loopOf()
    const errors: unknown[] = []
    loop.setExceptionHandler((e) => errors.push(e))
    let done = 0
    loop.addInstrument({
      taskStateChanged: () => {
        throw new Error('bug')
      },
      taskDone: () => void done++,
    })
    await loop.runUntilComplete(async () => void (await sleep(1)))
    expect(errors).toHaveLength(1)
    expect(done).toBe(0)
    const later: string[] = []
    loop.addInstrument({ taskStateChanged: (_t, _f, to) => void later.push(to) })
    await loop.runUntilComplete(async () => {})
    expect(later).toEqual(['running', 'done'])
  })
})
