import { describe, expect, it } from 'vitest'
import { asyncWith } from '../../src/main/scenarios/python/async-with'
import { Coroutine, coroutine } from '../../src/main/scenarios/python/coroutine'
import { using } from '../../src/main/scenarios/python/using'

describe("Python's coroutine objects and context managers", () => {
  it('runs a coroutine object only when started, and warns when one is dropped unrun', async () => {
    const warnings: string[] = []
    let ran = 0
    async function action() {
      ran += 1
    }
    const dropped = coroutine(action, (m) => warnings.push(m))
    const awaited = coroutine(action, (m) => warnings.push(m))
    expect(ran).toBe(0)
    await awaited.start()
    awaited.close()
    dropped.close()
    dropped.close()
    expect(ran).toBe(1)
    expect(warnings).toEqual(["RuntimeWarning: coroutine 'action' was never awaited"])
  })

  it('async with drops what __aexit__ returns, so a returned coroutine never runs', async () => {
    const warnings: string[] = []
    let ran = false
    const cm = {
      __aenter__: () => 'value',
      __aexit__: async () => new Coroutine('action', async () => void (ran = true), (m) => warnings.push(m)),
    }
    const seen = await asyncWith(cm, async (value) => value)
    expect(seen).toBe('value')
    expect(ran).toBe(false)
    expect(warnings).toEqual(["RuntimeWarning: coroutine 'action' was never awaited"])
  })

  it("async with suppresses the body's error only when __aexit__ returns something truthy", async () => {
    const failing = async () => {
      throw new Error('boom')
    }
    await expect(asyncWith({ __aenter__: () => 1, __aexit__: async () => true }, failing)).resolves.toBeUndefined()
    await expect(asyncWith({ __aenter__: () => 1, __aexit__: async () => null }, failing)).rejects.toThrow('boom')
  })

  it('using disposes the resource even when the body throws', async () => {
    const events: string[] = []
    const resource = { [Symbol.asyncDispose]: async () => void events.push('disposed') }
    await expect(
      using(resource, async () => {
        events.push('body')
        throw new Error('boom')
      }),
    ).rejects.toThrow('boom')
    expect(events).toEqual(['body', 'disposed'])
  })
})
