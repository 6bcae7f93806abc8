import { afterEach, describe, expect, it, vi } from 'vitest'
import { createTask, gather, sleep } from '../../src/main/runtime/index'
import type { Instrument, Task } from '../../src/main/runtime/index'
import { virtualLoop } from './support'

afterEach(() => {
  vi.restoreAllMocks()
})

describe('instruments', () => {
  it('see every task change: created, each state, done', async () => {
    const { loop } = virtualLoop()
    const events: string[] = []
    loop.addInstrument({
      taskCreated: (t) => events.push(`created ${t.name}`),
      taskStateChanged: (t, from, to) => events.push(`${t.name} ${from}→${to}`),
      taskDone: (t) => events.push(`done ${t.name} ${t.state}`),
    })
    await loop.runUntilComplete(
      loop.createTask(
        async () => {
          const child = createTask(() => sleep(10), { name: 'child' })
          await child
        },
        { name: 'main' },
      ),
    )
    expect(events).toEqual([
      'created main',
      'main pending→running',
      'created child',
      'main running→waiting',
      'child pending→running',
      'child running→waiting',
      'child waiting→running',
      'child running→done',
      'done child done',
      'main waiting→running',
      'main running→done',
      'done main done',
    ])
  })

  it('a cancel request shows as cancelling until the task ends', async () => {
    const { loop } = virtualLoop()
    const states: string[] = []
    loop.addInstrument({ taskStateChanged: (t, _f, to) => t.name === 'w' && states.push(to) })
    await loop.runUntilComplete(async () => {
      const w = createTask(
        async () => {
          try {
            await sleep(1000)
          } finally {
            await sleep(100)
          }
        },
        { name: 'w' },
      )
      await sleep(10)
      w.cancel()
      await Promise.allSettled([w])
    })
    expect(states).toEqual(['running', 'waiting', 'cancelling', 'cancelled'])
  })

  it('beforeTaskStep and afterTaskStep bracket each step', async () => {
    const { loop } = virtualLoop()
    const steps: string[] = []
    loop.addInstrument({
      beforeTaskStep: (t) => steps.push(`before ${t.name}`),
      afterTaskStep: (t) => steps.push(`after ${t.name} ${t.state}`),
    })
    await loop.runUntilComplete(
      loop.createTask(
        async () => {
          await sleep(5)
        },
        { name: 'm' },
      ),
    )
    expect(steps).toEqual(['before m', 'after m waiting', 'before m', 'after m done'])
  })

  it('awaiting() shows the edge of the await graph', async () => {
    const { loop } = virtualLoop()
    const seen: string[] = []
    await loop.runUntilComplete(async () => {
      const child = createTask(() => sleep(100), { name: 'child' })
      const parent = createTask(async () => await child, { name: 'parent' })
      const g = createTask(() => gather([sleep(50)]), { name: 'g' })
      await sleep(10)
      seen.push((parent.awaiting() as Task<unknown>).name, child.awaiting()!.describe(), g.awaiting()!.describe())
      await parent
      seen.push(String(parent.awaiting()))
      await g
    })
    expect(seen).toEqual(['child', 'sleep until 0.100s', 'gather of 1', 'null'])
  })

  it('an instrument that throws is logged once and removed; the scheduler goes on', async () => {
    const { loop } = virtualLoop()
    const errors: unknown[] = []
    loop.setExceptionHandler((e) => errors.push(e))
    let calls = 0
    const bad: Instrument = {
      taskStateChanged: () => {
        calls++
        throw new Error('instrument bug')
      },
    }
    loop.addInstrument(bad)
    const r = await loop.runUntilComplete(async () => {
      await sleep(10)
      return 'still fine'
    })
    expect(r).toBe('still fine')
    expect(calls).toBe(1)
    expect(errors).toHaveLength(1)
  })

  it('removing an instrument stops its calls', async () => {
    const { loop } = virtualLoop()
    let created = 0
    const remove = loop.addInstrument({ taskCreated: () => created++ })
    loop.createTask(async () => {})
    remove()
    loop.createTask(async () => {})
    await loop.shutdown({ graceMs: 0 })
    expect(created).toBe(1)
  })
})
